// Hands one stream of buffers to several consumers, each on its own thread, so that the stages after encryption
// (file checksum, CID, output or upload) run beside it on the second core instead of after it.
//
// Memory is bounded by a fixed set of equal buffers ("slots"): the producer blocks in acquire() until the slowest
// consumer has given one back. A consumer that throws cancels the stream: the producer's next acquire() or close()
// rethrows that error, and every thread is joined before the tee is destroyed.
//
// Lock order: a consumer's queue mutex, then the tee's free-list mutex; never the other way round.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::pipeline {

class StreamConsumer {
 public:
  virtual ~StreamConsumer() = default;
  virtual void consume(ByteView data) = 0;
  virtual void finish() {}  // called once after the last buffer, on the consumer's thread
};

class ParallelTee {
 public:
  struct Slot {
    std::vector<uint8_t> data;  // size() = bytes filled, capacity() = slot size
    std::atomic<int> pending{0};
  };

  ParallelTee(std::vector<StreamConsumer*> consumers, std::size_t slot_count, std::size_t slot_size);
  ~ParallelTee();
  ParallelTee(const ParallelTee&) = delete;
  ParallelTee& operator=(const ParallelTee&) = delete;

  Slot& acquire();            // an empty slot; rethrows a consumer's error
  void submit(Slot& filled);  // queue it for every consumer
  void close();               // after the last submit: wait for all consumers, rethrow the first error
  std::size_t slot_size() const { return slot_size_; }

 private:
  struct Lane {
    StreamConsumer* consumer;
    Mutex mutex;
    std::condition_variable ready;
    std::deque<Slot*> queue PFS_GUARDED_BY(mutex);
    bool closed PFS_GUARDED_BY(mutex) = false;
    std::thread thread;
  };

  void run(Lane& lane);
  void give_back(Slot* slot);
  void fail(std::exception_ptr error);
  void rethrow_if_failed();
  void stop_lanes();

  const std::size_t slot_size_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::vector<std::unique_ptr<Lane>> lanes_;

  Mutex free_mutex_;
  std::condition_variable free_ready_;
  std::vector<Slot*> free_ PFS_GUARDED_BY(free_mutex_);
  std::exception_ptr error_ PFS_GUARDED_BY(free_mutex_);
  std::atomic<bool> failed_{false};  // lets consumers skip work once the stream is cancelled
  bool closed_ = false;
};

}  // namespace pfs::pipeline
