// A fixed set of equal-size buffers handed out and returned across threads. It is what bounds the memory of the
// streaming pipeline: a stage that runs ahead blocks in acquire() until a slower stage gives a buffer back.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace pfs::pipeline {

class BufferPool {
 public:
  BufferPool(std::size_t count, std::size_t buffer_size);

  // Blocks until a buffer is free. Returns nullptr once cancel() was called.
  std::vector<uint8_t>* acquire();
  void release(std::vector<uint8_t>* buffer);
  void cancel();  // wakes every waiter; later acquire() calls return nullptr
  std::size_t buffer_size() const { return buffer_size_; }

 private:
  const std::size_t buffer_size_;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> storage_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::vector<uint8_t>*> free_;  // guarded by mutex_
  bool cancelled_ = false;                   // guarded by mutex_
};

}  // namespace pfs::pipeline
