#include "publish/field_stream.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "protectedfs/util/quote.hpp"

namespace pfs::publish {
namespace {

constexpr std::size_t kPiece = 1 << 20;  // read from staging per step: what the pipeline handles per slot

StreamParams fresh_params() {
  return {.key = random_array<32>(), .iv = random_array<16>(), .stamp = format::DosTime::now()};
}

}  // namespace

FieldStream::FieldStream(core::FieldContents& source, uint64_t ino, std::string zip_path, uint64_t written,
                         std::unique_ptr<network::ContentStore::Upload> upload, std::size_t slot_count)
    : source_(source),
      ino_(ino),
      zip_path_(std::move(zip_path)),
      params_(fresh_params()),
      upload_(std::move(upload)),
      uploader_(*upload_),
      zip_({&uploader_}, params_.key, params_.iv, params_.stamp, slot_count, kPiece),
      piece_(kPiece),
      written_(written) {
  zip_.zip().begin_streamed_file(zip_path_);
}

FieldStream::~FieldStream() {
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FieldStream::start() {
  thread_ = std::thread([this] { run(); });
}

bool FieldStream::wrote(uint64_t offset, uint64_t end) {
  {
    MutexLock lock(mutex_);
    if (offset < reading_end_) return !(broken_ = true);
    written_ = std::max(written_, end);
  }
  changed_.notify_all();
  return true;
}

bool FieldStream::truncated(uint64_t size) {
  MutexLock lock(mutex_);
  if (size < reading_end_) broken_ = true;
  written_ = std::min(written_, size);
  return !broken_;
}

void FieldStream::zip_piece(uint64_t from, uint64_t to) {
  const std::span<uint8_t> bytes(piece_.data(), static_cast<std::size_t>(to - from));
  if (source_.read(ino_, from, bytes) != bytes.size()) throw Error(EBUSY, "the field shrank while it was zipped");
  zip_.zip().write(bytes);
}

void FieldStream::run() {
  try {
    for (;;) {
      uint64_t from, to;
      {
        MutexLock lock(mutex_);
        while (!stop_ && !broken_ && written_ <= zipped_) lock.wait(changed_);
        if (stop_ || broken_) return;
        from = zipped_;
        to = std::min<uint64_t>(written_, zipped_ + kPiece);
        reading_end_ = to;  // before the read: a write landing under it from now on breaks the stream
      }
      zip_piece(from, to);
      MutexLock lock(mutex_);
      zipped_ = to;
    }
  } catch (const std::exception& e) {
    // The publish does a full pass instead: nothing is lost but the head start.
    spdlog::debug("zipping field {} while written stopped: {}", ino_, e.what());
    MutexLock lock(mutex_);
    broken_ = true;
  }
}

std::optional<FieldStream::Finished> FieldStream::finish(uint64_t size,
                                                         const std::function<void(uint64_t, uint64_t)>& progress) {
  {
    MutexLock lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  uint64_t done;
  {
    MutexLock lock(mutex_);
    if (broken_ || zipped_ > size) return std::nullopt;
    done = zipped_;
  }
  while (done < size) {
    const uint64_t to = std::min<uint64_t>(size, done + kPiece);
    zip_piece(done, to);
    done = to;
    if (progress) progress(done, size);
  }
  zip_.zip().end_file();
  Finished finished{zip_.finish(), std::move(upload_)};
  return finished;
}

}  // namespace pfs::publish
