#include <catch2/catch.hpp>

#include <fstream>

#include "protectedfs/pipeline/folder_plan.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::pipeline;
namespace fs = std::filesystem;

namespace {

struct TempFolder {
  fs::path path;
  TempFolder() {
    char name[] = "/tmp/pfs-plan-XXXXXX";
    REQUIRE(::mkdtemp(name));
    path = name;
  }
  ~TempFolder() { fs::remove_all(path); }
  void write(const std::string& relative, const std::string& content) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative, std::ios::binary) << content;
  }
};

}  // namespace

TEST_CASE("fields are keyed, ordered like the SDK's objects and typed by content", "[pipeline]") {
  TempFolder dir;
  dir.write("10.txt", "ten\n");
  dir.write("9.txt", "nine\n");
  dir.write("b", "bee");
  dir.write("a.json", "{}\n");
  dir.write("greeting.txt", "Good morning\n");                          // 'G' alone is MPEG-TS's signature: text wins
  dir.write("bmi.txt", "BMI 22.5\n");                                   // likewise "BM" for BMP
  dir.write("real.bmp", std::string("BM\x36\x00\x00\x00\x00\x00", 8));  // a real BMP header holds NUL bytes
  dir.write("sub dir/x.y.z", "nested");
  dir.write(".swap", "local only");

  const FolderPlan result = plan_folder(dir.path);
  CHECK(result.plan.schema_json ==
        R"({"9":"string","10":"string","a":"string","b":"string","bmi":"string","greeting":"string",)"
        R"("real":"image/bmp","sub_dir":{"x_y":"string"}})");
  std::vector<std::string> zip_order;
  for (const auto& item : result.plan.items) zip_order.push_back(item.path);
  CHECK(zip_order ==
        std::vector<std::string>{"9", "10", "a", "b", "bmi", "greeting", "real", "sub_dir/", "sub_dir/x_y"});
  // Text leaves carry their CRC (the SDK's exact zip layout) and drop one trailing newline.
  CHECK(result.plan.items[0].crc.has_value());
  CHECK(result.plan.items[0].content_bytes == 4);
  CHECK(result.plan.items[0].content.size == 5);
}

TEST_CASE("a folder that cannot be protected is refused with the errno that names why", "[pipeline]") {
  TempFolder dir;
  auto code_of = [&] { return test::errno_of([&] { plan_folder(dir.path); }); };
  dir.write(".only-local", "x");
  CHECK(code_of() == EINVAL);
  dir.write("a.txt", "1");
  dir.write("a.pdf", "2");
  CHECK(code_of() == EEXIST);
  fs::remove(dir.path / "a.pdf");
  fs::create_symlink("/etc/hostname", dir.path / "link");
  CHECK(code_of() == EPERM);
}

TEST_CASE("pack refuses folders nested deeper than the schema reader accepts", "[pipeline]") {
  TempFolder dir;
  std::string path;
  for (std::size_t level = 2; level <= format::Schema::kMaxDepth; ++level) path += "d/";
  dir.write(path + "leaf.txt", "at the limit");
  const FolderPlan plan = plan_folder(dir.path);
  CHECK(format::Schema::parse(plan.plan.schema_json) == plan.schema);  // what pack writes reads back
  dir.write(path + "d/leaf.txt", "one level too deep");
  try {
    plan_folder(dir.path);
    FAIL("a folder 65 levels deep was packed");
  } catch (const Error& e) {
    CHECK(e.code() == EINVAL);
    CHECK_THAT(std::string(e.what()), Catch::Contains("at most 64 levels"));
  }
}
