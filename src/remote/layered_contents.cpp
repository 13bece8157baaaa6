#include "protectedfs/remote/layered_contents.hpp"

namespace pfs::remote {
namespace {

// Removing a local copy that may not exist.
void remove_local(core::FieldContents& local, uint64_t ino) {
  try {
    local.remove(ino);
  } catch (const Error& e) {
    if (e.code() != ENOENT) throw;
  }
}

}  // namespace

std::optional<core::PublishedLeaf> LayeredContents::attached(uint64_t ino) {
  MutexLock lock(attached_mutex_);
  auto it = attached_.find(ino);
  if (it == attached_.end()) return std::nullopt;
  return it->second;
}

void LayeredContents::create(uint64_t ino) {
  {
    MutexLock lock(attached_mutex_);
    attached_.erase(ino);
  }
  local_.create(ino);
}

void LayeredContents::attach(uint64_t ino, const core::PublishedLeaf& leaf) {
  // A local copy left by a crash between copying in and the tree's record of it: the write it was for never
  // returned, so the published bytes are the field's.
  remove_local(local_, ino);
  MutexLock lock(attached_mutex_);
  attached_[ino] = leaf;
}

std::size_t LayeredContents::read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) {
  if (auto leaf = attached(ino)) return published_.read(*leaf, offset, out);
  return local_.read(ino, offset, out);
}

std::optional<uint64_t> LayeredContents::published_size(uint64_t ino) {
  if (auto leaf = attached(ino)) return published_.size(*leaf);
  return std::nullopt;
}

void LayeredContents::copy_in(uint64_t ino) {
  MutexLock copying(copy_mutex_);
  const auto leaf = attached(ino);
  if (!leaf) return;
  local_.create(ino);
  try {
    Bytes buffer(1 << 20);
    for (uint64_t at = 0;;) {
      const std::size_t n = published_.read(*leaf, at, buffer);
      if (n == 0) break;
      local_.write(ino, at, ByteView(buffer.data(), n));
      at += n;
    }
  } catch (...) {
    remove_local(local_, ino);
    throw;
  }
  MutexLock lock(attached_mutex_);
  attached_.erase(ino);
}

void LayeredContents::write(uint64_t ino, uint64_t offset, ByteView data) {
  copy_in(ino);
  local_.write(ino, offset, data);
}

void LayeredContents::truncate(uint64_t ino, uint64_t size) {
  if (size == 0 && attached(ino)) {  // nothing of the published bytes is kept: no need to fetch them
    create(ino);
    return;
  }
  copy_in(ino);
  local_.truncate(ino, size);
}

void LayeredContents::sync(uint64_t ino) {
  if (attached(ino)) return;  // nothing local to sync: the bytes are on the network
  local_.sync(ino);
}

void LayeredContents::remove(uint64_t ino) {
  {
    MutexLock lock(attached_mutex_);
    attached_.erase(ino);
  }
  remove_local(local_, ino);
}

}  // namespace pfs::remote
