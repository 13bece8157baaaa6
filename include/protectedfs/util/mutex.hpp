// Mutexes and scoped locks that clang's thread-safety analysis understands (-Wthread-safety), so that "guarded by"
// is a checked fact, not a comment: touching PFS_GUARDED_BY(m) state without holding m, writing it with m held only
// shared, or calling a PFS_REQUIRES(m) function without m is a compile error in the lint test
// (tests/lint/thread_safety.sh). libstdc++'s std::mutex and std::shared_mutex carry no such annotations; other
// compilers ignore them. The names follow clang's documentation (and abseil's Mutex).
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define PFS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PFS_THREAD_ANNOTATION(x)
#endif
#define PFS_CAPABILITY(name) PFS_THREAD_ANNOTATION(capability(name))
#define PFS_SCOPED_CAPABILITY PFS_THREAD_ANNOTATION(scoped_lockable)
#define PFS_GUARDED_BY(m) PFS_THREAD_ANNOTATION(guarded_by(m))
// The caller holds the capability: exclusively (PFS_REQUIRES: the function changes what it guards) or at least
// shared (PFS_REQUIRES_SHARED: it only reads).
#define PFS_REQUIRES(...) PFS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define PFS_REQUIRES_SHARED(...) PFS_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#define PFS_EXCLUDES(...) PFS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define PFS_ACQUIRE(...) PFS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define PFS_ACQUIRE_SHARED(...) PFS_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define PFS_RELEASE(...) PFS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define PFS_RELEASE_SHARED(...) PFS_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
// Releases whatever way it is held (a scoped reader lock's destructor).
#define PFS_RELEASE_GENERIC(...) PFS_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define PFS_ASSERT_CAPABILITY(x) PFS_THREAD_ANNOTATION(assert_capability(x))
#define PFS_ASSERT_SHARED_CAPABILITY(x) PFS_THREAD_ANNOTATION(assert_shared_capability(x))

namespace pfs {

class PFS_CAPABILITY("mutex") Mutex {
 public:
  void lock() PFS_ACQUIRE() { mutex_.lock(); }
  void unlock() PFS_RELEASE() { mutex_.unlock(); }

 private:
  friend class MutexLock;
  std::mutex mutex_;
};

// Holds a Mutex for its scope; it can be released and taken again (work done unlocked), and waited on with a
// condition variable (the wait releases the mutex and holds it again before returning, so to the analysis the
// mutex stays held across it).
class PFS_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mutex) PFS_ACQUIRE(mutex) : lock_(mutex.mutex_) {}
  ~MutexLock() PFS_RELEASE() = default;
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void unlock() PFS_RELEASE() { lock_.unlock(); }
  void lock() PFS_ACQUIRE() { lock_.lock(); }

  void wait(std::condition_variable& cv) { cv.wait(lock_); }
  template <class Clock, class Duration>
  std::cv_status wait_until(std::condition_variable& cv, const std::chrono::time_point<Clock, Duration>& deadline) {
    return cv.wait_until(lock_, deadline);
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

// A reader/writer lock: many readers or one writer. Taken through ReaderLock and WriterLock.
class PFS_CAPABILITY("shared mutex") SharedMutex {
 public:
  void lock() PFS_ACQUIRE() { mutex_.lock(); }
  void unlock() PFS_RELEASE() { mutex_.unlock(); }
  void lock_shared() PFS_ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void unlock_shared() PFS_RELEASE_SHARED() { mutex_.unlock_shared(); }
  // Tells the analysis the caller holds it, where it cannot see so (nothing is checked at run time).
  void assert_held() const PFS_ASSERT_CAPABILITY(this) {}
  void assert_reader_held() const PFS_ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::shared_mutex mutex_;
};

// Holds a SharedMutex shared for its scope (reads only); it can be released early and taken again.
class PFS_SCOPED_CAPABILITY ReaderLock {
 public:
  explicit ReaderLock(SharedMutex& mutex) PFS_ACQUIRE_SHARED(mutex) : mutex_(mutex) { mutex_.lock_shared(); }
  ~ReaderLock() PFS_RELEASE_GENERIC() {
    if (held_) mutex_.unlock_shared();
  }
  ReaderLock(const ReaderLock&) = delete;
  ReaderLock& operator=(const ReaderLock&) = delete;

  void unlock() PFS_RELEASE_GENERIC() {
    mutex_.unlock_shared();
    held_ = false;
  }
  void lock() PFS_ACQUIRE_SHARED() {
    mutex_.lock_shared();
    held_ = true;
  }

 private:
  SharedMutex& mutex_;
  bool held_ = true;
};

// Holds a SharedMutex exclusively for its scope (changes); it can be released early and taken again.
class PFS_SCOPED_CAPABILITY WriterLock {
 public:
  explicit WriterLock(SharedMutex& mutex) PFS_ACQUIRE(mutex) : mutex_(mutex) { mutex_.lock(); }
  ~WriterLock() PFS_RELEASE() {
    if (held_) mutex_.unlock();
  }
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  void unlock() PFS_RELEASE() {
    mutex_.unlock();
    held_ = false;
  }
  void lock() PFS_ACQUIRE() {
    mutex_.lock();
    held_ = true;
  }

 private:
  SharedMutex& mutex_;
  bool held_ = true;
};

}  // namespace pfs
