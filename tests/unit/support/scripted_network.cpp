#include "support/scripted_network.hpp"

#include <algorithm>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/format/cid.hpp"

namespace pfs::test {

// ---------------------------------------------------------------------------------------------------- the script

void FaultScript::fail(const std::string& op, int call, int error) {
  std::lock_guard l(mutex_);
  faults_[op].push_back({.from = call, .error = error});
}
void FaultScript::fail_from(const std::string& op, int call, int error) {
  std::lock_guard l(mutex_);
  faults_[op].push_back({.from = call, .until_recovered = true, .error = error});
}
void FaultScript::recover(const std::string& op) {
  std::lock_guard l(mutex_);
  std::erase_if(faults_[op], [](const Fault& f) { return f.until_recovered; });
}
void FaultScript::crash(const std::string& op, int call, When when) {
  std::lock_guard l(mutex_);
  faults_[op].push_back({.from = call, .crash = true, .when = when});
}
void FaultScript::hang(const std::string& op, int call) {
  std::lock_guard l(mutex_);
  released_ops_[op] = false;
  faults_[op].push_back({.from = call, .hang = true});
}
void FaultScript::release(const std::string& op) {
  {
    std::lock_guard l(mutex_);
    released_ops_[op] = true;
  }
  released_.notify_all();
}
void FaultScript::then(const std::string& op, int call, std::function<void()> action) {
  std::lock_guard l(mutex_);
  actions_[op][call] = std::move(action);
}
void FaultScript::reset() {
  std::lock_guard l(mutex_);
  calls_.clear();
  faults_.clear();
  actions_.clear();
  log_.clear();
  current_.clear();
}
int FaultScript::calls(const std::string& op) {
  std::lock_guard l(mutex_);
  return calls_[op];
}
std::vector<std::string> FaultScript::log() {
  std::lock_guard l(mutex_);
  return log_;
}
bool FaultScript::hanging() {
  std::lock_guard l(mutex_);
  return hanging_ > 0;
}

void FaultScript::before(const std::string& op) {
  std::unique_lock l(mutex_);
  const int n = ++calls_[op];
  current_[op] = n;
  log_.push_back(op + "#" + std::to_string(n));
  for (const Fault& f : faults_[op]) {
    const bool hit = f.until_recovered ? n >= f.from : n == f.from;
    if (!hit) continue;
    if (f.hang) {
      ++hanging_;
      released_.wait(l, [&] { return released_ops_[op]; });
      --hanging_;
    } else if (f.crash && f.when == When::Before) {
      throw ScriptedCrash{op};
    } else if (!f.crash) {
      throw Error(f.error, "scripted fault: " + op + " call " + std::to_string(n) + " fails");
    }
  }
}

void FaultScript::after(const std::string& op) {
  std::function<void()> action;
  {
    std::lock_guard l(mutex_);
    const int n = current_[op];
    for (const Fault& f : faults_[op])
      if (f.crash && f.when == When::After && n == f.from) throw ScriptedCrash{op};
    if (auto it = actions_[op].find(n); it != actions_[op].end()) {
      action = std::move(it->second);
      actions_[op].erase(it);
    }
  }
  // Outside the lock: the action calls the network (and so this script) itself.
  if (action) action();
}

namespace {

// ---------------------------------------------------------------------------------------------------- the ledger

using network::DatasetRecord;
using network::OrderState;
using network::Registration;
using network::SignedOrder;

crypto::Eip712Domain scripted_domain() {
  return crypto::poco_domain(crypto::Uint256(uint64_t{65535}),
                             crypto::Address::parse("0x" + std::string(38, '0') + "ab"));
}

// What the network holds: shared by its interfaces, one lock.
struct Ledger {
  std::mutex mutex;
  std::map<std::string, Bytes> content;               // by CID
  std::map<crypto::Address, DatasetRecord> datasets;  // by address
  std::vector<crypto::Address> registered;            // in order
  std::map<crypto::Address, std::string> secrets;
  struct Order {
    SignedOrder order;
    bool closed = false;
    uint64_t uses = 0;
    crypto::Address signer;
  };
  std::vector<Order> orders;
  uint64_t clock = 1'800'000'000;

