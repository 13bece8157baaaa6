// Field contents in the encrypted staging store, for the core. Keeps a bounded set of open files (least recently
// used first out), so copying ten thousand files never holds ten thousand descriptors.
#pragma once
#include <list>
#include <mutex>
#include <unordered_map>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/staging/staging_store.hpp"
#include "protectedfs/util/error.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::cli {

class StagedContents final : public core::FieldContents {
 public:
  explicit StagedContents(staging::StagingStore& store, std::size_t max_open = 256)
      : store_(store), max_open_(max_open) {}

  void create(uint64_t ino) override;
  // Local bytes only: published leaves are layered over this store by remote::LayeredContents.
  void attach(uint64_t, const core::PublishedLeaf&) override {
    throw Error(ENOTSUP, "the staging store holds local bytes only");
  }
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override;
  void write(uint64_t ino, uint64_t offset, ByteView data) override;
  void truncate(uint64_t ino, uint64_t size) override;
  void sync(uint64_t ino) override;
  void settle(uint64_t ino) override { store_.settle(ino); }
  void remove(uint64_t ino) override;

 private:
  staging::StagedFile file(uint64_t ino);  // open (or reuse) a handle
  // Keeps FILE as the most recent handle and closes the least recent beyond max_open_: created files too, or a
  // cp of 20,000 new files would hold 20,000 descriptors until something reopened an older one.
  void remember(uint64_t ino, const staging::StagedFile& file) PFS_REQUIRES(mutex_);

  staging::StagingStore& store_;
  const std::size_t max_open_;
  Mutex mutex_;  // never held during file I/O
  std::list<std::pair<uint64_t, staging::StagedFile>> recent_ PFS_GUARDED_BY(mutex_);
  std::unordered_map<uint64_t, std::list<std::pair<uint64_t, staging::StagedFile>>::iterator> index_
      PFS_GUARDED_BY(mutex_);
};

}  // namespace pfs::cli
