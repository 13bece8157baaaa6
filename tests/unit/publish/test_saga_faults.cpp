// Every step of every publish saga × every fault, over the scripted network (issue 9): for each network call that a
// fault-free run of the scenario makes ("op#n"), a run where that call fails once with EIO and then recovers, one
// where the daemon dies before the call, and one where it dies after the call took effect (its answer lost). Each
// run goes on to quiescence (restarting the daemon after a crash) and must end as the fault-free run does: one
// registration per version, its key pushed and kept, every grant open once on the newest version only, nothing
// journaled, the bytes as written, status `published` (or the folder gone, for rmdir and transfer).
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "publish/saga_world.hpp"

using namespace pfs;
using namespace std::chrono_literals;
using test::FaultScript;
using test::SagaWorld;

namespace {

const std::string kApp1 = "0x00000000000000000000000000000000000a9901";
const std::string kApp2 = "0x00000000000000000000000000000000000a9902";
const std::string kUser = "0x00000000000000000000000000000000000b0b02";
const std::string kGrant1 = "user.protected.grant.any." + kApp1;
const std::string kGrant2 = "user.protected.grant." + kUser + "." + kApp2;
const std::string kNewOwner = "0x00000000000000000000000000000000000c0c03";

enum class Saga {
  NewData,
  NewVersionWithGrants,
  RevokeOne,
  RevokeAll,
  ReplaceGrant,
  Transfer,
  RmdirWithGrants,
  ChangedBeforeRegistered,  // a version uploaded, its registration refused, then other content: the upload let go
  RmdirBeforeRegistered,    // the same, then rmdir: the upload let go
  RmdirBeforeKeyPushed,     // a version registered, its key refused, then rmdir: the key pushed all the same
};
enum class Fault { ErrorThenRecovery, CrashBefore, CrashAfter };

const char* saga_name(Saga s) {
  switch (s) {
    case Saga::NewData:
      return "new data";
    case Saga::NewVersionWithGrants:
      return "new version with open grants";
    case Saga::RevokeOne:
      return "revoke one";
    case Saga::RevokeAll:
      return "revoke all";
    case Saga::ReplaceGrant:
      return "replace a grant";
    case Saga::Transfer:
      return "transfer";
    case Saga::RmdirWithGrants:
      return "rmdir with grants";
    case Saga::ChangedBeforeRegistered:
      return "content changed before its registration";
    case Saga::RmdirBeforeRegistered:
      return "rmdir before the registration";
    case Saga::RmdirBeforeKeyPushed:
      return "rmdir before the key is pushed";
  }
  return "?";
}
const char* fault_name(Fault f) {
  switch (f) {
    case Fault::ErrorThenRecovery:
      return "error then recovery";
    case Fault::CrashBefore:
      return "crash before";
    case Fault::CrashAfter:
      return "crash after";
  }
  return "?";
}

// What a scenario must end with.
struct Expected {
  bool folder = true;
  std::size_t versions = 1;  // registrations of the wallet (or of the new owner)
  // An rmdir racing a publish: a fault that stops the publish earlier than the act meant leaves fewer versions (each
  // one whole, with its key); the fault-free run must reach `versions`.
  std::size_t fewest_versions = 0;  // 0: exactly `versions`
  std::set<std::string> refused;    // calls the act itself makes fail ("op#n"): no fault of the matrix to add there
  std::map<std::string, std::string> grants;  // attribute -> terms shown
  std::string email = "alice@example.com";
};

// Brings the world to the scenario's starting point (fault-free, settled).
void setup(SagaWorld& w, Saga saga) {
  if (saga == Saga::NewData || saga == Saga::ChangedBeforeRegistered) return;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.write_file(medical, "age.txt", "42");
  w.fs().setxattr(medical, kGrant1, "price=1 count=3", 0);
  w.fs().setxattr(medical, kGrant2, "price=5 count=unlimited", 0);
  w.settle();
}

// A new content whose publish stops at `op` (refused once): the saga is left journaled at that step.
void publish_stopped_at(SagaWorld& w, const std::string& op, Expected& e) {
  w.write_file(w.data("medical"), "email.txt", "bob@example.com");
  w.script.fail(op, 1, EIO);
  e.refused.insert(op + "#1");
  w.advance(2000ms);  // the quiet period: the publish runs and fails at op (its retry not due yet)
}

void remove_medical(SagaWorld& w) {
  const uint64_t medical = w.data("medical");
  w.fs().unlink(medical, "email.txt");
  w.fs().unlink(medical, "age.txt");
  w.fs().rmdir(core::kRootIno, "medical");
}

// The user's action; what it must lead to.
Expected act(SagaWorld& w, Saga saga) {
  Expected e;
  e.grants = {{kGrant1, "price=1 count=3 remaining=3"}, {kGrant2, "price=5 count=unlimited remaining=unlimited"}};
  switch (saga) {
    case Saga::NewData: {
      const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
      w.write_file(medical, "email.txt", "alice@example.com");
      w.write_file(medical, "age.txt", "42");
      e.grants.clear();
      break;
    }
    case Saga::NewVersionWithGrants:
      w.write_file(w.data("medical"), "email.txt", "bob@example.com");
      e.versions = 2;
      e.email = "bob@example.com";
      break;
    case Saga::RevokeOne:
      w.fs().removexattr(w.data("medical"), kGrant2);
      e.grants.erase(kGrant2);
      break;
    case Saga::RevokeAll:
      w.fs().removexattr(w.data("medical"), kGrant1);
      w.fs().removexattr(w.data("medical"), kGrant2);
      e.grants.clear();
      break;
    case Saga::ReplaceGrant:
      w.fs().setxattr(w.data("medical"), kGrant1, "price=2 count=7", 0);
      e.grants[kGrant1] = "price=2 count=7 remaining=7";
      break;
    case Saga::Transfer:
      w.fs().setxattr(w.data("medical"), "user.protected.owner", kNewOwner, 0);
      e.folder = false;
      break;
    case Saga::RmdirWithGrants:
      remove_medical(w);
      e.folder = false;
      break;
    case Saga::ChangedBeforeRegistered:
      w.fs().mkdir(core::kRootIno, "medical", 0755);
      w.write_file(w.data("medical"), "age.txt", "42");
      publish_stopped_at(w, "registry.register", e);
      w.write_file(w.data("medical"), "email.txt", "carol@example.com");
      e.email = "carol@example.com";
      e.grants.clear();
      break;
    case Saga::RmdirBeforeRegistered:
      publish_stopped_at(w, "registry.register", e);
      remove_medical(w);
      e.folder = false;
      break;
    case Saga::RmdirBeforeKeyPushed:
      publish_stopped_at(w, "secrets.push", e);
      remove_medical(w);
      e.versions = 2;
      e.fewest_versions = 1;
      e.folder = false;
      break;
  }
  return e;
}

// The end state every run of a scenario must reach, fault or not.
void check_quiescent(SagaWorld& w, Saga saga, const Expected& e) {
  auto& registry = *w.network->registry;
  auto& book = *w.network->grants;
  CHECK(w.journal.load().empty());
  const auto owner = saga == Saga::Transfer ? crypto::Address::parse(kNewOwner) : w.wallet.address();
  const auto lineage = registry.list_by_owner(owner);
  CHECK(lineage.size() <= e.versions);  // one registration per version
  CHECK(lineage.size() >= (e.fewest_versions ? e.fewest_versions : e.versions));
  if (saga == Saga::Transfer) CHECK(registry.list_by_owner(w.wallet.address()).empty());
  std::set<std::string> registered_content;
  for (const auto& r : lineage) {
    CHECK(w.network->secrets->exists(r.address));  // its key pushed…
    CHECK(w.keys.get(r.address.to_string()));      // …and kept
    // The stored bytes are the registered ones.
    const auto location = format::decode_dataset_multiaddr(r.multiaddr);
    const std::string cid = location.text.substr(std::string("/p2p/").size());
    registered_content.insert(cid);
    const auto content = w.network->storage->open(cid);
    CHECK(crypto::Sha256::digest(*content) == r.checksum);
  }
  // No orphan: the store holds the registered versions' content and nothing else.
  const auto held = test::held_content(*w.network);
  CHECK(std::set<std::string>(held.begin(), held.end()) == registered_content);
  if (!e.folder) {
    CHECK_THROWS(w.data("medical"));
    for (const auto& r : lineage) CHECK(book.open_orders(r.address).empty());
    return;
  }
  const uint64_t medical = w.data("medical");
  const core::DataInfo info = w.fs().data_info(medical);
  CHECK(info.status.kind == core::DataStatus::Kind::Published);
  REQUIRE(!lineage.empty());
  CHECK(info.address == lineage.back().address.to_string());
  CHECK(w.read_file(medical, "email.txt") == e.email);  // no byte lost
  // Every grant open once, on the newest version only, and shown open only because the book holds it.
  const auto open = book.open_orders(lineage.back().address);
  CHECK(open.size() == e.grants.size());
  for (const auto& [attribute, terms] : e.grants) CHECK(w.fs().getxattr(medical, attribute) == terms);
  for (std::size_t i = 0; i + 1 < lineage.size(); ++i) CHECK(book.open_orders(lineage[i].address).empty());
  std::size_t shown_open = 0;
  for (const auto& o : info.orders) {
    if (o.state != core::IssuedOrder::State::Open) continue;
    ++shown_open;
    CHECK(std::any_of(open.begin(), open.end(), [&](const auto& s) { return to_hex0x(s.order.hash) == o.hash; }));
  }
  CHECK(shown_open == open.size());
}

// The network calls a fault-free act of the scenario makes, as "op#n" (computed once per scenario).
const std::vector<std::string>& fault_points(Saga saga) {
  static std::map<Saga, std::vector<std::string>> cache;
  auto it = cache.find(saga);
  if (it != cache.end()) return it->second;
  SagaWorld w;
  setup(w, saga);
  w.script.reset();
  Expected e = act(w, saga);
  w.settle();
  const auto log = w.script.log();
  w.script.reset();
  e.fewest_versions = 0;  // the fault-free run: every version the act meant
  check_quiescent(w, saga, e);
  std::vector<std::string> points;
  for (const auto& call : log)
    if (call.rfind("registry.list_by_owner", 0) != 0 && !e.refused.count(call)) points.push_back(call);
  return cache[saga] = points;
}

int cases_run = 0;

}  // namespace

