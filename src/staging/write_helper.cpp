#include "write_helper.hpp"

#include <thread>
#include <utility>

namespace pfs::staging::detail {

WriteHelper& WriteHelper::instance() {
  static WriteHelper* helper = new WriteHelper;
  return *helper;
}

WriteHelper::WriteHelper() {
  std::thread([this] { run(); }).detach();
}

bool WriteHelper::try_start(std::function<void()> job) {
  MutexLock lock(mutex_);
  if (busy_) return false;
  busy_ = true;
  job_ = std::move(job);
  started_.notify_one();
  return true;
}

void WriteHelper::wait() {
  MutexLock lock(mutex_);
  while (!done_) lock.wait(finished_);
  done_ = busy_ = false;
  if (auto error = std::exchange(error_, nullptr)) std::rethrow_exception(error);
}

void WriteHelper::run() {
  MutexLock lock(mutex_);
  for (;;) {
    while (!job_) lock.wait(started_);
    auto job = std::move(*job_);
    job_.reset();
    lock.unlock();
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    job = nullptr;  // what it holds goes before the writer is told
    lock.lock();
    error_ = error;
    done_ = true;
    finished_.notify_one();
  }
}

}  // namespace pfs::staging::detail
