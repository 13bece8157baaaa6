// A fresh folder under /tmp for one test, removed with everything in it when the test ends.
#pragma once
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace pfs::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = "/tmp/pfs-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string sub(const std::string& name) const { return (path / name).string(); }
  // A file `name` holding `text`, with these permissions.
  std::filesystem::path write(const std::string& name, const std::string& text, std::filesystem::perms mode) const {
    const auto file = path / name;
    std::ofstream(file, std::ios::binary) << text;
    std::filesystem::permissions(file, mode);
    return file;
  }
};

}  // namespace pfs::test
