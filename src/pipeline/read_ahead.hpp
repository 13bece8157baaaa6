// Reads one source sequentially pieces ahead, on threads of their own: a staged field's read (the read from disk and
// the at-rest decryption) then runs on the second core beside the serial AES-CBC pass instead of before each piece
// of it. `buffers` buffers of `piece` bytes, whatever the source's size: the readers fill the others while the
// caller uses one. With more than one reader, pieces are read in turns (reader r reads pieces r, r + readers, ...):
// two reads in flight keep a disk busier than one, and their decryption runs in parallel. An error of a reader is
// rethrown by next() when the caller reaches its piece; the threads are joined by the destructor.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::pipeline {

class ReadAhead {
 public:
  // `source` must take concurrent reads when `readers` > 1.
  ReadAhead(const RandomAccessSource& source, uint64_t length, std::size_t piece, std::size_t buffers = 2,
            std::size_t readers = 1);
  ~ReadAhead();
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next piece in order (valid until the following call); empty once `length` bytes were returned.
  ByteView next();

 private:
  void run(std::size_t reader);
  static std::size_t buffer_count(uint64_t pieces, std::size_t buffers);

  const RandomAccessSource& source_;
  const uint64_t length_;
  const std::size_t piece_;
  const uint64_t pieces_;
  std::vector<Bytes> buffers_;
  const std::size_t readers_;
  uint64_t handed_ = 0;  // pieces returned by next(): the caller's thread only

  Mutex mutex_;
  std::condition_variable changed_;
  std::vector<uint64_t> holds_ PFS_GUARDED_BY(mutex_);  // per buffer: 1 + the piece read into it (0: none yet)
  uint64_t released_ PFS_GUARDED_BY(mutex_) = 0;        // pieces the caller is done with
  bool stop_ PFS_GUARDED_BY(mutex_) = false;
  uint64_t failed_at_ PFS_GUARDED_BY(mutex_) = UINT64_MAX;  // the first piece a reader could not read
  std::exception_ptr error_ PFS_GUARDED_BY(mutex_);
  std::vector<std::thread> threads_;
};

}  // namespace pfs::pipeline
