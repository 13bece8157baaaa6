// A reader/writer mutex that clang's thread-safety analysis understands, next to util/mutex.hpp's Mutex: many
// holders in shared mode (ReaderLock) or one in exclusive mode (WriterLock).
#pragma once
#include <shared_mutex>

#include "protectedfs/util/mutex.hpp"

namespace pfs {

class PFS_CAPABILITY("shared mutex") SharedMutex {
 public:
  void lock() PFS_ACQUIRE() { mutex_.lock(); }
  void unlock() PFS_RELEASE() { mutex_.unlock(); }
  void lock_shared() PFS_THREAD_ANNOTATION(acquire_shared_capability()) { mutex_.lock_shared(); }
  void unlock_shared() PFS_THREAD_ANNOTATION(release_shared_capability()) { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

class PFS_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mutex) PFS_THREAD_ANNOTATION(acquire_shared_capability(mutex)) : mutex_(mutex) {
    mutex_.lock_shared();
  }
  ~ReaderLock() PFS_RELEASE() { mutex_.unlock_shared(); }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

 private:
  SharedMutex& mutex_;
};

class PFS_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mutex) PFS_ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~WriterLock() PFS_RELEASE() { mutex_.unlock(); }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

 private:
  SharedMutex& mutex_;
};

}  // namespace pfs
