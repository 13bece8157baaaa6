#include "protectedfs/pipeline/parallel_tee.hpp"

#include <algorithm>

#include "protectedfs/util/error.hpp"

namespace pfs::pipeline {

ParallelTee::ParallelTee(std::vector<StreamConsumer*> consumers, std::size_t slot_count, std::size_t slot_size)
    : slot_size_(slot_size) {
  for (std::size_t i = 0; i < slot_count; ++i) {
    slots_.push_back(std::make_unique<Slot>());
    slots_.back()->data.reserve(slot_size);
    free_.push_back(slots_.back().get());
  }
  for (StreamConsumer* consumer : consumers) {
    lanes_.push_back(std::make_unique<Lane>());
    lanes_.back()->consumer = consumer;
  }
  for (auto& lane : lanes_) lane->thread = std::thread([this, l = lane.get()] { run(*l); });
}

ParallelTee::~ParallelTee() {
  if (!closed_) fail(std::make_exception_ptr(Error(ECANCELED, "stream abandoned")));
  stop_lanes();
}

void ParallelTee::stop_lanes() {
  for (auto& lane : lanes_) {
    {
      MutexLock lock(lane->mutex);
      lane->closed = true;
    }
    lane->ready.notify_one();
  }
  for (auto& lane : lanes_)
    if (lane->thread.joinable()) lane->thread.join();
}

void ParallelTee::run(Lane& lane) {
  for (;;) {
    Slot* slot = nullptr;
    {
      MutexLock lock(lane.mutex);
      while (!lane.closed && lane.queue.empty()) lock.wait(lane.ready);
      if (lane.queue.empty()) break;  // closed and drained
      slot = lane.queue.front();
      lane.queue.pop_front();
    }
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        lane.consumer->consume(ByteView(slot->data.data(), slot->data.size()));
      } catch (...) {
        fail(std::current_exception());
      }
    }
    give_back(slot);
  }
  if (failed_.load()) return;
  try {
    lane.consumer->finish();
  } catch (...) {
    fail(std::current_exception());
  }
}

void ParallelTee::give_back(Slot* slot) {
  if (slot->pending.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  {
    MutexLock lock(free_mutex_);
    slot->data.clear();
    free_.push_back(slot);
  }
  free_ready_.notify_one();
}

void ParallelTee::fail(std::exception_ptr error) {
  {
    MutexLock lock(free_mutex_);
    if (!error_) error_ = std::move(error);
    failed_ = true;
  }
  free_ready_.notify_all();
}

void ParallelTee::rethrow_if_failed() {
  MutexLock lock(free_mutex_);
  if (error_) std::rethrow_exception(error_);
}

ParallelTee::Slot& ParallelTee::acquire() {
  MutexLock lock(free_mutex_);
  while (!error_ && free_.empty()) lock.wait(free_ready_);
  if (error_) std::rethrow_exception(error_);
  Slot* slot = free_.back();
  free_.pop_back();
  return *slot;
}

void ParallelTee::submit(Slot& slot) {
  slot.pending.store(std::max(1, static_cast<int>(lanes_.size())), std::memory_order_release);
  if (lanes_.empty()) return give_back(&slot);
  for (auto& lane : lanes_) {
    {
      MutexLock lock(lane->mutex);
      lane->queue.push_back(&slot);
    }
    lane->ready.notify_one();
  }
}

void ParallelTee::close() {
  closed_ = true;
  stop_lanes();
  rethrow_if_failed();
}

}  // namespace pfs::pipeline
