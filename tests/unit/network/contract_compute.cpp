// The compute contract (network.hpp Compute): runs pay and consume exactly one access of a matching grant, refusals
// consume nothing, and the iApp sees iExec's layout. Against the interfaces only; the run cases need
// register_app and fund, so they are skipped where those are ENOTSUP.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "contract_network.hpp"
#include "contract_support.hpp"
#include "vectors.hpp"

namespace pfs::test {
namespace {

namespace fs = std::filesystem;

// An iApp that reports what it was given: the dataset file, its name, the arguments and the task id.
constexpr const char* kReportingApp = R"(#!/bin/sh
set -e
cp "$IEXEC_IN/$IEXEC_DATASET_FILENAME" "$IEXEC_OUT/dataset.zip"
printf '%s' "$IEXEC_DATASET_FILENAME" > "$IEXEC_OUT/filename"
printf '%s' "$IEXEC_ARGS" > "$IEXEC_OUT/args"
for word in "$@"; do printf '[%s]' "$word"; done > "$IEXEC_OUT/argv"
printf '%s' "$IEXEC_TASK_ID" > "$IEXEC_OUT/task"
mkdir "$IEXEC_OUT/nested" && echo deep > "$IEXEC_OUT/nested/file"
printf '{"deterministic-output-path":"%s/dataset.zip"}' "$IEXEC_OUT" > "$IEXEC_OUT/computed.json"
)";

bool supported(const std::function<void()>& action, const char* what) {
  try {
    action();
    return true;
  } catch (const Error& e) {
    if (e.code() != ENOTSUP) throw;
    WARN(what << " is not supported by this network: run cases skipped");
    return false;
  }
}

}  // namespace

