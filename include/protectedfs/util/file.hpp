// File-system helpers with errno-carrying errors: an owning descriptor, full reads and writes, random-access
// sources, and output that appears atomically (written to a temporary sibling, renamed on commit).
#pragma once
#include <sys/types.h>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "protectedfs/util/bytes.hpp"

namespace pfs {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// open(2) that throws Error(errno, "cannot open PATH: reason").
UniqueFd open_file(const std::filesystem::path& path, int flags, mode_t mode = 0600);
// Reads up to out.size() bytes, retrying short reads; returns the count (less only at end of file).
std::size_t read_full(int fd, std::span<uint8_t> out);
void pread_full(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& what);
void write_full(int fd, ByteView data, const std::string& what);
// The process's umask, read without changing it (from /proc; umask(2) itself can only read by setting).
mode_t current_umask();
// mkdir -p where every folder created gets exactly 0700 (whatever the umask), and `dir` itself is made 0700 even if
// it existed: for the state protectedfs keeps (SPEC.md §1), which no other user may read or replace.
void create_private_directories(const std::filesystem::path& dir);

// The whole file, or nullopt if it does not exist (other errors throw).
std::optional<std::string> read_whole_file(const std::filesystem::path& path);

// Random-access input of known size: a file, or a decrypting view over one.
class RandomAccessSource {
 public:
  virtual ~RandomAccessSource() = default;
  virtual uint64_t size() const = 0;
  // Fills `out` with the bytes at [offset, offset + out.size()); throws if that range is outside the source.
  virtual void read_at(uint64_t offset, std::span<uint8_t> out) const = 0;
};

class FileSource final : public RandomAccessSource {
 public:
  explicit FileSource(const std::filesystem::path& path);
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;
  int fd() const { return fd_.get(); }

 private:
  std::string name_;
  UniqueFd fd_;
  uint64_t size_ = 0;
};

class MemorySource final : public RandomAccessSource {
 public:
  explicit MemorySource(Bytes data) : data_(std::move(data)) {}
  uint64_t size() const override { return data_.size(); }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override;

 private:
  Bytes data_;
};

// Sequential output that will not be read back soon (content stored once, read rarely): written with O_DIRECT
// through one aligned buffer, so the bytes skip the page cache (no kernel copy into it, no dirty pages for the
// writeback to chase, nothing to evict afterwards). The stream's pieces may have any size: whole buffers go direct,
// the tail goes through the page cache at finish(). Where the file system refuses O_DIRECT, plain writes. The
// descriptor stays the caller's; finish() before fsync. After a failed write (a full disk) the file's end is
// unknown: every later call fails with EIO rather than append after a hole or repeat bytes.
class DirectWriter {
 public:
  DirectWriter(int fd, std::string what, std::size_t buffer_size = 1 << 20);
  void write(ByteView data);
  void finish();

 private:
  void write_direct(ByteView data);
  void go_buffered();
  void append(ByteView data);
  void write_tail();
  // Runs `step`; a failure marks the writer failed (the file's end is unknown) before it propagates.
  template <typename Step>
  void guarded(Step&& step) {
    if (failed_) throw Error(EIO, "an earlier write of " + what_ + " failed");
    try {
      step();
    } catch (...) {
      failed_ = true;
      throw;
    }
  }

  struct Free {
    void operator()(uint8_t* p) const;
  };
  int fd_;
  std::string what_;
  std::unique_ptr<uint8_t[], Free> buffer_;
  std::size_t capacity_ = 0, used_ = 0;
  bool direct_ = false;
  bool failed_ = false;
};

// A file written under a temporary name in the target's directory and renamed into place by commit(); destroyed
// without commit() it is removed, so a failed command never leaves a partial output behind.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target, mode_t mode = 0644);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  int fd() const { return fd_.get(); }
  void write(ByteView data) { write_full(fd_.get(), data, target_.string()); }
  void commit();  // fsync, rename over the target, fsync the directory

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  UniqueFd fd_;
  bool committed_ = false;
};

}  // namespace pfs