  bool open(const Order& o) {
    auto d = datasets.find(o.order.order.dataset);
    return !o.closed && d != datasets.end() && d->second.owner == o.signer && o.uses < o.order.order.volume.to_uint64();
  }
  static OrderState state(const Order& o) {
    OrderState s{o.order, o.closed ? o.order.order.volume.to_uint64() : o.uses, o.closed, o.uses};
    return s;
  }
};

// The registry's address is deterministic (CREATE2 on the chain): the same registration lands at the same place.
crypto::Address address_of(const crypto::Address& owner, const Registration& r) {
  Bytes seed(owner.bytes().begin(), owner.bytes().end());
  seed.insert(seed.end(), r.name.begin(), r.name.end());
  seed.insert(seed.end(), r.multiaddr.begin(), r.multiaddr.end());
  seed.insert(seed.end(), r.checksum.begin(), r.checksum.end());
  const Hash32 h = crypto::keccak256(seed);
  std::array<uint8_t, 20> a{};
  std::copy(h.begin() + 12, h.end(), a.begin());
  return crypto::Address(a);
}

class Scripted {
 public:
  // Every part of one network shares its ledger (held here, not by a subclass of network::Network, which has no
  // virtual destructor).
  Scripted(FaultScript& script, std::shared_ptr<Ledger> ledger)
      : script_(script), ledger_holder_(std::move(ledger)), ledger_(*ledger_holder_) {}