TEST_CASE("saga faults: every call of every saga fails, or the daemon dies around it, the end state is the same",
          "[fault][publish]") {
  const Saga saga = GENERATE(Saga::NewData, Saga::NewVersionWithGrants, Saga::RevokeOne, Saga::RevokeAll,
                             Saga::ReplaceGrant, Saga::Transfer, Saga::RmdirWithGrants, Saga::ChangedBeforeRegistered,
                             Saga::RmdirBeforeRegistered, Saga::RmdirBeforeKeyPushed);
  const Fault fault = GENERATE(Fault::ErrorThenRecovery, Fault::CrashBefore, Fault::CrashAfter);
  const std::string point = GENERATE_COPY(from_range(fault_points(saga)));
  const auto hash = point.find('#');
  const std::string op = point.substr(0, hash);
  const int call = std::stoi(point.substr(hash + 1));
  INFO(saga_name(saga) << ", " << fault_name(fault) << " at " << point);

  SagaWorld w;
  setup(w, saga);
  w.script.reset();
  switch (fault) {
    case Fault::ErrorThenRecovery:
      w.script.fail(op, call, EIO);
      break;
    case Fault::CrashBefore:
      w.script.crash(op, call, FaultScript::When::Before);
      break;
    case Fault::CrashAfter:
      w.script.crash(op, call, FaultScript::When::After);
      break;
  }
  const Expected e = act(w, saga);
  w.settle();
  if (fault != Fault::ErrorThenRecovery) CHECK(w.crashes == 1);
  w.script.reset();
  check_quiescent(w, saga, e);
  // And a daemon started afresh over the result finds nothing left to do on the network.
  w.script.reset();
  w.boot();
  w.settle();
  for (const auto& c : w.script.log()) {
    INFO("after quiescence, a restart called " << c);
    CHECK((c.rfind("grants.order", 0) == 0 || c.rfind("registry.find", 0) == 0 || c.rfind("secrets.exists", 0) == 0 ||
           c.rfind("grants.open_orders", 0) == 0));
  }
  CHECK(w.network->registry
            ->list_by_owner(saga == Saga::Transfer ? crypto::Address::parse(kNewOwner) : w.wallet.address())
            .size() <= e.versions);
  ++cases_run;
}

TEST_CASE("saga faults: the count of cases", "[fault][publish][.count]") { WARN("fault cases run: " << cases_run); }
