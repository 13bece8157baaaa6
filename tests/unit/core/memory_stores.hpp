// In-memory stand-ins for what the core keeps on disk (FieldContents, TreeStore, KeyStore, PublishJournal), so that
// the file system and the publisher are tested without RocksDB, staging files or a mount.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/core/persistence.hpp"

namespace pfs::test {

using core::FieldContents;
using core::NodeRecord;
using core::PublishedLeaf;
using core::TreeStore;

struct MemoryContents final : FieldContents {
  std::mutex mutex;
  std::map<uint64_t, Bytes> files;
  std::map<uint64_t, PublishedLeaf> attached;  // shown as "<entry>" until written (copy on write)
  void create(uint64_t ino) override {
    std::lock_guard l(mutex);
    files[ino];
    attached.erase(ino);
  }
  void attach(uint64_t ino, const PublishedLeaf& leaf) override {
    std::lock_guard l(mutex);
    attached[ino] = leaf;
    files[ino] = to_bytes(leaf.entry);
  }
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override {
    std::lock_guard l(mutex);
    const Bytes& f = files.at(ino);
    if (offset >= f.size()) return 0;
    const std::size_t n = std::min(out.size(), f.size() - offset);
    std::copy_n(f.begin() + static_cast<std::ptrdiff_t>(offset), n, out.begin());
    return n;
  }
  void write(uint64_t ino, uint64_t offset, ByteView data) override {
    std::lock_guard l(mutex);
    attached.erase(ino);
    Bytes& f = files.at(ino);
    if (f.size() < offset + data.size()) f.resize(offset + data.size());
    std::copy(data.begin(), data.end(), f.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  void truncate(uint64_t ino, uint64_t size) override {
    std::lock_guard l(mutex);
    files.at(ino).resize(size);
  }
  void sync(uint64_t) override {}
  void remove(uint64_t ino) override {
    std::lock_guard l(mutex);
    files.erase(ino);
  }
};

struct MemoryTree final : TreeStore {
  std::map<uint64_t, NodeRecord> records;
  int syncs = 0;
  std::vector<NodeRecord> load() override {
    std::vector<NodeRecord> out;
    for (const auto& [ino, r] : records) out.push_back(r);
    return out;
  }
  void put(const NodeRecord& r) override { records[r.ino] = r; }
  void erase(uint64_t ino) override { records.erase(ino); }
  void write(std::span<const NodeRecord> puts, std::span<const uint64_t> erases) override {
    for (const NodeRecord& r : puts) put(r);
    for (const uint64_t ino : erases) erase(ino);
  }
  void sync() override { ++syncs; }
};

struct MemoryKeys final : core::KeyStore {
  std::mutex mutex;
  std::map<std::string, std::string> keys;
  void put(const std::string& dataset, const std::string& key) override {
    std::lock_guard l(mutex);
    keys[dataset] = key;
  }
  std::optional<std::string> get(const std::string& dataset) override {
    std::lock_guard l(mutex);
    auto it = keys.find(dataset);
    return it == keys.end() ? std::nullopt : std::optional(it->second);
  }
};

struct MemoryJournal final : core::PublishJournal {
  std::mutex mutex;
  std::map<uint64_t, std::string> entries;
  void put(uint64_t data, const std::string& entry) override {
    std::lock_guard l(mutex);
    entries[data] = entry;
  }
  void erase(uint64_t data) override {
    std::lock_guard l(mutex);
    entries.erase(data);
  }
  std::optional<std::string> get(uint64_t data) override {
    std::lock_guard l(mutex);
    auto it = entries.find(data);
    return it == entries.end() ? std::nullopt : std::optional(it->second);
  }
  std::map<uint64_t, std::string> load() override {
    std::lock_guard l(mutex);
    return entries;
  }
};

}  // namespace pfs::test
