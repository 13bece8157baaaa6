#include "core/data_info.hpp"

#include <cstdlib>
#include <map>

#include <nlohmann/json.hpp>

namespace pfs::core {
namespace {

using nlohmann::json;

const char* state_name(IssuedOrder::State s) {
  switch (s) {
    case IssuedOrder::State::Issuing:
      return "issuing";
    case IssuedOrder::State::Open:
      return "open";
    case IssuedOrder::State::Closed:
      return "closed";
    case IssuedOrder::State::Void:
      return "void";
  }
  return "closed";
}

IssuedOrder::State state_of(const std::string& name) {
  if (name == "issuing") return IssuedOrder::State::Issuing;
  if (name == "open") return IssuedOrder::State::Open;
  if (name == "void") return IssuedOrder::State::Void;
  return IssuedOrder::State::Closed;
}

json subject_json(const GrantSubject& s) { return {{"user", s.user.to_string()}, {"app", s.app.to_string()}}; }
GrantSubject subject_of(const json& j) {
  return {crypto::Address::parse(j.at("user").get<std::string>()),
          crypto::Address::parse(j.at("app").get<std::string>())};
}

std::string shown_user(const crypto::Address& user) { return user.is_zero() ? "any" : user.to_string(); }

uint64_t remaining_of(const DataInfo& info, const Grant& grant) {
  const IssuedOrder* order = current_order(info, grant);
  return order ? order->remaining : grant.terms.count;  // not issued yet: all of it
}

json grants_json(const DataInfo& info) {
  json out = json::array();
  for (const Grant& g : info.grants) {
    const IssuedOrder* order = current_order(info, g);
    out.push_back({{"user", shown_user(g.subject.user)},
                   {"app", g.subject.app.to_string()},
                   {"price", g.terms.price},
                   {"count", g.terms.count == kUnlimitedVolume ? json("unlimited") : json(g.terms.count)},
                   {"remaining", remaining_of(info, g)},
                   {"bulk", is_bulk(g.terms)},
                   {"orderHash", order && order->state == IssuedOrder::State::Open ? order->hash : ""},
                   {"status", order && order->state == IssuedOrder::State::Open ? "open" : "pending"}});
  }
  return out;
}

// Accesses and earnings per (user, app) across every version's orders; remaining of the open grant.
json usage_json(const DataInfo& info) {
  struct Sum {
    uint64_t consumed = 0, earnings = 0, remaining = 0;
    bool open = false, bulk = false;
  };
  std::map<std::pair<crypto::Address, crypto::Address>, Sum> per_subject;
  std::vector<std::pair<crypto::Address, crypto::Address>> order;  // first seen first
  auto slot = [&](const GrantSubject& s) -> Sum& {
    auto key = std::make_pair(s.user, s.app);
    if (!per_subject.count(key)) order.push_back(key);
    return per_subject[key];
  };
  for (const IssuedOrder& o : info.orders) {
    Sum& sum = slot(o.subject);
    sum.consumed += o.uses;
    sum.earnings += o.uses * o.terms.price;
    sum.bulk = is_bulk(o.terms);  // the newest order's terms, unless an open grant says otherwise below
  }
  for (const Grant& g : info.grants) {
    Sum& sum = slot(g.subject);
    sum.open = true;
    sum.bulk = is_bulk(g.terms);
    sum.remaining = remaining_of(info, g);
  }
  json grants = json::array();
  uint64_t consumed = 0, earnings = 0;
  for (const auto& key : order) {
    const Sum& sum = per_subject[key];
    grants.push_back({{"user", shown_user(key.first)},
                      {"app", key.second.to_string()},
                      {"consumed", sum.consumed},
                      {"remaining", sum.remaining},
                      {"earnings", sum.earnings},
                      {"bulk", sum.bulk},
                      {"open", sum.open}});
    consumed += sum.consumed;
    earnings += sum.earnings;
  }
  return {{"grants", grants}, {"total", {{"consumed", consumed}, {"earnings", earnings}}}, {"unit", "nRLC"}};
}

json versions_json(const std::vector<VersionRef>& versions) {
  json out = json::array();
  for (const VersionRef& v : versions) out.push_back({{"address", v.address}, {"created", v.created}});
  return out;
}

// Stored as a list; records written before it was typed hold the list's JSON text.
std::vector<VersionRef> versions_of(const json& j) {
  const json list = j.is_string() ? json::parse(j.get<std::string>().empty() ? "[]" : j.get<std::string>()) : j;
  std::vector<VersionRef> out;
  for (const auto& v : list) out.push_back({v.at("address"), v.value("created", "")});
  return out;
}

json failure_json(const PublishFailure& f) {
  return {{"step", f.step},         {"errno", f.error},       {"message", f.message},
          {"attempts", f.attempts}, {"retry_at", f.retry_at}, {"retry_in", f.retry_in}};
}

PublishFailure failure_of(const json& j) {
  return {j.value("step", ""),    j.value("errno", EIO),           j.value("message", ""),
          j.value("attempts", 1), j.value("retry_at", int64_t{0}), j.value("retry_in", int64_t{0})};
}

const char* kind_name(DataStatus::Kind kind) {
  switch (kind) {
    case DataStatus::Kind::Draft:
      return "draft";
    case DataStatus::Kind::Pending:
      return "pending";
    case DataStatus::Kind::Publishing:
      return "publishing";
    case DataStatus::Kind::Published:
      return "published";
    case DataStatus::Kind::Failed:
      return "failed";
    case DataStatus::Kind::Transferring:
      return "transferring";
  }
  return "pending";
}

json status_json(const DataStatus& s) {
  json out{{"kind", kind_name(s.kind)}};
  if (s.kind == DataStatus::Kind::Publishing) out.update({{"step", s.step}, {"percent", s.percent}});
  if (s.kind == DataStatus::Kind::Failed) out["failure"] = failure_json(s.failure);
  if (s.kind == DataStatus::Kind::Transferring) out["to"] = s.to;
  return out;
}

DataStatus status_of(const json& j) {
  DataStatus s{.kind = DataStatus::Kind::Pending};  // a kind this build does not know: published again
  const std::string kind = j.value("kind", "");
  for (auto k : {DataStatus::Kind::Draft, DataStatus::Kind::Pending, DataStatus::Kind::Publishing,
                 DataStatus::Kind::Published, DataStatus::Kind::Failed, DataStatus::Kind::Transferring})
    if (kind == kind_name(k)) s.kind = k;
  s.step = j.value("step", "");
  s.percent = j.value("percent", 0);
  if (j.contains("failure")) s.failure = failure_of(j.at("failure"));
  s.to = j.value("to", "");
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Records written before the status was typed hold its text (render_status's output) and, for failures since
// they were typed, a "failure" object. Parsed back so that the text shown is the same as before.
DataStatus status_of_text(const std::string& text, const json& record) {
  using Kind = DataStatus::Kind;
  if (text == "draft") return {.kind = Kind::Draft};
  if (text == "published") return {.kind = Kind::Published};
  constexpr std::string_view kPublishing = "publishing ", kTransferring = "transferring to ",
                             kFailed = "failed: ", kGrants = "grants: ", kRetry = " (retry in ";
  if (starts_with(text, kTransferring)) return {.kind = Kind::Transferring, .to = text.substr(kTransferring.size())};
  if (starts_with(text, kPublishing)) {  // "publishing STEP N%"
    const std::string rest = text.substr(kPublishing.size());
    const std::size_t space = rest.rfind(' ');
    DataStatus s{.kind = Kind::Publishing, .step = rest.substr(0, space)};
    if (space != std::string::npos) s.percent = std::atoi(rest.c_str() + space + 1);
    return s;
  }
  if (starts_with(text, kFailed)) {
    if (record.contains("failure")) return {.kind = Kind::Failed, .failure = failure_of(record.at("failure"))};
    // "failed: [grants: ]MESSAGE (retry in Ns)": only the grants' failures named their step.
    std::string message = text.substr(kFailed.size());
    PublishFailure f;
    if (starts_with(message, kGrants)) {
      f.step = "grants";
      message.erase(0, kGrants.size());
    }
    if (const std::size_t retry = message.rfind(kRetry);
        retry != std::string::npos && message.size() > retry + kRetry.size() + 1 && message.back() == ')') {
      f.retry_in = std::atoll(message.c_str() + retry + kRetry.size());
      message.erase(retry);
    }
    f.message = message;
    return {.kind = Kind::Failed, .failure = f};
  }
  return {.kind = Kind::Pending};  // "pending", or a text this build does not know: published again
}

}  // namespace

std::string render_status(const DataStatus& s) {
  switch (s.kind) {
    case DataStatus::Kind::Draft:
      return "draft";
    case DataStatus::Kind::Pending:
      return "pending";
    case DataStatus::Kind::Publishing:
      return "publishing " + s.step + " " + std::to_string(s.percent) + "%";
    case DataStatus::Kind::Published:
      return "published";
    case DataStatus::Kind::Failed:
      // Only the orders' failures name their step: the version itself is what "failed" alone refers to.
      return "failed: " + std::string(s.failure.step == "grants" ? "grants: " : "") + s.failure.message +
             " (retry in " + std::to_string(s.failure.retry_in) + "s)";
    case DataStatus::Kind::Transferring:
      return "transferring to " + s.to;
  }
  return "pending";
}

bool content_not_fetched(const DataInfo& info) {
  return info.status.kind == DataStatus::Kind::Failed && info.status.failure.step == kFetchStep;
}

bool shows_registered_version(const DataInfo& info) {
  return info.status.kind == DataStatus::Kind::Published || content_not_fetched(info);
}

void apply_version(DataInfo& info, const PublishedVersion& v) {
  info.status = {.kind = DataStatus::Kind::Published};
  info.address = v.address;
  info.owner = v.owner;
  info.schema = v.schema;
  info.multiaddr = v.multiaddr;
  info.checksum = v.checksum;
  info.tx = v.tx;
  info.created = v.created;
}

std::string encode_data_info(const DataInfo& i) {
  json grants = json::array(), orders = json::array();
  for (const Grant& g : i.grants) {
    json j = subject_json(g.subject);
    j["price"] = g.terms.price;
    j["count"] = g.terms.count;
    j["order"] = g.order;
    grants.push_back(j);
  }
  for (const IssuedOrder& o : i.orders) {
    json j = subject_json(o.subject);
    j.update({{"hash", o.hash},
              {"dataset", o.dataset},
              {"price", o.terms.price},
              {"count", o.terms.count},
              {"signed", o.signed_order},
              {"state", state_name(o.state)},
              {"uses", o.uses},
              {"remaining", o.remaining}});
    orders.push_back(j);
  }
  json out{{"state", status_json(i.status)},
           {"address", i.address},
           {"owner", i.owner},
           {"schema", i.schema},
           {"multiaddr", i.multiaddr},
           {"checksum", i.checksum},
           {"tx", i.tx},
           {"created", i.created},
           {"versions", versions_json(i.versions)},
           {"grants", grants},
           {"orders", orders},
           {"transfer_to", i.transfer_to},
           {"published_fingerprint", i.published_fingerprint}};
  return out.dump();
}

std::string EncodedDataInfo::encode(const DataInfo& info) const {
  if (const auto last = last_.load(); last && last->info == info) return last->text;
  auto encoded = std::make_shared<const Encoded>(Encoded{info, encode_data_info(info)});
  last_.store(encoded);
  return encoded->text;
}

DataInfo decode_data_info(std::string_view text) {
  const auto j = json::parse(text);
  DataInfo i;
  i.status = j.contains("state") ? status_of(j.at("state")) : status_of_text(j.value("status", "pending"), j);
  i.address = j.value("address", "");
  i.owner = j.value("owner", "");
  i.schema = j.value("schema", "");
  i.multiaddr = j.value("multiaddr", "");
  i.checksum = j.value("checksum", "");
  i.tx = j.value("tx", "");
  i.created = j.value("created", "");
  if (j.contains("versions")) i.versions = versions_of(j.at("versions"));
  i.transfer_to = j.value("transfer_to", "");
  i.published_fingerprint = j.value("published_fingerprint", "");
  for (const auto& g : j.value("grants", json::array()))
    i.grants.push_back(
        {subject_of(g), {g.at("price").get<uint64_t>(), g.at("count").get<uint64_t>()}, g.value("order", "")});
  for (const auto& o : j.value("orders", json::array())) {
    IssuedOrder order;
    order.hash = o.at("hash");
    order.dataset = o.at("dataset");
    order.subject = subject_of(o);
    order.terms = {o.at("price").get<uint64_t>(), o.at("count").get<uint64_t>()};
    order.signed_order = o.value("signed", "");
    order.state = state_of(o.value("state", "closed"));
    order.uses = o.value("uses", uint64_t{0});
    order.remaining = o.value("remaining", uint64_t{0});
    i.orders.push_back(std::move(order));
  }
  return i;
}

std::optional<std::string> data_attribute(const DataInfo& i, std::string_view field) {
  if (field == "address") return i.address;
  if (field == "owner") return i.owner;
  if (field == "schema") return i.schema;
  if (field == "status") return render_status(i.status);
  if (field == "multiaddr") return i.multiaddr;
  if (field == "checksum") return i.checksum;
  if (field == "tx") return i.tx;
  if (field == "created") return i.created;
  if (field == "versions") return versions_json(i.versions).dump();
  if (field == "grants") return grants_json(i).dump();
  if (field == "usage") return usage_json(i).dump();
  constexpr std::string_view kGrant = "grant.";
  if (field.substr(0, kGrant.size()) == kGrant) {
    GrantSubject subject;
    try {
      subject = parse_grant_subject(field.substr(kGrant.size()));
    } catch (const Error&) {
      return std::nullopt;
    }
    for (const Grant& g : i.grants)
      if (g.subject == subject) return format_grant_terms(g.terms, remaining_of(i, g));
  }
  return std::nullopt;
}

std::vector<std::string> data_attribute_names(const DataInfo& i) {
  std::vector<std::string> names;
  for (const char* f : {"address", "owner", "schema", "status", "multiaddr", "checksum", "tx", "created", "versions",
                        "grants", "usage"})
    names.push_back(std::string("user.protected.") + f);
  for (const Grant& g : i.grants) names.push_back(g.subject.attribute_name());
  return names;
}

Grant* find_grant(DataInfo& info, const GrantSubject& subject) {
  for (Grant& g : info.grants)
    if (g.subject == subject) return &g;
  return nullptr;
}

const IssuedOrder* current_order(const DataInfo& info, const Grant& grant) {
  if (grant.order.empty()) return nullptr;
  for (const IssuedOrder& o : info.orders)
    if (o.hash == grant.order) return &o;
  return nullptr;
}

}  // namespace pfs::core
