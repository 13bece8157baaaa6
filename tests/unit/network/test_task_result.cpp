// Results as the network hands them over (network/task_result.hpp): a zip stored or deflated (what an iExec worker
// uploads) is extracted; one compressed another way is delivered whole rather than refused.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/file.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;

namespace {

// What an iExec worker uploads: a deflated zip (Python's zipfile, ZIP_DEFLATED) holding computed.json and
// result.txt ("hello iExec\n" 500 times).
Bytes worker_zip() {
  return from_hex(
      "504b03041400000008000000845d31bc1ed636000000350000000d000000636f6d70757465642e6a736f6eab564a492d492dcacdcccb2c2e"
      "c94cd6cd2f2d29282dd12d482cc950b252d2cf4cad484d8e070aea17a51697e694e895549428d50200504b03041400000008000000845d65"
      "1d6e362e000000701700000a000000726573756c742e747874edc6b10900200c00b0dd2b7cc64ba450a1d0d5f3fdc139999251d5f3ac1b7b"
      "a4bbbbbbbbbbbbbbbbbbbbbb7ffd01504b010214031400000008000000845d31bc1ed636000000350000000d000000000000000000000080"
      "0100000000636f6d70757465642e6a736f6e504b010214031400000008000000845d651d6e362e000000701700000a000000000000000000"
      "0000800161000000726573756c742e747874504b0506000000000200020073000000b70000000000");
}

// The central record of the zip's first entry, where the reader looks for the method.
Bytes::iterator first_central_record(Bytes& zip) {
  const uint8_t central[] = {0x50, 0x4b, 0x01, 0x02};
  return std::search(zip.begin(), zip.end(), std::begin(central), std::end(central));
}

}  // namespace

TEST_CASE("result zips: stored and deflated entries are extracted, another method lands whole as iexec_out.zip",
          "[network]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path / "in");
  std::ofstream(dir.path / "in" / "computed.json") << "{}";
  Bytes zip = network::zip_folder(dir.path / "in");
  network::unzip_result(zip, dir.path / "plain");
  CHECK(read_whole_file(dir.path / "plain" / "computed.json") == std::optional<std::string>("{}"));

  network::unzip_result(worker_zip(), dir.path / "worker");
  std::string expected;
  for (int i = 0; i < 500; ++i) expected += "hello iExec\n";
  CHECK(read_whole_file(dir.path / "worker" / "result.txt") == std::optional<std::string>(expected));
  CHECK(read_whole_file(dir.path / "worker" / "computed.json") ==
        std::optional<std::string>(R"({"deterministic-output-path":"/iexec_out/result.txt"})"));

  // Marked bzip2 (method 12), which the reader does not open: delivered whole, as iExec's tools save it.
  Bytes other = worker_zip();
  const auto at = first_central_record(other);
  REQUIRE(at != other.end());
  at[10] = 12;
  network::unzip_result(other, dir.path / "other");
  const auto whole = read_whole_file(dir.path / "other" / "iexec_out.zip");
  REQUIRE(whole);
  CHECK(Bytes(whole->begin(), whole->end()) == other);
  CHECK(test::errno_of([&] { network::unzip_result(other, dir.path / "other"); }) == EEXIST);
}

TEST_CASE("result zips: deflate data that is invalid, cut short or of another size is EBADMSG, nothing extracted",
          "[network]") {
  test::TempDir dir;
  // A stored zip marked deflated: its bytes are not deflate data.
  std::filesystem::create_directories(dir.path / "in");
  std::ofstream(dir.path / "in" / "computed.json") << "{\"a\": 1}";
  Bytes stored = network::zip_folder(dir.path / "in");
  first_central_record(stored)[10] = 8;
  CHECK(test::errno_of([&] { network::unzip_result(stored, dir.path / "a"); }) == EBADMSG);
  // The first entry declared one byte longer than it inflates to (central record's size field).
  Bytes longer = worker_zip();
  first_central_record(longer)[24] += 1;
  CHECK(test::errno_of([&] { network::unzip_result(longer, dir.path / "b"); }) == EBADMSG);
  // …or one byte shorter.
  Bytes shorter = worker_zip();
  first_central_record(shorter)[24] -= 1;
  CHECK(test::errno_of([&] { network::unzip_result(shorter, dir.path / "c"); }) == EBADMSG);
  for (const char* name : {"a", "b", "c"}) CHECK_FALSE(std::filesystem::exists(dir.path / name));
}
