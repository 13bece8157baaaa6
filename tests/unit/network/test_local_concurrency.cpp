// Several writers on one local network directory at once: threads of one process (sharing a handle or each with
// its own) and separate processes. Every registration and secret must land exactly once, with no lost or torn
// record and no EEXIST except where two writers really do the same registration.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "local_fixture.hpp"
#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "vectors.hpp"

using namespace pfs;
using pfs::test::LocalNetworkDir;

namespace {

constexpr int kPerWriter = 40;

std::string dataset_name(const std::string& prefix, int i) {
  std::string n = std::to_string(i);
  return prefix + "-" + std::string(3 - n.size(), '0') + n;
}

std::string secret_for(const std::string& name) { return "secret of " + name; }

network::Registration registration_named(const std::string& name) {
  // Deterministic per name, so that a check can rebuild it.
  const Hash32 digest = crypto::keccak256(as_bytes(name));
  return {name, format::multiaddr_p2p(digest), digest, R"({"email":"string","age":"f64"})"};
}

// What each writer does: its own datasets with their secrets, plus one registration that every writer attempts
// (same key, same fields) and its secret. Returns what went wrong (empty when all is well) and whether this writer
// won the shared registration and the shared secret.
struct Outcome {
  std::vector<std::string> failures;
  bool won_registration = false;
  bool won_secret = false;
};

Outcome write_many(network::Network& net, const crypto::PrivateKey& key, const crypto::PrivateKey& shared_key,
                   const std::string& prefix) {
  Outcome out;
  for (int i = 0; i < kPerWriter; ++i) {
    const std::string name = dataset_name(prefix, i);
    try {
      const auto record = net.registry->register_dataset(key, registration_named(name));
      net.secrets->push(key, record.address, secret_for(name));
    } catch (const Error& e) {
      out.failures.push_back(name + ": " + e.what());
    }
    if (i == kPerWriter / 2) {
      const auto shared = registration_named("shared");
      try {
        net.registry->register_dataset(shared_key, shared);
        out.won_registration = true;
      } catch (const Error& e) {
        if (e.code() != EEXIST) out.failures.push_back(std::string("shared: ") + e.what());
      }
      try {
        const auto landed = net.registry->find_registration(shared_key.address(), shared);
        if (!landed) throw Error(ENOENT, "shared registration not found after it landed");
        net.secrets->push(shared_key, landed->address, secret_for("shared"));
        out.won_secret = true;
      } catch (const Error& e) {
        if (e.code() != EEXIST) out.failures.push_back(std::string("shared secret: ") + e.what());
      }
    }
  }
  return out;
}

// Everything every writer did is there, whole, in each writer's order, with unique addresses.
void check_all_landed(const LocalNetworkDir& dir, const std::vector<const crypto::PrivateKey*>& keys,
                      const std::vector<std::string>& prefixes, const crypto::PrivateKey& shared_key) {
  auto net = dir.open();
  auto& sms = test::local_secrets(*net);
  std::set<crypto::Address> seen;
  for (std::size_t w = 0; w < keys.size(); ++w) {
    const auto records = net->registry->list_by_owner(keys[w]->address());
    REQUIRE(records.size() == static_cast<std::size_t>(kPerWriter));
    for (int i = 0; i < kPerWriter; ++i) {
      const auto& record = records[static_cast<std::size_t>(i)];
      const std::string name = dataset_name(prefixes[w], i);
      CHECK(record.name == name);  // oldest first = this writer's order
      CHECK(record.checksum == registration_named(name).checksum);
      CHECK(seen.insert(record.address).second);
      CHECK(net->registry->find(record.address).has_value());
      CHECK(sms.read_for_enclave(record.address) == secret_for(name));
    }
  }
  const auto shared = net->registry->list_by_owner(shared_key.address());
  REQUIRE(shared.size() == 1);
  CHECK(sms.read_for_enclave(shared[0].address) == secret_for("shared"));
  CHECK(net->registry->find_by_schema({"email:string", "age:f64"}, std::nullopt).size() ==
        keys.size() * kPerWriter + 1);
}

}  // namespace

TEST_CASE("local network: threads register and push secrets at once", "[network]") {
  LocalNetworkDir dir;
  const auto key_a = crypto::PrivateKey::generate();
  const auto key_b = crypto::PrivateKey::generate();
  const auto shared_key = crypto::PrivateKey::generate();
  const bool share_handle = GENERATE(true, false);
  INFO((share_handle ? "one handle for both threads" : "one handle per thread"));

  auto common = dir.open();
  auto own_a = share_handle ? nullptr : dir.open();
  auto own_b = share_handle ? nullptr : dir.open();
  network::Network& net_a = share_handle ? *common : *own_a;
  network::Network& net_b = share_handle ? *common : *own_b;

  Outcome a;
  Outcome b;
  std::thread thread_a([&] { a = write_many(net_a, key_a, shared_key, "a"); });
  std::thread thread_b([&] { b = write_many(net_b, key_b, shared_key, "b"); });
  thread_a.join();
  thread_b.join();

  for (const auto& failure : a.failures) FAIL_CHECK(failure);
  for (const auto& failure : b.failures) FAIL_CHECK(failure);
  CHECK(a.won_registration != b.won_registration);
  CHECK(a.won_secret != b.won_secret);
  check_all_landed(dir, {&key_a, &key_b}, {"a", "b"}, shared_key);
}

TEST_CASE("local network: processes register and push secrets at once", "[network]") {
  LocalNetworkDir dir;
  const auto key_a = crypto::PrivateKey::generate();
  const auto key_b = crypto::PrivateKey::generate();
  const auto shared_key = crypto::PrivateKey::generate();

  // Each child opens its own handle (first use races too: neither has created the layout yet) and reports in its
  // exit status: 100 on any failure, else bit 0 = won the shared registration, bit 1 = won the shared secret.
  auto spawn = [&](const crypto::PrivateKey& key, const std::string& prefix) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      int status = 100;
      try {
        auto net = dir.open();
        const Outcome out = write_many(*net, key, shared_key, prefix);
        if (out.failures.empty()) status = (out.won_registration ? 1 : 0) | (out.won_secret ? 2 : 0);
      } catch (...) {
      }
      ::_exit(status);
    }
    return pid;
  };
  const pid_t a = spawn(key_a, "a");
  const pid_t b = spawn(key_b, "b");
  REQUIRE(a > 0);
  REQUIRE(b > 0);
  int status_a = 0;
  int status_b = 0;
  REQUIRE(::waitpid(a, &status_a, 0) == a);
  REQUIRE(::waitpid(b, &status_b, 0) == b);
  REQUIRE(WIFEXITED(status_a));
  REQUIRE(WIFEXITED(status_b));
  const int code_a = WEXITSTATUS(status_a);
  const int code_b = WEXITSTATUS(status_b);
  REQUIRE(code_a != 100);
  REQUIRE(code_b != 100);
  CHECK(((code_a & 1) ^ (code_b & 1)) == 1);  // exactly one registered the shared dataset
  CHECK(((code_a & 2) ^ (code_b & 2)) == 2);  // exactly one stored its secret
  check_all_landed(dir, {&key_a, &key_b}, {"a", "b"}, shared_key);
}
