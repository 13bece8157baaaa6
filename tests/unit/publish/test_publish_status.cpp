// The publish state as types (issue 9 §2): the status text of SPEC.md §3 rendered from one value, the failure kept
// typed beside it (what a restart decides from), versions a typed list that still reads records written as text.
#include <catch2/catch.hpp>

#include "core/data_info.hpp"
#include "publish/saga_world.hpp"

using namespace pfs;
using core::DataStatus;

TEST_CASE("publish status: each state renders the text SPEC.md §3 shows", "[publish]") {
  CHECK(core::render_status({.kind = DataStatus::Kind::Draft}) == "draft");
  CHECK(core::render_status({.kind = DataStatus::Kind::Pending}) == "pending");
  CHECK(core::render_status({.kind = DataStatus::Kind::Publishing, .step = "upload", .percent = 42}) ==
        "publishing upload 42%");
  CHECK(core::render_status({.kind = DataStatus::Kind::Published}) == "published");
  core::PublishFailure f{"register", EIO, "chain down", 3, 0, 4};
  CHECK(core::render_status({.kind = DataStatus::Kind::Failed, .failure = f}) == "failed: chain down (retry in 4s)");
  f.step = "grants";
  CHECK(core::render_status({.kind = DataStatus::Kind::Failed, .failure = f}) ==
        "failed: grants: chain down (retry in 4s)");
  CHECK(core::render_status({.kind = DataStatus::Kind::Transferring, .to = "0xAb"}) == "transferring to 0xAb");
}

TEST_CASE("publish status: failure and versions survive the record; old text versions still read", "[publish]") {
  core::DataInfo info;
  info.failure = core::PublishFailure{"grants", EAGAIN, "market down", 2, 1800000000, 2};
  info.versions = {{"0x01", "2026-01-01T00:00:00Z"}, {"0x02", "2025-01-01T00:00:00Z"}};
  const core::DataInfo back = core::decode_data_info(core::encode_data_info(info));
  CHECK(back.failure == info.failure);
  CHECK(back.versions == info.versions);
  CHECK(core::data_attribute(back, "versions") ==
        R"([{"address":"0x01","created":"2026-01-01T00:00:00Z"},{"address":"0x02","created":"2025-01-01T00:00:00Z"}])");
  const core::DataInfo old =
      core::decode_data_info(R"({"status":"published","versions":"[{\"address\":\"0x09\",\"created\":\"x\"}]"})");
  REQUIRE(old.versions.size() == 1);
  CHECK(old.versions[0].address == "0x09");
  // An older record's grant failure is read as one (a restart then retries the grants only).
  const core::DataInfo failed = core::decode_data_info(R"j({"status":"failed: grants: market down (retry in 2s)"})j");
  REQUIRE(failed.failure);
  CHECK(failed.failure->step == "grants");
}

TEST_CASE("publish status: a failure is typed (step, errno, attempts) and the next success clears it", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.script.fail_from("registry.register", 1, EAGAIN);
  w.advance(std::chrono::seconds(2));
  w.advance(std::chrono::seconds(1));
  auto info = w.fs().data_info(medical);
  REQUIRE(info.failure);
  CHECK(info.failure->step == "register");
  CHECK(info.failure->error == EAGAIN);
  CHECK(info.failure->attempts == 2);
  CHECK(info.failure->retry_in == 2);
  CHECK(info.status == "failed: scripted fault: registry.register call 2 fails (retry in 2s)");
  w.script.recover("registry.register");
  w.settle();
  info = w.fs().data_info(medical);
  CHECK_FALSE(info.failure);
  CHECK(info.status == "published");
  CHECK(w.script.calls("storage.upload") == 1);  // the upload was journaled done: retries only registered
}
