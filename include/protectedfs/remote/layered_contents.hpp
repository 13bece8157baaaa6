// Field contents for the daemon: the local (staged) bytes of every field written here, over the published leaves
// of fields that are only on the network (core::FieldContents::attach). The first write or truncate of such a
// field copies its published bytes into the local store (copy on write); from then on it is a local field.
//
// Locking: attached_mutex_ guards the map and is never held during I/O; copy_mutex_ serializes copies in (rare)
// so two writers never copy the same field twice. Order: copy_mutex_, then attached_mutex_.
#pragma once
#include <unordered_map>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/remote/published_reader.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::remote {

class LayeredContents final : public core::FieldContents {
 public:
  LayeredContents(core::FieldContents& local, PublishedReader& published) : local_(local), published_(published) {}

  void create(uint64_t ino) override;
  void attach(uint64_t ino, const core::PublishedLeaf& leaf) override;
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override;
  void write(uint64_t ino, uint64_t offset, ByteView data) override;
  void truncate(uint64_t ino, uint64_t size) override;
  void sync(uint64_t ino) override;
  void settle(uint64_t ino) override { local_.settle(ino); }  // (nothing waits for a field that is not local)
  void remove(uint64_t ino) override;
  std::optional<uint64_t> published_size(uint64_t ino) override;

 private:
  std::optional<core::PublishedLeaf> attached(uint64_t ino);
  void copy_in(uint64_t ino);  // if still attached: the published bytes become local ones

  core::FieldContents& local_;
  PublishedReader& published_;
  Mutex copy_mutex_;
  Mutex attached_mutex_;
  std::unordered_map<uint64_t, core::PublishedLeaf> attached_ PFS_GUARDED_BY(attached_mutex_);
};

}  // namespace pfs::remote
