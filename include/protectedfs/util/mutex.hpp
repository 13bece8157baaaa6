// A mutex and a scoped lock that clang's thread-safety analysis understands (-Wthread-safety), so that "guarded by"
// is a checked fact, not a comment: touching PFS_GUARDED_BY(m) state without holding m is a compile error in the
// lint test (tests/lint/thread_safety.sh). libstdc++'s std::mutex carries no such annotations; other compilers
// ignore them.
#pragma once
#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define PFS_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PFS_THREAD_ANNOTATION(x)
#endif
#define PFS_CAPABILITY(name) PFS_THREAD_ANNOTATION(capability(name))
#define PFS_SCOPED_CAPABILITY PFS_THREAD_ANNOTATION(scoped_lockable)
#define PFS_GUARDED_BY(m) PFS_THREAD_ANNOTATION(guarded_by(m))
#define PFS_REQUIRES(...) PFS_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define PFS_EXCLUDES(...) PFS_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define PFS_ACQUIRE(...) PFS_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define PFS_RELEASE(...) PFS_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

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

}  // namespace pfs
