#include "write_behind.hpp"

#include <sys/mman.h>

#include <cstring>
#include <exception>
#include <thread>

#include "file_state.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::staging::detail {

using format::kBlockSize;

void WriteBehind::Unmap::operator()(uint8_t* p) const { ::munmap(p, kBufferBytes); }

WriteBehind& WriteBehind::instance() {
  static WriteBehind* behind = new WriteBehind;
  return *behind;
}

WriteBehind::Run::~Run() {
  if (blocks) WriteBehind::instance().give_back(std::move(blocks));
}

WriteBehind::Buffer WriteBehind::take() {
  MutexLock lock(mutex_);
  if (!started_) {
    started_ = true;
    std::thread([this] { run(); }).detach();
  }
  while (free_.empty() && allocated_ == kBuffers) lock.wait(freed_);
  if (!free_.empty()) {
    Buffer buffer = std::move(free_.back());
    free_.pop_back();
    return buffer;
  }
  // Mapped, not from malloc: unmapped, its pages go back to the system at once.
  void* p = ::mmap(nullptr, kBufferBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw Error(ENOMEM, "no memory for a staged write");
  ++allocated_;
  return Buffer(static_cast<uint8_t*>(p));
}

void WriteBehind::give_back(Buffer buffer) {
  {
    MutexLock lock(mutex_);
    free_.push_back(std::move(buffer));
  }
  freed_.notify_one();
  queued_.notify_one();  // the thread may be waiting for the last one back before it lets them all go
}

void WriteBehind::submit(std::shared_ptr<FileState> file, uint64_t first, std::size_t count, Buffer blocks) {
  file->queued.fetch_add(1, std::memory_order_acq_rel);
  auto run = std::make_shared<Run>(std::move(file), first, count, std::move(blocks));
  {
    MutexLock lock(mutex_);
    queue_.push_back(std::move(run));
  }
  queued_.notify_one();
}

WriteBehind::Pending WriteBehind::pending(const FileState& file, uint64_t first, std::size_t count) {
  Pending found;
  MutexLock lock(mutex_);
  for (const auto& run : queue_)
    if (run->file.get() == &file && run->first < first + count && first < run->first + run->count)
      found.runs_.push_back(run);
  return found;
}

void WriteBehind::Pending::overlay(uint64_t first, std::size_t count, uint8_t* out) const {
  for (const auto& run : runs_) {
    const uint64_t lo = std::max(first, run->first), hi = std::min(first + count, run->first + run->count);
    if (lo < hi)
      std::memcpy(out + (lo - first) * kBlockSize, run->blocks.get() + (lo - run->first) * kBlockSize,
                  (hi - lo) * kBlockSize);
  }
}

void WriteBehind::drain(const FileState& file) {
  if (file.queued.load(std::memory_order_acquire) == 0) return;
  MutexLock lock(mutex_);
  while (file.queued.load(std::memory_order_acquire) != 0) lock.wait(landed_);
}

void WriteBehind::drain_all() {
  MutexLock lock(mutex_);
  while (!queue_.empty()) lock.wait(landed_);
}

void WriteBehind::set_fault(std::function<void()> before_write) {
  MutexLock lock(mutex_);
  fault_ = std::move(before_write);
}

void WriteBehind::hold(bool held) {
  {
    MutexLock lock(mutex_);
    held_ = held;
  }
  queued_.notify_all();
}

void WriteBehind::write_run(const Run& run) {
  std::function<void()> fault;
  {
    MutexLock lock(mutex_);
    fault = fault_;
  }
  if (run.file->late_error.load(std::memory_order_acquire) != 0) return;  // the file's bytes are lost already
  try {
    if (fault) fault();
    write_blocks_now(*run.file, run.first, {run.blocks.get(), run.count * kBlockSize});
  } catch (const Error& e) {
    int expected = 0;
    run.file->late_error.compare_exchange_strong(expected, e.code() != 0 ? e.code() : EIO);
  } catch (const std::exception&) {
    int expected = 0;
    run.file->late_error.compare_exchange_strong(expected, EIO);
  }
}

void WriteBehind::run() {
  for (;;) {
    std::shared_ptr<Run> run;
    std::vector<Buffer> idle;  // unmapped without the mutex
    {
      MutexLock lock(mutex_);
      while (queue_.empty() || held_) {
        if (free_.empty() || allocated_ != free_.size()) {
          lock.wait(queued_);
        } else if (lock.wait_until(queued_, std::chrono::steady_clock::now() + kIdle) == std::cv_status::timeout &&
                   queue_.empty() && allocated_ == free_.size()) {
          idle = std::move(free_);  // nothing written for a while, none in use: all of them go
          free_.clear();
          allocated_ = 0;
          break;
        }
      }
      if (!idle.empty()) continue;
      run = queue_.front();  // stays in the queue, seen by readers, until it has landed
    }
    write_run(*run);
    {
      MutexLock lock(mutex_);
      queue_.pop_front();
      run->file->queued.fetch_sub(1, std::memory_order_acq_rel);
    }
    landed_.notify_all();
    run.reset();  // without the mutex: the last reference gives the buffer back, which takes it
  }
}

}  // namespace pfs::staging::detail
