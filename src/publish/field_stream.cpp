#include "publish/field_stream.hpp"

#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include "pipeline/read_ahead.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::publish {
namespace {

constexpr std::size_t kPiece = 1 << 20;  // read from staging per step: what the pipeline handles per slot
constexpr std::size_t kMaxHanded = 4;    // appends held for the thread: 4 MiB of plaintext at most
// What the stream reads from staging at most at once, a piece ahead on a thread of its own (pipeline::ReadAhead):
// the read (direct from the device for a large field) and its at-rest decryption then run beside the serial AES-CBC
// pass instead of before each piece of it. A writer that appends never writes below it; an overwrite there breaks
// the stream, as before.
constexpr uint64_t kLongRead = 64 << 20;
// How far ahead, and with how many readers. While the writer may still be copying, one reader a piece ahead: the
// stream then takes what the copy leaves of the two cores and the disk (with two readers it kept up with a 1 GiB
// copy, which ran at ~430 MB/s instead of ~1,050). Once the publish waits for it (finish()), nothing competes:
// three readers take turns over four pieces, so reads and their decryption run in parallel and the serial AES-CBC
// pass rarely waits (finishing went from ~600 to ~790 MB/s).
struct ReadDepth {
  std::size_t buffers, readers;
};
constexpr ReadDepth kBehindWriter{2, 1}, kFinishing{4, 3};

// [base, base + length) of a field, as a source for ReadAhead: a field shorter than that now throws.
class FieldRange final : public RandomAccessSource {
 public:
  FieldRange(core::FieldContents& contents, uint64_t ino, uint64_t base, uint64_t length)
      : contents_(contents), ino_(ino), base_(base), length_(length) {}
  uint64_t size() const override { return length_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (contents_.read(ino_, base_ + offset, out) != out.size())
      throw Error(EBUSY, "the field shrank while it was zipped");
  }

 private:
  core::FieldContents& contents_;
  const uint64_t ino_, base_, length_;
};

StreamParams fresh_params() {
  return {.key = random_array<32>(), .iv = random_array<16>(), .stamp = format::DosTime::now()};
}

}  // namespace

FieldStream::FieldStream(core::FieldContents& source, uint64_t ino, std::string zip_path, uint64_t written,
                         std::unique_ptr<network::ContentStore::Upload> upload, std::size_t slot_count,
                         std::function<bool()> room)
    : source_(source),
      ino_(ino),
      zip_path_(std::move(zip_path)),
      params_(fresh_params()),
      upload_(std::move(upload)),
      uploader_(*upload_),
      room_(std::move(room)),
      slot_count_(slot_count),
      written_(written) {}

