#include "pipeline/read_ahead.hpp"

#include <algorithm>

namespace pfs::pipeline {

ReadAhead::ReadAhead(const RandomAccessSource& source, uint64_t length, std::size_t piece)
    : source_(source), length_(length), piece_(std::max<std::size_t>(piece, 1)) {
  const auto size = static_cast<std::size_t>(std::min<uint64_t>(length_, piece_));
  buffers_[0].resize(size);
  if (length_ > piece_) buffers_[1].resize(size);
  thread_ = std::thread([this] { run(); });
}

ReadAhead::~ReadAhead() {
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void ReadAhead::run() {
  const uint64_t pieces = (length_ + piece_ - 1) / piece_;
  for (uint64_t i = 0; i < pieces; ++i) {
    {
      MutexLock lock(mutex_);
      while (!stop_ && i >= released_ + 2) lock.wait(changed_);  // both buffers still in use
      if (stop_) return;
    }
    const uint64_t at = i * piece_;
    const auto n = static_cast<std::size_t>(std::min<uint64_t>(piece_, length_ - at));
    try {
      source_.read_at(at, std::span(buffers_[i % 2].data(), n));
    } catch (...) {
      MutexLock lock(mutex_);
      error_ = std::current_exception();
      changed_.notify_all();
      return;
    }
    {
      MutexLock lock(mutex_);
      filled_ = i + 1;
    }
    changed_.notify_all();
  }
}

ByteView ReadAhead::next() {
  const uint64_t at = handed_ * piece_;
  if (at >= length_) return {};
  {
    MutexLock lock(mutex_);
    released_ = handed_;  // the piece handed before this one is done with: its buffer may be refilled
    changed_.notify_all();
    while (!error_ && filled_ <= handed_) lock.wait(changed_);
    // The reader's error is for a later piece than those it filled: those are handed first, in order.
    if (filled_ <= handed_) std::rethrow_exception(error_);
  }
  const auto n = static_cast<std::size_t>(std::min<uint64_t>(piece_, length_ - at));
  return ByteView(buffers_[handed_++ % 2].data(), n);
}

}  // namespace pfs::pipeline
