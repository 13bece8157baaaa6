#include "protectedfs/publish/streaming_contents.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "protectedfs/format/field_type.hpp"
#include "publish/field_stream.hpp"

namespace pfs::publish {
namespace {

constexpr std::size_t kMaxDeclined = 4096;

// The snapshot's only entry, if it is a field.
const core::FieldSnapshot* sole_field(const core::DataSnapshot& snap) {
  if (snap.entries.size() != 1 || snap.entries.front().directory) return nullptr;
  return &snap.entries.front();
}

}  // namespace

StreamingContents::StreamingContents(core::FieldContents& inner, network::ContentStore& storage,
                                     StreamingOptions options)
    : inner_(inner), storage_(storage), options_(options) {
  if (options_.start_at < format::kStreamedLeafBytes)
    throw Error(EINVAL, "fields are zipped while written from " + std::to_string(format::kStreamedLeafBytes) +
                            " bytes on, not " + std::to_string(options_.start_at));
}

StreamingContents::~StreamingContents() = default;

std::optional<std::string> StreamingContents::sole_leaf(uint64_t ino) {
  if (!fs_) return std::nullopt;
  try {
    const auto data = fs_->data_of_field(ino);
    if (!data) return std::nullopt;
    const core::DataSnapshot snap = fs_->snapshot(*data);
    const core::FieldSnapshot* field = sole_field(snap);
    if (!field || field->ino != ino) return std::nullopt;
    // Scalars and strings get a borsh prefix the size decides; detected content may still turn out to be text
    // (then the publish does its full pass).
    if (field->type && !format::is_binary(format::parse_field_type(*field->type))) return std::nullopt;
    return pipeline::zip_path_of(field->keys);
  } catch (const Error&) {
    return std::nullopt;  // gone meanwhile, or a size not known yet: not worth a stream
  }
}

std::unique_ptr<FieldStream> StreamingContents::take(uint64_t ino) {
  declined_.erase(ino);
  const auto it = streams_.find(ino);
  if (it == streams_.end()) return nullptr;
  auto stream = std::move(it->second);
  streams_.erase(it);
  return stream;
}

void StreamingContents::maybe_start(uint64_t ino, uint64_t end) {
  {
    MutexLock lock(mutex_);
    if (streams_.size() >= options_.max_streams || declined_.count(ino)) return;
  }
  const auto path = sole_leaf(ino);  // asks the file system: never under the mutex
  if (!path) {
    MutexLock lock(mutex_);
    if (declined_.size() >= kMaxDeclined) declined_.clear();
    declined_.insert(ino);
    return;
  }
  std::unique_ptr<FieldStream> stream;
  try {
    std::function<bool()> room;
    if (options_.free_bytes) room = [this] { return options_.free_bytes() >= options_.min_free; };
    if (room && !room()) return;
    stream = std::make_unique<FieldStream>(inner_, ino, *path, end, storage_.begin_upload(), options_.slot_count,
                                           std::move(room));
  } catch (const Error& e) {
    spdlog::debug("field {} not zipped while written: {}", ino, e.what());
    return;
  }
  MutexLock lock(mutex_);
  if (streams_.size() >= options_.max_streams || streams_.count(ino)) return;  // another writer was first
  // Started once registered: every write whose hook runs from now on is checked against what it reads, and every
  // earlier one is already stored, so the thread reads it.
  stream->start();
  streams_.emplace(ino, std::move(stream));
}

void StreamingContents::write(uint64_t ino, uint64_t offset, ByteView data) {
  inner_.write(ino, offset, data);
  const uint64_t end = offset + data.size();
  std::unique_ptr<FieldStream> broken;  // destroyed (its thread joined) after the mutex is released
  bool start = false;
  {
    MutexLock lock(mutex_);
    const auto it = streams_.find(ino);
    if (it == streams_.end()) start = end >= options_.start_at;
    else if (!it->second->wrote(offset, data)) broken = take(ino);
  }
  if (start) maybe_start(ino, end);
}

void StreamingContents::truncate(uint64_t ino, uint64_t size) {
  inner_.truncate(ino, size);
  std::unique_ptr<FieldStream> broken;
  MutexLock lock(mutex_);
  if (size < options_.start_at) declined_.erase(ino);
  const auto it = streams_.find(ino);
  if (it != streams_.end() && !it->second->truncated(size)) broken = take(ino);
  lock.unlock();
}

void StreamingContents::remove(uint64_t ino) {
  inner_.remove(ino);
  drop(ino);
}

void StreamingContents::attach(uint64_t ino, const core::PublishedLeaf& leaf) {
  inner_.attach(ino, leaf);
  drop(ino);
}

void StreamingContents::drop(uint64_t ino) {
  std::unique_ptr<FieldStream> gone;
  MutexLock lock(mutex_);
  gone = take(ino);
  lock.unlock();  // `gone` is destroyed (its thread joined) without the mutex
}

std::optional<StreamParams> StreamingContents::params_for(const core::DataSnapshot& snap) {
  const core::FieldSnapshot* field = sole_field(snap);
  if (!field) return std::nullopt;
  MutexLock lock(mutex_);
  const auto it = streams_.find(field->ino);
  if (it == streams_.end()) return std::nullopt;
  return it->second->params();
}

std::optional<StreamedVersion> StreamingContents::claim(const core::DataSnapshot& snap, const pipeline::PackPlan& plan,
                                                        const StreamParams& params,
                                                        const std::function<void(uint64_t, uint64_t)>& progress) {
  // Every stream of this data's fields is taken: one that does not fit this version (a field added or linked since
  // it started, a resumed saga with its own key) would otherwise follow its field on, holding an upload, for nothing.
  std::vector<std::unique_ptr<FieldStream>> taken;
  {
    MutexLock lock(mutex_);
    for (const auto& entry : snap.entries)
      if (auto stream = entry.directory ? nullptr : take(entry.ino)) taken.push_back(std::move(stream));
  }
  const core::FieldSnapshot* field = sole_field(snap);
  if (!field || taken.size() != 1 || plan.items.size() != 1) return std::nullopt;
  const pipeline::ZipItem& item = plan.items.front();
  // The plan protect() would write as a streamed entry: the field's bytes alone (no borsh prefix, no CRC known).
  if (item.directory || !item.prefix.empty() || item.crc || item.content_bytes != field->size ||
      item.content_bytes < format::kStreamedLeafBytes)
    return std::nullopt;
  FieldStream& stream = *taken.front();
  if (stream.zip_path() != item.path || stream.params() != params) return std::nullopt;
  auto finished = stream.finish(field->size, progress);
  if (finished) {
    MutexLock lock(mutex_);
    ++claimed_;
  }
  return finished;
}

uint64_t StreamingContents::claimed() {
  MutexLock lock(mutex_);
  return claimed_;
}

std::size_t StreamingContents::running() {
  MutexLock lock(mutex_);
  return streams_.size();
}

}  // namespace pfs::publish
