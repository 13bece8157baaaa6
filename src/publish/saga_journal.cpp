#include "publish/saga_journal.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace pfs::publish {
namespace {

using nlohmann::json;

constexpr const char* kRemovalKind = "revoke";  // the records' kind since removals closed orders only

std::string encode_removal(const Removal& removal) {
  json orders = json::array();
  for (const auto& o : removal.orders)
    orders.push_back({{"hash", o.hash}, {"dataset", o.dataset}, {"signed", o.signed_order}});
  json j{{"kind", kRemovalKind}, {"name", removal.name}, {"orders", orders}};
  if (removal.saga) j["saga"] = encode_saga(*removal.saga);
  return j.dump();
}

// nullopt for a record that is not a removal.
std::optional<Removal> decode_removal(const json& j) {
  if (!j.is_object() || j.value("kind", "") != kRemovalKind) return std::nullopt;
  Removal removal;
  removal.name = j.value("name", "");
  for (const auto& o : j.at("orders")) {
    core::IssuedOrder order;
    order.hash = o.at("hash");
    order.dataset = o.at("dataset");
    order.signed_order = o.at("signed");
    order.state = core::IssuedOrder::State::Open;
    removal.orders.push_back(std::move(order));
  }
  if (j.contains("saga")) removal.saga = decode_saga(j.at("saga").get<std::string>());
  return removal;
}

}  // namespace

SagaJournal::Record SagaJournal::read(uint64_t data_ino) {
  const auto text = journal_.get(data_ino);
  return text ? parse(data_ino, *text) : Record{};
}

SagaJournal::Record SagaJournal::parse(uint64_t data_ino, const std::string& text) {
  Record record;
  try {
    // Parsed once for both questions (it was three times: removal?, saga?, the saga): a save() reads the record
    // first, and four of a publish's saves come after its quiet period.
    const json j = json::parse(text, nullptr, false);
    record.removal = decode_removal(j);
    if (!record.removal && is_publish_saga(j)) record.saga = decode_saga(j);
  } catch (const std::exception& e) {
    // Unreadable (written by a build that crashed mid-change?): the data is simply published again, as its status
    // says pending; a removal's orders stay open on the network, which the log says.
    spdlog::warn("publish journal of {}: unreadable record dropped: {}", data_ino, e.what());
    journal_.erase(data_ino);
  }
  return record;
}

void SagaJournal::write_removal(uint64_t data_ino, const Removal& removal) {
  if (removal.orders.empty() && !removal.saga) journal_.erase(data_ino);
  else journal_.put(data_ino, encode_removal(removal));
}

void SagaJournal::load(std::map<uint64_t, PublishSaga>& sagas, std::map<uint64_t, Removal>& removals) {
  MutexLock lock(mutex_);
  for (const auto& [data, text] : journal_.load()) {
    Record record = parse(data, text);
    if (record.removal) removals.emplace(data, std::move(*record.removal));
    else if (record.saga) sagas.emplace(data, std::move(*record.saga));
  }
}

std::optional<PublishSaga> SagaJournal::saga(uint64_t data_ino) {
  MutexLock lock(mutex_);
  return read(data_ino).saga;
}

void SagaJournal::save(uint64_t data_ino, const PublishSaga& saga) {
  MutexLock lock(mutex_);
  if (auto removal = read(data_ino).removal) {
    removal->saga = saga;
    write_removal(data_ino, *removal);
    return;
  }
  journal_.put(data_ino, encode_saga(saga));
}

void SagaJournal::finish(uint64_t data_ino) {
  MutexLock lock(mutex_);
  if (auto removal = read(data_ino).removal) {
    removal->saga.reset();
    write_removal(data_ino, *removal);
    return;
  }
  journal_.erase(data_ino);
}

bool SagaJournal::remove(uint64_t data_ino, const std::string& name,
                         const std::vector<core::IssuedOrder>& live_orders) {
  MutexLock lock(mutex_);
  Record record = read(data_ino);
  Removal removal = record.removal.value_or(Removal{});
  removal.name = name;
  removal.orders.insert(removal.orders.end(), live_orders.begin(), live_orders.end());
  if (record.saga) removal.saga = record.saga;
  write_removal(data_ino, removal);
  return !removal.orders.empty() || removal.saga.has_value();
}

std::optional<Removal> SagaJournal::removal(uint64_t data_ino) {
  MutexLock lock(mutex_);
  return read(data_ino).removal;
}

void SagaJournal::erase(uint64_t data_ino) {
  MutexLock lock(mutex_);
  journal_.erase(data_ino);
}

}  // namespace pfs::publish