void check_compute_contract(const NetworkUnderTest& net) {
  auto network = net.open();
  auto& compute = *network->compute;
  auto& book = *network->grants;
  const auto owner = net.new_wallet();
  const auto consumer = net.new_wallet();
  const auto stranger = net.new_wallet();
  ScratchDir scratch;
  const Bytes plaintext = generated_bytes(70000, 4);
  const auto dataset = publish_dataset(*network, owner, plaintext, unique_tag());

  network::AppRecord app;
  if (!supported(
          [&] {
            app =
                compute.register_app(owner, scratch.write("report.sh", kReportingApp, fs::perms::owner_all), "report");
          },
          "register_app"))
    return;
  if (!supported([&] { compute.fund(consumer.address(), 100); }, "fund")) return;
  const uint64_t owner_start = compute.balance(owner.address());
  auto request = [&](const std::string& out) {
    return network::RunRequest{dataset.address, app.address, "", scratch.path / out, std::nullopt};
  };

  SECTION("an app is registered once per content, found by address") {
    CHECK_FALSE(app.address.is_zero());
    CHECK(app.owner == owner.address());
    CHECK(app.name == "report");
    CHECK(app.checksum == crypto::Sha256::digest(as_bytes(kReportingApp)));
    auto found = net.open()->compute->find_app(app.address);
    REQUIRE(found);
    CHECK(found->address == app.address);
    CHECK(found->checksum == app.checksum);
    const auto copy = scratch.write("same.sh", kReportingApp, fs::perms::owner_all);
    CHECK(compute.register_app(stranger, copy, "other name").address == app.address);
    CHECK_FALSE(compute.find_app(crypto::Address(random_array<20>())));
  }

  SECTION("the faucet adds to a balance, visible to every handle") {
    CHECK(compute.balance(consumer.address()) == 100);
    compute.fund(consumer.address(), 23);
    CHECK(net.open()->compute->balance(consumer.address()) == 123);
    CHECK(compute.balance(stranger.address()) == 0);
    CHECK(errno_of([&] { compute.fund(stranger.address(), 0); }) == EINVAL);
  }

  SECTION("a granted run: the app sees iExec's layout, the result is delivered, one access and the price paid") {
    const auto order = sign_order(book, owner, grant_order(dataset.address, app.address, consumer.address(), 30, 2));
    book.publish(owner, order);
    auto req = request("out1");
    req.args = R"(one "two words" 'three' four\ five)";
    const auto result = compute.run(consumer, req);
    CHECK(result.order_hash == order.hash);
    CHECK(result.price == 30);
    CHECK(result.task.size() == 66);
    CHECK(result.task.starts_with("0x"));

    const fs::path out = scratch.path / "out1";
    CHECK(read_text(out / "dataset.zip") == std::string(plaintext.begin(), plaintext.end()));
    CHECK(crypto::Address::parse(read_text(out / "filename")) == dataset.address);
    CHECK(read_text(out / "args") == req.args);
    CHECK(read_text(out / "argv") == "[one][two words][three][four five]");
    CHECK(read_text(out / "task") == result.task);
    CHECK(read_text(out / "nested" / "file") == "deep\n");
    CHECK(fs::exists(out / "computed.json"));

    CHECK(compute.balance(consumer.address()) == 70);
    CHECK(compute.balance(owner.address()) == owner_start + 30);
    auto state = net.open()->grants->order(order.hash);
    REQUIRE(state);
    CHECK(state->consumed == 1);
    CHECK(state->uses == 1);
    CHECK(state->remaining() == 1);

    // The second access is the last one; a third run is refused and pays nothing.
    const auto second = compute.run(consumer, request("out2"));
    CHECK(second.task != result.task);
    CHECK(compute.balance(consumer.address()) == 40);
    CHECK(errno_of([&] { compute.run(consumer, request("out3")); }) == EACCES);
    CHECK(compute.balance(consumer.address()) == 40);
    CHECK_FALSE(fs::exists(scratch.path / "out3"));
    CHECK(book.order(order.hash)->consumed == 2);
    CHECK(book.open_orders(dataset.address).empty());
  }

  SECTION("a grant to anyone lets any funded wallet run; the cheapest matching grant is used") {
    book.publish(owner, sign_order(book, owner, grant_order(dataset.address, app.address, {}, 20, 5)));
    const auto cheaper = sign_order(book, owner, grant_order(dataset.address, app.address, consumer.address(), 10, 5));
    book.publish(owner, cheaper);
    compute.fund(stranger.address(), 50);
    const auto result = compute.run(stranger, request("by-stranger"));
    CHECK(result.price == 20);
    CHECK(compute.balance(stranger.address()) == 30);
    CHECK(compute.run(consumer, request("by-consumer")).order_hash == cheaper.hash);
    CHECK(compute.balance(consumer.address()) == 90);
  }

  SECTION("refusals consume nothing") {
    const auto granted = sign_order(book, owner, grant_order(dataset.address, app.address, consumer.address(), 40, 3));
    book.publish(owner, granted);
    const auto other_app = compute.register_app(
        owner, scratch.write("other.sh", std::string(kReportingApp) + "# v2\n", fs::perms::owner_all), "other");
    auto refused = [&](const crypto::PrivateKey& who, network::RunRequest req) {
      const uint64_t before = compute.balance(who.address());
      const int code = errno_of([&] { compute.run(who, req); });
      CHECK(compute.balance(who.address()) == before);
      CHECK(compute.balance(owner.address()) == owner_start);
      CHECK(book.order(granted.hash)->uses == 0);
      CHECK_FALSE(fs::exists(req.out));
      return code;
    };
    CHECK(refused(stranger, request("r1")) == EACCES);  // no grant for this requester
    auto wrong_app = request("r2");
    wrong_app.app = other_app.address;
    CHECK(refused(consumer, wrong_app) == EACCES);
    auto unknown_app = request("r3");
    unknown_app.app = crypto::Address(random_array<20>());
    CHECK(refused(consumer, unknown_app) == ENOENT);
    auto unknown_dataset = request("r4");
    unknown_dataset.dataset = crypto::Address(random_array<20>());
    CHECK(refused(consumer, unknown_dataset) == ENOENT);
    auto too_cheap = request("r5");
    too_cheap.max_price = 39;
    CHECK(refused(consumer, too_cheap) == EACCES);
    // A balance below the price.
    const auto poor = net.new_wallet();
    book.publish(owner, sign_order(book, owner, grant_order(dataset.address, app.address, poor.address(), 40, 1)));
    compute.fund(poor.address(), 39);
    CHECK(refused(poor, request("r6")) == EDQUOT);
    // An existing, non-empty result folder.
    fs::create_directory(scratch.path / "full");
    scratch.write("full/keep", "x", fs::perms::owner_read);
    auto full = request("full");
    const int code = errno_of([&] { compute.run(consumer, full); });
    CHECK(code == EEXIST);
    CHECK(compute.balance(consumer.address()) == 100);
    // A revoked grant.
    book.revoke(owner, granted);
    CHECK(refused(consumer, request("r7")) == EACCES);
  }

  SECTION("a transferred dataset: the previous owner's grant no longer runs; the new owner's does, and is paid") {
    const auto old_grant = sign_order(book, owner, grant_order(dataset.address, app.address, {}, 5, 5));
    book.publish(owner, old_grant);
    network->registry->transfer(owner, dataset.address, stranger.address());
    CHECK(errno_of([&] { compute.run(consumer, request("t1")); }) == EACCES);
    CHECK(book.order(old_grant.hash)->consumed == 0);
    book.publish(stranger, sign_order(book, stranger, grant_order(dataset.address, app.address, {}, 7, 1)));
    CHECK(compute.run(consumer, request("t2")).price == 7);
    CHECK(compute.balance(stranger.address()) == 7);
    CHECK(compute.balance(owner.address()) == owner_start);
  }

  SECTION("two runs racing for the last access: exactly one wins, only it pays") {
    const auto last = sign_order(book, owner, grant_order(dataset.address, app.address, {}, 10, 1));
    book.publish(owner, last);
    compute.fund(stranger.address(), 100);
    std::atomic<int> wins{0}, refusals{0};
    auto racer = [&](const crypto::PrivateKey& who, const std::string& out) {
      auto handle = net.open();
      try {
        handle->compute->run(who, request(out));
        ++wins;
      } catch (const Error& e) {
        if (e.code() == EACCES) ++refusals;
      }
    };
    std::thread a(racer, std::cref(consumer), "race-a");
    std::thread b(racer, std::cref(stranger), "race-b");
    a.join();
    b.join();
    CHECK(wins == 1);
    CHECK(refusals == 1);
    CHECK(compute.balance(consumer.address()) + compute.balance(stranger.address()) == 190);
    CHECK(compute.balance(owner.address()) == owner_start + 10);
    CHECK(book.order(last.hash)->uses == 1);
    CHECK(fs::exists(scratch.path / "race-a") != fs::exists(scratch.path / "race-b"));
  }
}

}  // namespace pfs::test
