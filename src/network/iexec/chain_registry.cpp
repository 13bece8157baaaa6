#include "network/iexec/chain_registry.hpp"

#include <algorithm>
#include <set>

#include "network/iexec/contracts.hpp"
#include "protectedfs/crypto/abi.hpp"
#include "protectedfs/format/schema.hpp"

namespace pfs::network::iexec {
namespace {

namespace abi = crypto::abi;

constexpr std::size_t kTopicsPerQuery = 100;  // datasets per eth_getLogs (an OR of topic1 values)

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

bool has_all(const std::string& schema, const std::vector<std::string>& required) {
  std::vector<std::string> entries;
  try {
    entries = format::Schema::parse(schema).searchable();
  } catch (const Error&) {
    return false;  // the chain accepts any schema text; one that does not parse matches no search
  }
  const std::set<std::string> have(entries.begin(), entries.end());
  return std::all_of(required.begin(), required.end(), [&](const std::string& r) { return have.contains(r); });
}

}  // namespace

crypto::Address ChainRegistry::predicted_address(const crypto::Address& owner, const Registration& registration) {
  return contracts::predict_dataset(context_->dataset_registry(), context_->proxy_code_hash(), owner, registration);
}

std::map<crypto::Address, ChainRegistry::SchemaLog> ChainRegistry::logs_to_schema(const std::vector<LogEntry>& logs) {
  std::map<crypto::Address, SchemaLog> out;
  std::set<uint64_t> blocks;
  for (const auto& log : logs) {
    if (log.topics.size() != 2 || log.topics[0] != contracts::dataset_schema_topic()) continue;
    crypto::Address dataset;
    SchemaLog entry;
    try {
      dataset = abi::address_from_word(log.topics[1]);
      entry.schema = abi::decode_string(log.data);
    } catch (const Error&) {
      continue;  // not a DatasetSchema log as the DataProtector emits it
    }
    entry.block = log.block_number;
    entry.log_index = log.log_index;
    entry.tx = log.transaction_hash;
    if (out.emplace(dataset, entry).second) blocks.insert(log.block_number);
  }
  const auto times = context_->chain().block_timestamps(blocks);
  for (auto& [dataset, entry] : out) entry.created = times.at(entry.block);
  return out;
}

std::map<crypto::Address, ChainRegistry::SchemaLog> ChainRegistry::schema_logs(
    const std::vector<crypto::Address>& datasets) {
  std::vector<LogEntry> logs;
  for (std::size_t start = 0; start < datasets.size(); start += kTopicsPerQuery) {
    LogFilter filter;
    filter.addresses = {context_->profile().dataprotector};
    filter.topics = {{contracts::dataset_schema_topic()}, {}};
    for (std::size_t i = start; i < std::min(datasets.size(), start + kTopicsPerQuery); ++i)
      filter.topics[1].push_back(datasets[i].to_word());
    auto found = context_->chain().logs_since_start(filter);
    logs.insert(logs.end(), found.begin(), found.end());
  }
  return logs_to_schema(logs);
}

std::map<crypto::Address, ChainRegistry::Facts> ChainRegistry::facts(const std::vector<crypto::Address>& datasets) {
  std::map<crypto::Address, Facts> out;
  std::vector<crypto::Address> missing;
  {
    MutexLock lock(mutex_);
    for (const auto& d : datasets) {
      if (auto it = cache_.find(d); it != cache_.end()) {
        out.emplace(d, it->second);
      } else if (std::find(missing.begin(), missing.end(), d) == missing.end()) {
        missing.push_back(d);
      }
    }
  }
  if (missing.empty()) return out;

  std::vector<CallRequest> calls;
  for (const auto& d : missing) {
    calls.push_back({d, contracts::dataset_name()});
    calls.push_back({d, contracts::dataset_multiaddr()});
    calls.push_back({d, contracts::dataset_checksum()});
  }
  const auto answers = context_->chain().call_batch(calls);
  std::vector<crypto::Address> known;
  std::map<crypto::Address, Facts> fetched;
  for (std::size_t i = 0; i < missing.size(); ++i) {
    Facts f;
    try {
      f.name = abi::decode_string(answers[3 * i].value());
      f.multiaddr = abi::decode_bytes(answers[3 * i + 1].value());
      f.checksum = abi::decode_bytes32(answers[3 * i + 2].value());
    } catch (const RpcError& e) {
      if (e.code() == EAGAIN) throw;
      continue;  // reverted: not a dataset
    } catch (const Error& e) {
      if (e.code() != EINVAL) throw;
      continue;  // no code there (an empty answer): not a dataset
    }
    fetched.emplace(missing[i], std::move(f));
    known.push_back(missing[i]);
  }
  const auto logs = schema_logs(known);
  MutexLock lock(mutex_);
  for (auto& [d, f] : fetched) {
    if (auto it = logs.find(d); it != logs.end()) {
      f.schema_log = it->second;
      cache_.insert_or_assign(d, f);  // only complete facts are cached: a log may still be on its way
    }
    out.insert_or_assign(d, std::move(f));
  }
  return out;
}

std::map<crypto::Address, crypto::Address> ChainRegistry::owners(const std::vector<crypto::Address>& datasets) {
  const crypto::Address registry = context_->dataset_registry();
  std::vector<CallRequest> calls;
  for (const auto& d : datasets) calls.push_back({registry, contracts::owner_of(d)});
  const auto answers = context_->chain().call_batch(calls);
  std::map<crypto::Address, crypto::Address> out;
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    if (answers[i].error) {
      if (answers[i].error->code() == EAGAIN) throw *answers[i].error;
      continue;  // ownerOf reverts for a token that does not exist
    }
    try {
      out.emplace(datasets[i], abi::decode_address(answers[i].data));
    } catch (const Error&) {
      continue;
    }
  }
  return out;
}

