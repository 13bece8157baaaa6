// Reads one source sequentially a piece ahead, on a thread of its own: a staged field's read (the copy out of the
// page cache and the at-rest decryption) then runs on the second core beside the serial AES-CBC pass instead of
// before each piece of it. Two buffers of `piece` bytes, whatever the source's size: the reader fills one while
// the caller uses the other. An error of the reader is rethrown by next(); the thread is joined by the destructor.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <thread>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::pipeline {

class ReadAhead {
 public:
  ReadAhead(const RandomAccessSource& source, uint64_t length, std::size_t piece);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next piece in order (valid until the following call); empty once `length` bytes were returned.
  ByteView next();

 private:
  void run();

  const RandomAccessSource& source_;
  const uint64_t length_;
  const std::size_t piece_;
  Bytes buffers_[2];
  uint64_t handed_ = 0;  // pieces returned by next(): the caller's thread only

  Mutex mutex_;
  std::condition_variable changed_;
  uint64_t filled_ PFS_GUARDED_BY(mutex_) = 0;    // pieces the reader has read
  uint64_t released_ PFS_GUARDED_BY(mutex_) = 0;  // pieces the caller is done with
  bool stop_ PFS_GUARDED_BY(mutex_) = false;
  std::exception_ptr error_ PFS_GUARDED_BY(mutex_);
  std::thread thread_;
};

}  // namespace pfs::pipeline