void FieldStream::open_zip() {
  if (zip_) return;
  zip_.emplace(std::vector<pipeline::StreamConsumer*>{&uploader_}, params_.key, params_.iv, params_.stamp, slot_count_,
               kPiece);
  zip_->zip().begin_streamed_file(zip_path_);
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

bool FieldStream::wrote(uint64_t offset, ByteView data) {
  {
    MutexLock lock(mutex_);
    if (broken_ || offset < reading_end_) return !(broken_ = true);
    // An append the thread will reach next: handed over now, so that it is not read back from staging (the copy
    // costs the writer less than the read and the at-rest decryption cost the thread).
    const bool next =
        handed_.empty() ? offset == zipped_ : offset == handed_.back().offset + handed_.back().bytes.size();
    if (next && data.size() <= kPiece && handed_.size() < kMaxHanded) {
      Bytes bytes;
      if (!spare_.empty()) {
        bytes = std::move(spare_.back());
        spare_.pop_back();
      }
      bytes.assign(data.begin(), data.end());
      handed_.push_back({offset, std::move(bytes)});
      reading_end_ = offset + data.size();
    }
    written_ = std::max(written_, offset + data.size());
  }
  changed_.notify_all();
  return true;
}

bool FieldStream::truncated(uint64_t size) {
  MutexLock lock(mutex_);
  if (size < reading_end_) broken_ = true;  // (broken_ stays true once set)
  written_ = std::min(written_, size);
  return !broken_;
}

uint64_t FieldStream::zip_range(uint64_t from, uint64_t to, bool finishing,
                                const std::function<bool(uint64_t)>& go_on) {
  uint64_t done = from;
  const auto zip = [&](ByteView piece) {
    zip_->zip().write(piece);
    read_back_ += piece.size();
    done += piece.size();
    return go_on(done);
  };
  const FieldRange range(source_, ino_, from, to - from);
  if (to - from <= kPiece) {  // one piece: read here (a thread would cost more than the overlap saves)
    piece_.resize(static_cast<std::size_t>(to - from));  // (allocated on first use: most streams never need it)
    const std::span<uint8_t> bytes(piece_.data(), piece_.size());
    range.read_at(0, bytes);
    zip(bytes);
    return done;
  }
  const ReadDepth depth = finishing ? kFinishing : kBehindWriter;
  pipeline::ReadAhead reader(range, to - from, kPiece, depth.buffers, depth.readers);
  for (ByteView piece = reader.next(); !piece.empty(); piece = reader.next())
    if (!zip(piece)) break;
  return done;
}

void FieldStream::run() {
  // Background work yields to the writer: this thread and the pipeline's threads (made here, so they inherit it) run
  // at nice 10, so a copy keeps its speed and the stream catches up after it, during the quiet period its publish
  // waits for anyway. Best effort: refused, the copy only shares the CPU evenly.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  try {
    open_zip();
    for (;;) {
      uint64_t from, to;
      std::optional<Bytes> given;
      {
        MutexLock lock(mutex_);
        while (!stop_ && !broken_ && written_ <= zipped_) lock.wait(changed_);
        if (stop_ || broken_) return;
        from = zipped_;
        if (!handed_.empty() && handed_.front().offset == from) {
          given = std::move(handed_.front().bytes);
          handed_.pop_front();
          to = from + given->size();
        } else {
          to = std::min<uint64_t>(written_, zipped_ + kLongRead);
          if (!handed_.empty()) to = std::min(to, handed_.front().offset);
          // before the read: a write landing under it from now on breaks the stream
          reading_end_ = std::max(reading_end_, to);
        }
      }
      // Near a full disk the stream gives its upload back: the copy needs the room more than the head start.
      const auto check_room = [this] {
        if (room_ && !room_()) throw Error(ENOSPC, "little room left on the disk");
      };
      check_room();
      if (given) {
        zip_->zip().write(*given);
      } else {
        // Stopped (finish() goes on from what was zipped) or broken: the long read ends at the next piece.
        to = zip_range(from, to, false, [&](uint64_t done) {
          check_room();
          MutexLock lock(mutex_);
          zipped_ = done;
          return !stop_ && !broken_;
        });
      }
      MutexLock lock(mutex_);
      zipped_ = to;
      if (given && spare_.size() < kMaxHanded) spare_.push_back(std::move(*given));
    }
  } catch (const std::exception& e) {
    // The publish does a full pass instead: nothing is lost but the head start.
    spdlog::debug("zipping field {} while written stopped: {}", ino_, e.what());
    {
      MutexLock lock(mutex_);
      broken_ = true;
    }
    zip_.reset();  // the pipeline's threads stopped first: nothing writes to the upload any more
    upload_.reset();
  }
}

std::optional<StreamedVersion> FieldStream::finish(uint64_t size,
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
  const uint64_t at_finish = size - done;
  open_zip();  // if the thread never got to it
  if (done < size)
    zip_range(done, size, true, [&](uint64_t at) {
      if (progress) progress(at, size);
      return true;
    });
  zip_->zip().end_file();
  return StreamedVersion{zip_->finish(), std::move(upload_), read_back_, at_finish};
}

}  // namespace pfs::publish
