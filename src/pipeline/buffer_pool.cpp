#include "protectedfs/pipeline/buffer_pool.hpp"

namespace pfs::pipeline {

BufferPool::BufferPool(std::size_t count, std::size_t buffer_size) : buffer_size_(buffer_size) {
  for (std::size_t i = 0; i < count; ++i) {
    storage_.push_back(std::make_unique<std::vector<uint8_t>>());
    storage_.back()->reserve(buffer_size);
    free_.push_back(storage_.back().get());
  }
}

std::vector<uint8_t>* BufferPool::acquire() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return cancelled_ || !free_.empty(); });
  if (cancelled_) return nullptr;
  auto* buffer = free_.back();
  free_.pop_back();
  buffer->clear();
  return buffer;
}

void BufferPool::release(std::vector<uint8_t>* buffer) {
  {
    std::lock_guard lock(mutex_);
    free_.push_back(buffer);
  }
  available_.notify_one();
}

void BufferPool::cancel() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  available_.notify_all();
}

}  // namespace pfs::pipeline
