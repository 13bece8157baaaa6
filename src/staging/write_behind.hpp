// Write-behind for large staged writes (issue 12). A copy through FUSE is a chain: cp waits for the reply to each
// write before it sends the next. Sealing a 1 MiB write takes ~0.15 ms on two cores, but writing it to the disk
// took ~0.7 ms more, so the copy waited for the disk on every write. A large write is now sealed into one of a few
// buffers and handed to one thread that writes the buffers in the order they came; the write returns at once, and
// the disk works while cp sends the next one.
//
// What a handle sees is unchanged, but for one thing: a large write() alone no longer makes its bytes survive a
// kill -9 of the daemon; the close(2) after it does (SPEC §5 promises no more). Otherwise:
// - reads see a write as soon as it returned: read_blocks() lays the runs still queued over what it read from disk
//   (block_io.cpp), and a write that reads back an edge block does the same;
// - a write that is done before it returns (a small one, a truncate's last block) waits first for every run of its
//   file still queued, so the two land in the order they were made;
// - close(2) of a writable descriptor (FLUSH: StagingStore::settle()) waits for the file's runs, so what was
//   written when it returns survives kill -9; sync() (fsync) waits for them before it flushes: power loss too;
// - a full disk fails the write() that asks for room, not the background write after it returned: the file's space
//   is allocated ahead of the runs (staged_file.cpp, reserve()). What can still fail late is the device itself; the
//   file is then marked (FileState::late_error): its reads fail with EIO, and so do its writes, syncs and closes,
//   until it is truncated to 0 (cp over it, a shell's >) or removed.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "format.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::staging::detail {

struct FileState;

class WriteBehind {
 public:
  // A run holds the blocks of one write of up to 1 MiB (FUSE's max_write), wherever it starts.
  static constexpr std::size_t kRunBlocks = (1 << 20) / format::kCapacity + 2;
  // Buffers in flight at most: one being filled, one being written, two waiting; 4 MiB, mapped on first use and
  // unmapped once nothing was written for kIdle (a copy's bursts keep them; the publish after it does not).
  static constexpr std::size_t kBuffers = 4;
  static constexpr std::size_t kBufferBytes = kRunBlocks * format::kBlockSize;
  static constexpr std::chrono::milliseconds kIdle{50};

  struct Unmap {
    void operator()(uint8_t* p) const;
  };
  using Buffer = std::unique_ptr<uint8_t[], Unmap>;  // kRunBlocks blocks, page-aligned (O_DIRECT)

  static WriteBehind& instance();  // started on first use; never stopped (it outlives static destruction)

  // A free buffer; waits while every one is in flight.
  Buffer take() PFS_EXCLUDES(mutex_);
  // Gives back a buffer taken and not submitted (the write failed before).
  void give_back(Buffer buffer) PFS_EXCLUDES(mutex_);
  // Queues blocks [first, first + count) of `file`, sealed in `blocks`; returns at once.
  void submit(std::shared_ptr<FileState> file, uint64_t first, std::size_t count, Buffer blocks) PFS_EXCLUDES(mutex_);
  // The runs of `file` still queued or being written that hold any of blocks [first, first + count), in the order
  // they were submitted. Taken before a read from disk and laid over it (overlay()), they give the blocks as the
  // last write left them: a run that lands meanwhile is in what the read found, or in the copy.
  class Pending;
  Pending pending(const FileState& file, uint64_t first, std::size_t count) PFS_EXCLUDES(mutex_);
  // Waits until no run of `file` is queued or being written.
  void drain(const FileState& file) PFS_EXCLUDES(mutex_);
  // Waits until no run of any file is: a staging store that goes waits for its files' runs.
  void drain_all() PFS_EXCLUDES(mutex_);

  // Tests only: runs before each background write, on the writing thread; what it throws is the write's failure.
  void set_fault(std::function<void()> before_write) PFS_EXCLUDES(mutex_);
  // Tests only: the thread writes nothing while held (reads then see the runs through pending()).
  void hold(bool held) PFS_EXCLUDES(mutex_);

 private:
  struct Run {
    Run(std::shared_ptr<FileState> file_, uint64_t first_, std::size_t count_, Buffer blocks_)
        : file(std::move(file_)), first(first_), count(count_), blocks(std::move(blocks_)) {}
    ~Run();  // the buffer goes back to the pool once neither the thread nor a reader holds the run
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    std::shared_ptr<FileState> file;
    uint64_t first;
    std::size_t count;
    Buffer blocks;
  };

  WriteBehind() = default;
  void run() PFS_EXCLUDES(mutex_);
  void write_run(const Run& run);

  Mutex mutex_;
  std::condition_variable queued_, freed_, landed_;
  std::deque<std::shared_ptr<Run>> queue_ PFS_GUARDED_BY(mutex_);  // the front one is being written
  std::vector<Buffer> free_ PFS_GUARDED_BY(mutex_);
  std::size_t allocated_ PFS_GUARDED_BY(mutex_) = 0;
  bool started_ PFS_GUARDED_BY(mutex_) = false;
  bool held_ PFS_GUARDED_BY(mutex_) = false;
  std::function<void()> fault_ PFS_GUARDED_BY(mutex_);
};

class WriteBehind::Pending {
 public:
  Pending() = default;
  // Copies the runs' blocks that fall in [first, first + count) over `out` (count blocks), oldest first.
  void overlay(uint64_t first, std::size_t count, uint8_t* out) const;

 private:
  friend class WriteBehind;
  std::vector<std::shared_ptr<const Run>> runs_;
};

}  // namespace pfs::staging::detail
