#include "network/iexec/byte_pipe.hpp"

#include <algorithm>
#include <cstring>

#include "protectedfs/util/error.hpp"

namespace pfs::network::iexec {

void BytePipe::write(ByteView data) {
  while (!data.empty()) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queued_ < capacity_ || cancelled_ || consumer_error_ != 0; });
    if (cancelled_) throw Error(ECANCELED, "upload cancelled");
    if (consumer_error_ != 0) throw Error(consumer_error_, consumer_reason_);
    if (closed_) throw Error(EINVAL, "write after the end of an upload");
    // Copy at most what fits (at least one byte), so one large write cannot overshoot the bound by much.
    const std::size_t n = std::min(data.size(), std::max<std::size_t>(capacity_ - queued_, 1));
    queue_.emplace_back(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    queued_ += n;
    data = data.subspan(n);
    changed_.notify_all();
  }
}

void BytePipe::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

std::optional<std::size_t> BytePipe::read(std::span<char> out) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return !queue_.empty() || closed_ || cancelled_; });
  if (cancelled_) return std::nullopt;
  std::size_t done = 0;
  while (done < out.size() && !queue_.empty()) {
    const Bytes& front = queue_.front();
    const std::size_t n = std::min(out.size() - done, front.size() - front_offset_);
    std::memcpy(out.data() + done, front.data() + front_offset_, n);
    done += n;
    front_offset_ += n;
    queued_ -= n;
    if (front_offset_ == front.size()) {
      queue_.pop_front();
      front_offset_ = 0;
    }
  }
  changed_.notify_all();
  return done;  // 0 only when closed and drained
}

void BytePipe::stop_consumer(int code, const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (consumer_error_ == 0) {
    consumer_error_ = code;
    consumer_reason_ = reason;
  }
  changed_.notify_all();
}

void BytePipe::cancel() {
  std::lock_guard lock(mutex_);
  cancelled_ = true;
  changed_.notify_all();
}

}  // namespace pfs::network::iexec
