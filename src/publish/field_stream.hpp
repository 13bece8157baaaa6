// One field zipped, encrypted, hashed and uploaded while it is still being written (issue 12: a large file is
// published at the speed it is copied in, not after it). A background thread follows the writer and feeds the
// field's bytes in order to a pipeline::EncryptedZip whose ciphertext goes to an upload that is not committed: the
// bytes of an append are handed over as they are written (a copy in one of a few piece buffers), so they are not
// read back and decrypted from staging; what it could not take then (it lagged, or the bytes were there before it
// started) it reads from the staged copy. At publish time the publisher
// finishes the stream (the last bytes, the zip's end, the hashes) instead of a full pass, and commits it.
//
// A stream is only worth something while every byte it has zipped is still the field's: a write or truncate below
// what it has read (reading_end) breaks it, and its owner (StreamingContents) drops it; the upload then goes with it.
// The entry it writes is a streamed one (format::ZipWriter::begin_streamed_file), the layout protect() also gives a
// leaf of that size, so the key, IV and stamp of a stream reproduce its bytes in a full pass (a redone upload).
//
// Lock order: the owner's mutex, then this stream's.
#pragma once
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/pipeline/encrypted_zip.hpp"
#include "protectedfs/publish/streaming_contents.hpp"
#include "protectedfs/util/mutex.hpp"
#include "publish/upload_consumer.hpp"

namespace pfs::publish {

// What a version zipped ahead was encrypted with: its saga must use the same.
struct StreamParams {
  crypto::AesKey key{};
  crypto::AesIv iv{};
  format::DosTime stamp;
  bool operator==(const StreamParams&) const = default;
};

class FieldStream {
 public:
  // `written`: how far the field is known to be written now. Nothing is read before start().
  // `room()`: whether the disk has room to keep streaming (null: always); asked before each piece.
  FieldStream(core::FieldContents& source, uint64_t ino, std::string zip_path, uint64_t written,
              std::unique_ptr<network::ContentStore::Upload> upload, std::size_t slot_count,
              std::function<bool()> room);
  ~FieldStream();  // stops the thread; an unfinished stream's upload is dropped
  FieldStream(const FieldStream&) = delete;
  FieldStream& operator=(const FieldStream&) = delete;

  void start();
  // The writer's hooks, after the bytes are stored: false when the change touches bytes already read or handed
  // over (the stream is then useless).
  bool wrote(uint64_t offset, ByteView data) PFS_EXCLUDES(mutex_);
  bool truncated(uint64_t size) PFS_EXCLUDES(mutex_);

  const std::string& zip_path() const { return zip_path_; }
  const StreamParams& params() const { return params_; }

  // Stops the thread and finishes on the caller's thread: the field's bytes up to `size`, then the zip's end.
  // nullopt if the stream broke meanwhile or already went past `size`. `progress(done, total)` may throw to stop.
  std::optional<StreamedVersion> finish(uint64_t size, const std::function<void(uint64_t, uint64_t)>& progress)
      PFS_EXCLUDES(mutex_);

 private:
  struct Handed {
    uint64_t offset;
    Bytes bytes;
  };

  void run() PFS_EXCLUDES(mutex_);
  // Reads [from, to) of the field into the zip (more than a piece: read ahead on threads of their own, more of them
  // when `finishing`); after each piece, stops unless go_on(bytes zipped so far) says to go on. Returns where it
  // stopped.
  uint64_t zip_range(uint64_t from, uint64_t to, bool finishing, const std::function<bool(uint64_t)>& go_on);
  void open_zip();  // the zip and its entry, made on first use

  core::FieldContents& source_;
  const uint64_t ino_;
  const std::string zip_path_;
  const StreamParams params_;
  std::unique_ptr<network::ContentStore::Upload> upload_;
  UploadConsumer uploader_;
  const std::function<bool()> room_;
  const std::size_t slot_count_;
  // Fed by the thread, then (once it is joined) by finish(); the thread drops it and the upload when it stops
  // early (an error, a disk running out of room), so a broken stream holds no space.
  std::optional<pipeline::EncryptedZip> zip_;
  Bytes piece_;
  uint64_t read_back_ = 0;  // by the thread, then by finish()

  Mutex mutex_;
  std::condition_variable changed_;
  uint64_t written_ PFS_GUARDED_BY(mutex_);           // the writer's end so far: what may be read now
  uint64_t zipped_ PFS_GUARDED_BY(mutex_) = 0;        // bytes in the zip
  uint64_t reading_end_ PFS_GUARDED_BY(mutex_) = 0;   // bytes read, being read or handed: a change below breaks it
  std::deque<Handed> handed_ PFS_GUARDED_BY(mutex_);  // appends handed over, in order, not zipped yet
  std::vector<Bytes> spare_ PFS_GUARDED_BY(mutex_);   // piece buffers to reuse (no allocation per write)
  bool stop_ PFS_GUARDED_BY(mutex_) = false;
  bool broken_ PFS_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace pfs::publish
