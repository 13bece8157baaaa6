// A bounded byte queue between a producer (ContentStore::Upload::write, on the publisher's thread) and a consumer
// (curl's read callback, on the upload's own thread): the producer waits while `capacity` bytes are queued, so an
// upload of any size holds at most that much memory, and a slow network slows the producer instead of growing RAM.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "protectedfs/util/bytes.hpp"

namespace pfs::network::iexec {

class BytePipe {
 public:
  explicit BytePipe(std::size_t capacity) : capacity_(capacity) {}

  // Producer side. write() blocks while the pipe is full; throws the consumer's failure (EAGAIN…) if it has stopped
  // reading, and ECANCELED after cancel().
  void write(ByteView data);
  void close();  // no more data: the consumer sees the end once the queue is drained

  // Consumer side. Fills `out` with at most out.size() bytes, blocking until some are queued; returns 0 at the end
  // and nullopt when cancelled.
  std::optional<std::size_t> read(std::span<char> out);
  // The consumer stopped (the transfer failed or finished early): later writes throw Error(code, reason).
  void stop_consumer(int code, const std::string& reason);

  // Either side: abandon the transfer. Blocked calls return (read: nullopt, write: ECANCELED).
  void cancel();

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Bytes> queue_;
  std::size_t queued_ = 0;
  std::size_t front_offset_ = 0;  // bytes of queue_.front() already read
  bool closed_ = false;
  bool cancelled_ = false;
  int consumer_error_ = 0;
  std::string consumer_reason_;
};

}  // namespace pfs::network::iexec