std::vector<DatasetRecord> ChainRegistry::records(const std::vector<crypto::Address>& datasets,
                                                  const std::map<crypto::Address, crypto::Address>& owner_of) {
  const auto known = facts(datasets);
  std::vector<std::pair<const SchemaLog*, DatasetRecord>> items;
  for (const auto& d : datasets) {
    auto f = known.find(d);
    auto o = owner_of.find(d);
    if (f == known.end() || o == owner_of.end() || !f->second.schema_log) continue;
    const SchemaLog& log = *f->second.schema_log;
    DatasetRecord r{d,          o->second,   f->second.name,  f->second.multiaddr, f->second.checksum,
                    log.schema, log.created, to_hex0x(log.tx)};
    items.emplace_back(&log, std::move(r));
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.first->block != b.first->block ? a.first->block < b.first->block : a.first->log_index < b.first->log_index;
  });
  std::vector<DatasetRecord> out;
  for (auto& item : items) out.push_back(std::move(item.second));
  return out;
}

std::optional<DatasetRecord> ChainRegistry::find(const crypto::Address& dataset) {
  const auto owner = owners({dataset});
  if (owner.empty()) return std::nullopt;
  const auto known = facts({dataset});
  auto f = known.find(dataset);
  if (f == known.end()) return std::nullopt;
  DatasetRecord r{dataset, owner.begin()->second, f->second.name, f->second.multiaddr, f->second.checksum, "", 0, ""};
  if (f->second.schema_log) {
    r.schema = f->second.schema_log->schema;
    r.created = f->second.schema_log->created;
    r.tx = to_hex0x(f->second.schema_log->tx);
  }
  return r;
}

std::optional<DatasetRecord> ChainRegistry::find_registration(const crypto::Address& owner,
                                                              const Registration& registration) {
  auto record = find(predicted_address(owner, registration));
  if (!record || record->owner != owner || record->name != registration.name ||
      record->multiaddr != registration.multiaddr || record->checksum != registration.checksum ||
      record->schema != registration.schema)
    return std::nullopt;
  // Landed: an earlier send of it whose answer was lost is settled (registering it again is now EEXIST).
  context_->sender().forget(owner, context_->profile().dataprotector,
                            contracts::create_dataset_with_schema(owner, registration));
  return record;
}

