// The field contents the file system writes through, with large fields zipped ahead (publish/field_stream.hpp):
// once a write takes a field to `start_at` bytes and the field is its protected data's only entry, a FieldStream
// follows its writes, so that the publish only finishes what the copy already did. Every call is forwarded to the
// contents below; writes, truncates and removals also keep the streams honest (one that a change makes useless is
// dropped, and the publish does its full pass as before).
//
// Only for stores that can keep an upload open for as long as a file is being written (the local network's); a
// stream holds a few MiB of buffers and a thread, and at most `max_streams` run at once.
//
// Lock order: the file system's tree lock (held by its truncate and remove), then this mutex, then a stream's.
// The file system is never called with this mutex held.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/pipeline/pack_plan.hpp"
#include "protectedfs/pipeline/protect.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::publish {

class FieldStream;
struct StreamParams;

// A version zipped while its field was written, finished (FieldStream::finish) and handed to the publish.
struct StreamedVersion {
  pipeline::ProtectedFile file;
  std::unique_ptr<network::ContentStore::Upload> upload;  // holds the whole file, not committed
  uint64_t read_back = 0;  // plaintext bytes read back from staging rather than handed over by the writer
  uint64_t at_finish = 0;  // plaintext bytes left for finish(): what the stream had not reached by then
};

struct StreamingOptions {
  uint64_t start_at = 16ull << 20;  // at least format::kStreamedLeafBytes
  std::size_t max_streams = 2;
  std::size_t slot_count = 4;  // MiB of ciphertext in flight per stream
  // Bytes free on the disk the copies go to (null: not watched). A stream starts, and goes on, only while at least
  // min_free bytes are free: its upload takes as much room as the file, and a copy near a full disk needs it more.
  std::function<uint64_t()> free_bytes;
  uint64_t min_free = 1ull << 30;
};

class StreamingContents final : public core::FieldContents {
 public:
  StreamingContents(core::FieldContents& inner, network::ContentStore& storage, StreamingOptions options = {});
  ~StreamingContents() override;

  // Which fields are the only entry of their protected data, and their zip path: asked of the file system, which
  // exists after these contents (nothing streams before).
  void attach_filesystem(core::Filesystem& fs) { fs_ = &fs; }

  void create(uint64_t ino) override { inner_.create(ino); }
  void attach(uint64_t ino, const core::PublishedLeaf& leaf) override;
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) override {
    return inner_.read(ino, offset, out);
  }
  void write(uint64_t ino, uint64_t offset, ByteView data) override;
  void truncate(uint64_t ino, uint64_t size) override;
  void sync(uint64_t ino) override { inner_.sync(ino); }
  void settle(uint64_t ino) override { inner_.settle(ino); }
  void remove(uint64_t ino) override;
  std::optional<uint64_t> published_size(uint64_t ino) override { return inner_.published_size(ino); }

  // For the publisher: the key, IV and stamp of the stream of this snapshot's only field, if one runs (a new saga
  // takes them); then the upload of a plan made of that field alone, finished from the stream (nullopt: none fits,
  // the caller does a full pass).
  std::optional<StreamParams> params_for(const core::DataSnapshot& snap) PFS_EXCLUDES(mutex_);
  std::optional<StreamedVersion> claim(const core::DataSnapshot& snap, const pipeline::PackPlan& plan,
                                       const StreamParams& params,
                                       const std::function<void(uint64_t, uint64_t)>& progress) PFS_EXCLUDES(mutex_);

  // For tests and the log: streams running now, and versions finished from a stream so far.
  std::size_t running() PFS_EXCLUDES(mutex_);
  uint64_t claimed() PFS_EXCLUDES(mutex_);

 private:
  // The zip path of a field that is its protected data's only entry, typed (or to be detected) as whole content.
  std::optional<std::string> sole_leaf(uint64_t ino);
  void maybe_start(uint64_t ino, uint64_t end) PFS_EXCLUDES(mutex_);
  // Removes the field's stream (to be destroyed by the caller, outside the mutex) and forgets a refusal.
  std::unique_ptr<FieldStream> take(uint64_t ino) PFS_REQUIRES(mutex_);
  void drop(uint64_t ino) PFS_EXCLUDES(mutex_);  // take(), and the stream destroyed outside the mutex

  core::FieldContents& inner_;
  network::ContentStore& storage_;
  const StreamingOptions options_;
  core::Filesystem* fs_ = nullptr;

  Mutex mutex_;
  std::map<uint64_t, std::unique_ptr<FieldStream>> streams_ PFS_GUARDED_BY(mutex_);
  // Fields found not worth streaming (not their data's only entry), so each write past start_at does not ask the
  // file system again; forgotten at truncate below start_at and removal, and bounded.
  std::set<uint64_t> declined_ PFS_GUARDED_BY(mutex_);
  uint64_t claimed_ PFS_GUARDED_BY(mutex_) = 0;
};

}  // namespace pfs::publish
