#include "cli/staged_contents.hpp"

namespace pfs::cli {

staging::StagedFile StagedContents::file(uint64_t ino) {
  {
    MutexLock lock(mutex_);
    if (auto it = index_.find(ino); it != index_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second);
      return it->second->second;
    }
  }
  staging::StagedFile opened = store_.open(ino);
  MutexLock lock(mutex_);
  if (!index_.count(ino)) remember(ino, opened);
  return opened;
}

void StagedContents::remember(uint64_t ino, const staging::StagedFile& file) {
  recent_.emplace_front(ino, file);
  index_[ino] = recent_.begin();
  while (recent_.size() > max_open_) {
    index_.erase(recent_.back().first);
    recent_.pop_back();
  }
}

void StagedContents::create(uint64_t ino) {
  staging::StagedFile created = [&] {
    try {
      return store_.create(ino);
    } catch (const Error& e) {
      if (e.code() != EEXIST) throw;
    }
    store_.remove(ino);  // left over from a crash between create and the tree write
    return store_.create(ino);
  }();
  MutexLock lock(mutex_);
  if (auto it = index_.find(ino); it != index_.end()) {  // a handle of the removed leftover
    recent_.erase(it->second);
    index_.erase(it);
  }
  remember(ino, created);
}

std::size_t StagedContents::read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) {
  return file(ino).read(offset, out);
}

void StagedContents::write(uint64_t ino, uint64_t offset, ByteView data) { file(ino).write(offset, data); }

void StagedContents::truncate(uint64_t ino, uint64_t size) { file(ino).truncate(size); }

void StagedContents::sync(uint64_t ino) { file(ino).sync(); }

void StagedContents::remove(uint64_t ino) {
  {
    MutexLock lock(mutex_);
    if (auto it = index_.find(ino); it != index_.end()) {
      recent_.erase(it->second);
      index_.erase(it);
    }
  }
  if (store_.exists(ino)) store_.remove(ino);
}

}  // namespace pfs::cli