DatasetRecord ChainRegistry::register_dataset(const crypto::PrivateKey& owner, const Registration& registration) {
  const crypto::Address owner_address = owner.address();
  const crypto::Address predicted = predicted_address(owner_address, registration);
  const Bytes call = contracts::create_dataset_with_schema(owner_address, registration);
  // Our own earlier send of this registration, still unsettled (its answer was lost, or it is not mined yet), is
  // waited for: it is this registration, not another one.
  if (!context_->sender().in_flight(owner_address, context_->profile().dataprotector, call) &&
      !owners({predicted}).empty())
    throw Error(EEXIST, "this registration already exists: dataset " + predicted.to_string());

  Receipt receipt;
  try {
    receipt = context_->sender().send(owner, context_->profile().dataprotector, call);
  } catch (const RpcError& e) {
    if (!e.is_revert()) throw;
    const std::string reason = lower(e.reason());
    if (reason.find("create2") != std::string::npos || reason.find("failed on deploy") != std::string::npos)
      throw Error(EEXIST, "this registration already exists: dataset " + predicted.to_string());
    throw Error(EIO, std::string("createDatasetWithSchema reverted: ") + e.reason());
  }

  std::vector<LogEntry> mine;
  for (const auto& log : receipt.logs)
    if (log.address == context_->profile().dataprotector) mine.push_back(log);
  const auto logs = logs_to_schema(mine);
  if (logs.empty())
    throw Error(EIO, "transaction " + to_hex0x(receipt.transaction_hash) + " emitted no DatasetSchema log: is " +
                         context_->profile().dataprotector.to_string() + " the DataProtector?");
  const auto& [dataset, log] = *logs.begin();
  Facts f{registration.name, registration.multiaddr, registration.checksum, log};
  {
    MutexLock lock(mutex_);
    cache_.insert_or_assign(dataset, f);
  }
  return DatasetRecord{dataset,    owner_address, registration.name, registration.multiaddr, registration.checksum,
                       log.schema, log.created,   to_hex0x(log.tx)};
}

std::vector<DatasetRecord> ChainRegistry::list_by_owner(const crypto::Address& owner) {
  const crypto::Address registry = context_->dataset_registry();
  const uint64_t count =
      abi::decode_uint256(context_->chain().call(registry, contracts::balance_of(owner))).to_uint64();
  std::vector<CallRequest> calls;
  for (uint64_t i = 0; i < count; ++i) calls.push_back({registry, contracts::token_of_owner_by_index(owner, i)});
  const auto answers = context_->chain().call_batch(calls);
  std::vector<crypto::Address> datasets;
  std::map<crypto::Address, crypto::Address> owner_of;
  for (const auto& answer : answers) {
    if (answer.error) {
      if (answer.error->code() == EAGAIN) throw *answer.error;
      continue;  // a transfer between balanceOf and this index
    }
    // Token ids are the dataset addresses (uint256(uint160(address))).
    const crypto::Address dataset = abi::address_from_word(abi::decode_bytes32(answer.data));
    datasets.push_back(dataset);
    owner_of.emplace(dataset, owner);
  }
  return records(datasets, owner_of);
}

std::vector<DatasetRecord> ChainRegistry::find_by_schema(const std::vector<std::string>& required,
                                                         const std::optional<crypto::Address>& owner) {
  if (owner) {
    std::vector<DatasetRecord> out;
    for (auto& r : list_by_owner(*owner))
      if (has_all(r.schema, required)) out.push_back(std::move(r));
    return out;
  }
  LogFilter filter;
  filter.addresses = {context_->profile().dataprotector};
  filter.topics = {{contracts::dataset_schema_topic()}};
  std::vector<LogEntry> matching;
  for (const auto& log : context_->chain().logs_since_start(filter)) {
    try {
      if (log.topics.size() == 2 && has_all(abi::decode_string(log.data), required)) matching.push_back(log);
    } catch (const Error&) {
      // a malformed log matches nothing
    }
  }
  const auto logs = logs_to_schema(matching);
  std::vector<crypto::Address> datasets;
  for (const auto& [dataset, log] : logs) datasets.push_back(dataset);
  return records(datasets, owners(datasets));
}

void ChainRegistry::transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                             const crypto::Address& new_owner) {
  if (new_owner.is_zero()) throw Error(EINVAL, "cannot give a dataset to the zero address");
  const auto current = owners({dataset});
  if (current.empty()) throw Error(ENOENT, "no dataset " + dataset.to_string());
  if (current.begin()->second != owner.address())
    throw Error(EACCES, owner.address().to_string() + " does not own dataset " + dataset.to_string());
  try {
    context_->sender().send(owner, context_->dataset_registry(),
                            contracts::safe_transfer_from(owner.address(), new_owner, dataset));
  } catch (const RpcError& e) {
    if (!e.is_revert()) throw;
    const std::string reason = lower(e.reason());
    if (reason.find("not owner") != std::string::npos) throw Error(EACCES, "transfer refused: " + e.reason());
    if (reason.find("non erc721receiver") != std::string::npos)
      throw Error(EINVAL, "transfer refused: " + new_owner.to_string() + " is a contract that cannot hold datasets");
    throw Error(EIO, "safeTransferFrom reverted: " + e.reason());
  }
}

}  // namespace pfs::network::iexec