 protected:
  // Runs `body` as operation `op`: the script's faults before, its crash after.
  template <class F>
  auto call(const std::string& op, F&& body) {
    script_.before(op);
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      script_.after(op);
    } else {
      auto result = body();
      script_.after(op);
      return result;
    }
  }
  FaultScript& script_;
  std::shared_ptr<Ledger> ledger_holder_;
  Ledger& ledger_;
};

class ScriptedStore final : public network::ContentStore, Scripted {
 public:
  using Scripted::Scripted;
  class ScriptedUpload final : public Upload {
   public:
    explicit ScriptedUpload(ScriptedStore& store) : store_(store) {}
    void write(ByteView data) override { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
    std::string commit() override {
      return store_.call("storage.upload", [&] {
        const std::string cid = format::CidBuilder::of(bytes_).cid;
        std::lock_guard l(store_.ledger_.mutex);
        store_.ledger_.content[cid] = bytes_;
        return cid;
      });
    }

   private:
    ScriptedStore& store_;
    Bytes bytes_;
  };
  std::unique_ptr<Upload> begin_upload() override { return std::make_unique<ScriptedUpload>(*this); }
  bool has(const std::string& cid) override {
    return call("storage.has", [&] {
      std::lock_guard l(ledger_.mutex);
      return ledger_.content.count(cid) > 0;
    });
  }
  std::shared_ptr<const RandomAccessSource> open(const std::string& cid) override {
    return call("storage.open", [&]() -> std::shared_ptr<const RandomAccessSource> {
      std::lock_guard l(ledger_.mutex);
      auto it = ledger_.content.find(cid);
      if (it == ledger_.content.end()) throw Error(ENOENT, "no content " + cid);
      return std::make_shared<MemorySource>(it->second);
    });
  }
  void remove(const std::string& cid) override {
    call("storage.remove", [&] {
      std::lock_guard l(ledger_.mutex);
      ledger_.content.erase(cid);
    });
  }
  std::vector<std::string> held() {
    std::lock_guard l(ledger_.mutex);
    std::vector<std::string> out;
    for (const auto& [cid, bytes] : ledger_.content) out.push_back(cid);
    return out;
  }
};

class ScriptedRegistry final : public network::Registry, Scripted {
 public:
  using Scripted::Scripted;
  DatasetRecord register_dataset(const crypto::PrivateKey& owner, const Registration& r) override {
    return call("registry.register", [&] {
      std::lock_guard l(ledger_.mutex);
      const crypto::Address address = address_of(owner.address(), r);
      if (ledger_.datasets.count(address)) throw Error(EEXIST, "dataset " + address.to_string() + " exists");
      DatasetRecord record{address, owner.address(), r.name, r.multiaddr, r.checksum, r.schema, ++ledger_.clock, ""};
      const Hash32 tx = crypto::keccak256(as_bytes("tx" + address.to_string()));
      record.tx = to_hex0x(tx);
      ledger_.datasets[address] = record;
      ledger_.registered.push_back(address);
      return record;
    });
  }
  std::optional<DatasetRecord> find(const crypto::Address& dataset) override {
    return call("registry.find", [&]() -> std::optional<DatasetRecord> {
      std::lock_guard l(ledger_.mutex);
      auto it = ledger_.datasets.find(dataset);
      if (it == ledger_.datasets.end()) return std::nullopt;
      return it->second;
    });
  }
  std::optional<DatasetRecord> find_registration(const crypto::Address& owner, const Registration& r) override {
    return call("registry.find_registration", [&]() -> std::optional<DatasetRecord> {
      std::lock_guard l(ledger_.mutex);
      auto it = ledger_.datasets.find(address_of(owner, r));
      if (it == ledger_.datasets.end()) return std::nullopt;
      return it->second;
    });
  }
  // Computed, as the chain's CREATE2 address is: no operation of the network, nothing to script.
  crypto::Address predicted_address(const crypto::Address& owner, const Registration& r) override {
    return address_of(owner, r);
  }
  std::vector<DatasetRecord> list_by_owner(const crypto::Address& owner) override {
    return call("registry.list_by_owner", [&] {
      std::lock_guard l(ledger_.mutex);
      std::vector<DatasetRecord> out;
      for (const auto& a : ledger_.registered)
        if (ledger_.datasets.at(a).owner == owner) out.push_back(ledger_.datasets.at(a));
      return out;
    });
  }
  std::vector<DatasetRecord> find_by_schema(const std::vector<std::string>&,
                                            const std::optional<crypto::Address>&) override {
    throw Error(ENOTSUP, "the scripted network has no schema search");
  }
  void transfer(const crypto::PrivateKey& owner, const crypto::Address& dataset,
                const crypto::Address& new_owner) override {
    call("registry.transfer", [&] {
      std::lock_guard l(ledger_.mutex);
      auto it = ledger_.datasets.find(dataset);
      if (it == ledger_.datasets.end()) throw Error(ENOENT, "no dataset " + dataset.to_string());
      if (it->second.owner != owner.address()) throw Error(EACCES, "not the owner of " + dataset.to_string());
      if (new_owner.is_zero()) throw Error(EINVAL, "the zero address");
      it->second.owner = new_owner;
    });
  }
};

class ScriptedSecrets final : public network::SecretStore, Scripted {
 public:
  using Scripted::Scripted;
  void push(const crypto::PrivateKey& owner, const crypto::Address& dataset, const std::string& secret) override {
    call("secrets.push", [&] {
      std::lock_guard l(ledger_.mutex);
      auto it = ledger_.datasets.find(dataset);
      if (it == ledger_.datasets.end() || it->second.owner != owner.address())
        throw Error(EACCES, "not the owner of " + dataset.to_string());
      if (ledger_.secrets.count(dataset)) throw Error(EEXIST, "a secret exists for " + dataset.to_string());
      ledger_.secrets[dataset] = secret;
    });
  }
  bool exists(const crypto::Address& dataset) override {
    return call("secrets.exists", [&] {
      std::lock_guard l(ledger_.mutex);
      return ledger_.secrets.count(dataset) > 0;
    });
  }
};

class ScriptedGrants final : public network::GrantBook, Scripted {
 public:
  using Scripted::Scripted;
  crypto::Eip712Domain domain() override { return scripted_domain(); }
  void publish(const crypto::PrivateKey& owner, const SignedOrder& o) override {
    call("grants.publish", [&] {
      std::lock_guard l(ledger_.mutex);
      if (o.order.hash(scripted_domain()) != o.hash) throw Error(EINVAL, "order hash mismatch");
      auto d = ledger_.datasets.find(o.order.dataset);
      if (d == ledger_.datasets.end()) throw Error(ENOENT, "no dataset " + o.order.dataset.to_string());
      if (d->second.owner != owner.address()) throw Error(EACCES, "not the owner");
      for (auto& known : ledger_.orders) {
        if (known.order.hash == o.hash)
          throw Error(EEXIST, "order " + to_hex0x(o.hash) + " is already " + (known.closed ? "closed" : "published"));
        const auto& k = known.order.order;
        if (ledger_.open(known) && k.dataset == o.order.dataset && k.apprestrict == o.order.apprestrict &&
            k.requesterrestrict == o.order.requesterrestrict)
          throw Error(EEXIST, "an open grant already exists for this dataset, app and requester");
      }
      ledger_.orders.push_back({o, false, 0, owner.address()});
    });
  }
  std::vector<OrderState> open_orders(const crypto::Address& dataset) override {
    return call("grants.open_orders", [&] {
      std::lock_guard l(ledger_.mutex);
      std::vector<OrderState> out;
      for (const auto& o : ledger_.orders)
        if (o.order.order.dataset == dataset && ledger_.open(o)) out.push_back(Ledger::state(o));
      return out;
    });
  }
  std::optional<OrderState> order(const Hash32& hash) override {
    return call("grants.order", [&]() -> std::optional<OrderState> {
      std::lock_guard l(ledger_.mutex);
      for (const auto& o : ledger_.orders)
        if (o.order.hash == hash) return Ledger::state(o);
      return std::nullopt;
    });
  }
  std::vector<OrderState> orders(const crypto::Address& dataset) override {
    return call("grants.orders", [&] {
      std::lock_guard l(ledger_.mutex);
      std::vector<OrderState> out;
      for (const auto& o : ledger_.orders)
        if (o.order.order.dataset == dataset) out.push_back(Ledger::state(o));
      return out;
    });
  }
  void revoke(const crypto::PrivateKey& owner, const SignedOrder& o) override {
    call("grants.revoke", [&] {
      std::lock_guard l(ledger_.mutex);
      if (o.order.hash(scripted_domain()) != o.hash) throw Error(EINVAL, "order hash mismatch");
      auto d = ledger_.datasets.find(o.order.dataset);
      if (d == ledger_.datasets.end()) throw Error(ENOENT, "no dataset");
      if (d->second.owner != owner.address()) throw Error(EACCES, "not the owner");
      for (auto& known : ledger_.orders)
        if (known.order.hash == o.hash) {
          known.closed = true;
          return;
        }
      ledger_.orders.push_back({o, true, 0, owner.address()});  // closed without being published, as the hub does
    });
  }
};

class ScriptedCompute final : public network::Compute {
 public:
  network::AppRecord register_app(const crypto::PrivateKey&, const std::filesystem::path&,
                                  const std::string&) override {
    throw Error(ENOTSUP, "the scripted network runs no apps");
  }
  std::optional<network::AppRecord> find_app(const crypto::Address&) override { return std::nullopt; }
  uint64_t balance(const crypto::Address&) override { return 0; }
  void fund(const crypto::Address&, uint64_t) override { throw Error(ENOTSUP, "no faucet"); }
  network::RunResult run(const crypto::PrivateKey&, const network::RunRequest&) override {
    throw Error(ENOTSUP, "the scripted network runs no apps");
  }
};

}  // namespace

std::unique_ptr<network::Network> make_scripted_network(FaultScript& script) {
  auto net = std::make_unique<network::Network>();
  const auto ledger = std::make_shared<Ledger>();
  net->name = "scripted";
  net->chain_id = 65535;
  net->storage = std::make_unique<ScriptedStore>(script, ledger);
  net->registry = std::make_unique<ScriptedRegistry>(script, ledger);
  net->secrets = std::make_unique<ScriptedSecrets>(script, ledger);
  net->grants = std::make_unique<ScriptedGrants>(script, ledger);
  net->compute = std::make_unique<ScriptedCompute>();
  return net;
}

std::vector<std::string> held_content(network::Network& network) {
  auto* store = dynamic_cast<ScriptedStore*>(network.storage.get());
  if (!store) throw Error(EINVAL, "not a scripted network");
  return store->held();
}

}  // namespace pfs::test
