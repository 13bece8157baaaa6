#include "pipeline/read_ahead.hpp"

#include <algorithm>

namespace pfs::pipeline {

// No more buffers than pieces, and at least two (the caller holds one while a reader fills another).
std::size_t ReadAhead::buffer_count(uint64_t pieces, std::size_t buffers) {
  return static_cast<std::size_t>(std::clamp<uint64_t>(pieces, 1, std::max<std::size_t>(buffers, 2)));
}

ReadAhead::ReadAhead(const RandomAccessSource& source, uint64_t length, std::size_t piece, std::size_t buffers,
                     std::size_t readers)
    : source_(source),
      length_(length),
      piece_(std::max<std::size_t>(piece, 1)),
      pieces_((length_ + piece_ - 1) / piece_),
      buffers_(buffer_count(pieces_, buffers), Bytes(static_cast<std::size_t>(std::min<uint64_t>(length_, piece_)))),
      // A reader more than the buffers the caller does not hold would have nothing to fill.
      readers_(std::clamp<std::size_t>(readers, 1, std::max<std::size_t>(buffers_.size() - 1, 1))) {
  {
    MutexLock lock(mutex_);
    holds_.assign(buffers_.size(), 0);
  }
  for (std::size_t r = 0; r < readers_; ++r) threads_.emplace_back([this, r] { run(r); });
}

ReadAhead::~ReadAhead() {
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void ReadAhead::run(std::size_t reader) {
  const std::size_t count = buffers_.size();
  for (uint64_t i = reader; i < pieces_; i += readers_) {
    {
      MutexLock lock(mutex_);
      // Piece i goes where piece i - count was: wait until the caller is done with that one.
      while (!stop_ && failed_at_ > i && i >= released_ + count) lock.wait(changed_);
      if (stop_ || failed_at_ < i) return;  // (a piece before this one failed: the caller stops there)
    }
    const uint64_t at = i * piece_;
    const auto n = static_cast<std::size_t>(std::min<uint64_t>(piece_, length_ - at));
    try {
      source_.read_at(at, std::span(buffers_[i % count].data(), n));
    } catch (...) {
      MutexLock lock(mutex_);
      if (i < failed_at_) {
        failed_at_ = i;
        error_ = std::current_exception();
      }
      changed_.notify_all();
      return;
    }
    {
      MutexLock lock(mutex_);
      holds_[i % count] = i + 1;
    }
    changed_.notify_all();
  }
}

ByteView ReadAhead::next() {
  const uint64_t at = handed_ * piece_;
  if (at >= length_) return {};
  const std::size_t slot = handed_ % buffers_.size();
  {
    MutexLock lock(mutex_);
    released_ = handed_;  // the piece handed before this one is done with: its buffer may be refilled
    changed_.notify_all();
    while (failed_at_ > handed_ && holds_[slot] != handed_ + 1) lock.wait(changed_);
    // A reader's error is for its piece: those before it are handed first, in order.
    if (holds_[slot] != handed_ + 1) std::rethrow_exception(error_);
  }
  const auto n = static_cast<std::size_t>(std::min<uint64_t>(piece_, length_ - at));
  return ByteView(buffers_[handed_++ % buffers_.size()].data(), n);
}

}  // namespace pfs::pipeline
