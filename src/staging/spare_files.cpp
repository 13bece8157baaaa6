#include "spare_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "protectedfs/util/error.hpp"

namespace pfs::staging::detail {

SpareFiles::~SpareFiles() {
  std::thread thread;
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

UniqueFd SpareFiles::make() const {
  const int fd = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return UniqueFd(fd);
  // What open(2) gives where the kernel or the file system lacks O_TMPFILE.
  if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return {};
  throw_system_error("cannot create a staged file in " + dir_.string());
}

UniqueFd SpareFiles::take() {
  {
    MutexLock lock(mutex_);
    if (!supported_) return {};
    if (!thread_.joinable()) {
      // link() goes through /proc (linkat with AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH).
      if (::access("/proc/self/fd", X_OK) != 0) {
        supported_ = false;
        return {};
      }
      thread_ = std::thread([this] { run(); });
    }
    if (!ready_.empty()) {
      UniqueFd fd = std::move(ready_.back());
      ready_.pop_back();
      if (ready_.size() == kReady / 2) wake_.notify_all();
      return fd;
    }
    paused_ = false;
    wake_.notify_all();
  }
  UniqueFd fd = make();
  if (!fd) {
    MutexLock lock(mutex_);
    supported_ = false;
  }
  return fd;
}

void SpareFiles::run() {
  MutexLock lock(mutex_);
  while (!stopping_) {
    if (!supported_ || paused_ || ready_.size() > kReady / 2) {
      lock.wait(wake_);
      continue;
    }
    // Filled up to kReady in one go, then idle until half are taken: fewer wake-ups of this thread.
    while (!stopping_ && supported_ && ready_.size() < kReady) {
      lock.unlock();
      UniqueFd fd;
      bool failed = false;
      try {
        fd = make();
      } catch (const Error&) {
        failed = true;  // take() makes its own and reports the error; it resumes this thread too
      }
      lock.lock();
      if (failed) {
        paused_ = true;
        break;
      }
      if (!fd) {
        supported_ = false;
        break;
      }
      ready_.push_back(std::move(fd));
    }
  }
}

void SpareFiles::disable() {
  {
    MutexLock lock(mutex_);
    supported_ = false;
  }
  wake_.notify_all();
}

void SpareFiles::link(int fd, const std::filesystem::path& path) {
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) != 0)
    throw_system_error("cannot create " + path.string());
}

}  // namespace pfs::staging::detail
