// A file system over the memory stores for the tests of names (hard links, rename): remountable, with its store's
// writes counted (a rename is one write) and failing on demand (a full disk), and the publisher's cues recorded.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memory_stores.hpp"
#include "protectedfs/core/filesystem.hpp"
#include "vectors.hpp"

namespace pfs::test {

struct CountingTree final : core::TreeStore {
  MemoryTree& inner;
  int writes = 0;  // put(), erase() and write() calls: each one a write of the store
  bool full = false;
  explicit CountingTree(MemoryTree& t) : inner(t) {}
  std::vector<core::NodeRecord> load() override { return inner.load(); }
  void put(const core::NodeRecord& r) override {
    if (full) throw Error(ENOSPC, "no space left for the tree");
    ++writes;
    inner.put(r);
  }
  void erase(uint64_t ino) override {
    ++writes;
    inner.erase(ino);
  }
  void write(std::span<const core::NodeRecord> puts, std::span<const uint64_t> erases) override {
    if (full && !puts.empty()) throw Error(ENOSPC, "no space left for the tree");
    ++writes;
    inner.write(puts, erases);
  }
  void sync() override { inner.sync(); }
};

struct NamesFixture {
  static constexpr uid_t kOwner = 1000;
  MemoryContents contents;
  MemoryTree memory;
  CountingTree tree{memory};
  std::unique_ptr<core::Filesystem> fs = std::make_unique<core::Filesystem>(contents, tree, kOwner, kOwner);
  std::vector<uint64_t> changes;  // the publisher's cues: one per change of a protected data
  struct Renamed {
    uint64_t ino;
    std::string from, to;
  };
  std::vector<Renamed> renamed;
  std::vector<std::string> removed;

  NamesFixture() { listen(); }
  void listen() {
    fs->set_events({
        .changed = [this](uint64_t data, const std::string&) { changes.push_back(data); },
        .removed = [this](uint64_t, const std::string& name, const core::DataInfo&) { removed.push_back(name); },
        .renamed =
            [this](uint64_t ino, const std::string& from, const std::string& to, const core::DataInfo&) {
              renamed.push_back({ino, from, to});
            },
    });
  }
  // A new mount over the same stores (the kernel's lookups are gone with the old one).
  void remount() {
    fs.reset();
    fs = std::make_unique<core::Filesystem>(contents, tree, kOwner, kOwner);
    listen();
  }
  // A file created, written and closed, as `echo text > file` does.
  uint64_t file(uint64_t parent, const std::string& name, const std::string& text) {
    const uint64_t ino = fs->create(parent, name, 0644).ino;
    fs->write(ino, 0, as_bytes(text));
    fs->release(ino);
    return ino;
  }
  std::string read_all(uint64_t ino) {
    Bytes out(4096);
    out.resize(fs->read(ino, 0, out));
    return std::string(as_chars(out));
  }
  std::string text_of(uint64_t parent, const std::string& name) { return read_all(fs->lookup(parent, name).ino); }
  // A folder's names, in order.
  std::vector<std::string> names(uint64_t dir) {
    std::vector<std::string> out;
    for (const auto& e : fs->readdir(dir)) out.push_back(e.name);
    return out;
  }
  // What a publish would see: each field's dot path and inode, depth first.
  std::vector<std::pair<std::string, uint64_t>> fields(uint64_t data) {
    std::vector<std::pair<std::string, uint64_t>> out;
    for (const auto& e : fs->snapshot(data).entries) {
      std::string path;
      for (const auto& k : e.keys) path += (path.empty() ? "" : ".") + k;
      out.emplace_back(path, e.directory ? 0 : e.ino);
    }
    return out;
  }
  // user.protected.local as "path:kind" entries.
  std::vector<std::string> local(uint64_t data) {
    std::vector<std::string> out;
    for (const auto& e : nlohmann::json::parse(fs->getxattr(data, "user.protected.local")))
      out.push_back(e.at("path").get<std::string>() + ":" + e.at("kind").get<std::string>());
    return out;
  }
};

}  // namespace pfs::test
