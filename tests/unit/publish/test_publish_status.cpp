// The publish state as types (issue 9 §2): the status stored as a value (what a restart decides from), its SPEC.md
// §3 text rendered in one place, versions a typed list; records written as text by earlier versions still read.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

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

TEST_CASE("publish status: the typed status and versions survive the record, old text versions still read",
          "[publish]") {
  const core::PublishFailure failure{"grants", EAGAIN, "market down", 2, 1800000000, 2};
  for (const DataStatus& status :
       {DataStatus{.kind = DataStatus::Kind::Draft}, DataStatus{.kind = DataStatus::Kind::Pending},
        DataStatus{.kind = DataStatus::Kind::Publishing, .step = "upload", .percent = 42},
        DataStatus{.kind = DataStatus::Kind::Published},
        DataStatus{.kind = DataStatus::Kind::Failed, .failure = failure},
        DataStatus{.kind = DataStatus::Kind::Transferring, .to = "0xAb"}}) {
    core::DataInfo info;
    info.status = status;
    CHECK(core::decode_data_info(core::encode_data_info(info)).status == status);
  }
  core::DataInfo info;
  info.versions = {{"0x01", "2026-01-01T00:00:00Z"}, {"0x02", "2025-01-01T00:00:00Z"}};
  const core::DataInfo back = core::decode_data_info(core::encode_data_info(info));
  CHECK(back.versions == info.versions);
  CHECK(core::data_attribute(back, "versions") ==
        R"([{"address":"0x01","created":"2026-01-01T00:00:00Z"},{"address":"0x02","created":"2025-01-01T00:00:00Z"}])");
  const core::DataInfo old =
      core::decode_data_info(R"({"status":"published","versions":"[{\"address\":\"0x09\",\"created\":\"x\"}]"})");
  REQUIRE(old.versions.size() == 1);
  CHECK(old.versions[0].address == "0x09");
  CHECK(old.status.kind == DataStatus::Kind::Published);
}

// Records written before the status was typed: its text, and since failures were typed a "failure" object beside
// it. Each reads back as the typed status that shows the same text.
TEST_CASE("publish status: records of earlier versions (status text, failure object) still read", "[publish]") {
  using Kind = DataStatus::Kind;
  const core::DataInfo typed_failure = core::decode_data_info(
      R"j({"status":"failed: grants: market down (retry in 2s)","address":"0x0a",)j"
      R"j("failure":{"step":"grants","errno":11,"message":"market down","attempts":3,"retry_at":1800000000,)j"
      R"j("retry_in":2},"grants":[],"orders":[],"transfer_to":"","published_fingerprint":"f"})j");
  CHECK(typed_failure.status.kind == Kind::Failed);
  CHECK(typed_failure.status.failure == core::PublishFailure{"grants", EAGAIN, "market down", 3, 1800000000, 2});
  CHECK(typed_failure.status.grants_failed());
  CHECK(typed_failure.address == "0x0a");
  CHECK(typed_failure.published_fingerprint == "f");
  CHECK(core::data_attribute(typed_failure, "status") == "failed: grants: market down (retry in 2s)");

  for (const std::string text :
       {"draft", "pending", "published", "publishing register 40%", "transferring to 0xAb",
        "failed: grants: market down (retry in 2s)", "failed: storage: upload refused (retry in 16s)"}) {
    CAPTURE(text);
    const core::DataInfo old = core::decode_data_info(nlohmann::json{{"status", text}}.dump());
    CHECK(core::data_attribute(old, "status") == text);
  }
  const core::DataInfo grants = core::decode_data_info(R"j({"status":"failed: grants: market down (retry in 2s)"})j");
  CHECK(grants.status.grants_failed());  // a restart then retries the grants only
  CHECK(grants.status.failure.message == "market down");
  CHECK(grants.status.failure.retry_in == 2);
  const core::DataInfo version = core::decode_data_info(R"j({"status":"failed: chain down (retry in 4s)"})j");
  CHECK(version.status.kind == Kind::Failed);
  CHECK_FALSE(version.status.grants_failed());
  CHECK(core::decode_data_info(R"({"status":"publishing upload 42%"})").status ==
        DataStatus{.kind = Kind::Publishing, .step = "upload", .percent = 42});
  CHECK(core::decode_data_info(R"({"status":"transferring to 0xAb"})").status.to == "0xAb");
  CHECK(core::decode_data_info("{}").status.kind == Kind::Pending);  // no status at all: published again
}

TEST_CASE("publish status: a failure is typed (step, errno, attempts) and the next success clears it", "[publish]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.script.fail_from("registry.register", 1, EAGAIN);
  w.advance(std::chrono::seconds(2));
  w.advance(std::chrono::seconds(1));
  auto info = w.fs().data_info(medical);
  REQUIRE(info.status.kind == DataStatus::Kind::Failed);
  CHECK(info.status.failure.step == "register");
  CHECK(info.status.failure.error == EAGAIN);
  CHECK(info.status.failure.attempts == 2);
  CHECK(info.status.failure.retry_in == 2);
  CHECK(w.fs().getxattr(medical, "user.protected.status") ==
        "failed: scripted fault: registry.register call 2 fails (retry in 2s)");
  w.script.recover("registry.register");
  w.settle();
  info = w.fs().data_info(medical);
  CHECK(info.status == DataStatus{.kind = DataStatus::Kind::Published});
  CHECK(w.script.calls("storage.upload") == 1);  // the upload was journaled done: retries only registered
}

TEST_CASE("publish status: a data's kept encoding is the encoding of its info as it is now", "[publish]") {
  core::EncodedDataInfo encoded;
  core::DataInfo info;
  CHECK(encoded.encode(info) == core::encode_data_info(info));
  CHECK(encoded.encode(info) == core::encode_data_info(info));  // the kept one
  // Every kind of change is seen: the status, a grant, an order's state, a version.
  info.status = DataStatus{.kind = DataStatus::Kind::Publishing, .step = "upload", .percent = 42};
  CHECK(encoded.encode(info) == core::encode_data_info(info));
  info.grants.push_back(
      core::Grant{.subject = core::parse_grant_subject("any.0x1111111111111111111111111111111111111111"),
                  .terms = {0, 3},
                  .order = ""});
  CHECK(encoded.encode(info) == core::encode_data_info(info));
  info.grants[0].order = "0xorder";
  info.orders.push_back(core::IssuedOrder{.hash = "0xorder", .dataset = "0x01"});
  CHECK(encoded.encode(info) == core::encode_data_info(info));
  info.orders[0].state = core::IssuedOrder::State::Open;
  CHECK(encoded.encode(info) == core::encode_data_info(info));
  info.versions.push_back({"0x01", "2026-01-01T00:00:00Z"});
  const std::string now = core::encode_data_info(info);
  CHECK(encoded.encode(info) == now);
  // A copy (a node copied before a change) starts empty and encodes the same.
  const core::EncodedDataInfo copy = encoded;
  CHECK(copy.encode(info) == now);
}
