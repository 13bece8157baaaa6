// Results as the network hands them over (network/task_result.hpp): a STORE zip is extracted, one with deflated
// entries (what an iExec worker uploads) is delivered whole rather than refused.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>

#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/file.hpp"
#include "temp_dir.hpp"
#include "vectors.hpp"

using namespace pfs;

TEST_CASE("result zips: stored entries are extracted, a deflated zip lands whole as iexec_out.zip", "[network]") {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path / "in");
  std::ofstream(dir.path / "in" / "computed.json") << "{}";
  Bytes zip = network::zip_folder(dir.path / "in");
  network::unzip_result(zip, dir.path / "plain");
  CHECK(read_whole_file(dir.path / "plain" / "computed.json") == std::optional<std::string>("{}"));

  // The same zip marked deflated (method 8) in its central directory, where the reader looks.
  const uint8_t central[] = {0x50, 0x4b, 0x01, 0x02};
  const auto at = std::search(zip.begin(), zip.end(), std::begin(central), std::end(central));
  REQUIRE(at != zip.end());
  at[10] = 8;
  network::unzip_result(zip, dir.path / "deflated");
  const auto whole = read_whole_file(dir.path / "deflated" / "iexec_out.zip");
  REQUIRE(whole);
  CHECK(Bytes(whole->begin(), whole->end()) == zip);
  CHECK_FALSE(std::filesystem::exists(dir.path / "deflated" / "computed.json"));
  CHECK(test::errno_of([&] { network::unzip_result(zip, dir.path / "deflated"); }) == EEXIST);
}
