#include "protectedfs/pipeline/protect.hpp"

#include "pipeline/read_ahead.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::pipeline {
namespace {

// Streams one content region into the zip entry, checking the content did not change since it was planned. A
// region larger than one read is read ahead on a second thread (read_ahead.hpp); a small one is read here, where a
// thread would cost more than the overlap saves.
void stream_content(const ZipItem& item, format::ZipWriter& zip, uint64_t& done, uint64_t total,
                    const ProtectOptions& options) {
  const auto source = item.content.open();
  if (source->size() != item.content.size)
    throw Error(EBUSY, item.content.name + " changed size while it was being packed; try again");
  const auto put = [&](ByteView piece) {
    zip.write(piece);
    done += piece.size();
    if (options.progress) options.progress(done, total);
  };
  if (item.content_bytes <= options.read_size) {
    Bytes buffer(static_cast<std::size_t>(item.content_bytes));
    source->read_at(0, buffer);
    if (!buffer.empty()) put(buffer);
    return;
  }
  ReadAhead reader(*source, item.content_bytes, options.read_size);
  for (ByteView piece = reader.next(); !piece.empty(); piece = reader.next()) put(piece);
}

}  // namespace

ProtectedFile protect(const PackPlan& plan, const std::vector<StreamConsumer*>& outputs,
                      const ProtectOptions& options) {
  const crypto::AesKey key = options.key ? *options.key : random_array<32>();
  const crypto::AesIv iv = options.iv ? *options.iv : random_array<16>();
  EncryptedZip stream(outputs, key, iv, options.stamp ? *options.stamp : format::DosTime::now(), options.slot_count,
                      options.slot_size);
  format::ZipWriter& zip = stream.zip();
  const uint64_t total = plan.leaf_bytes();
  uint64_t done = 0;
  for (const ZipItem& item : plan.items) {
    if (item.directory) {
      zip.add_directory(item.path);
      continue;
    }
    // The layout a leaf zipped while it was written has (publish/field_stream.hpp): the same bytes either way.
    if (!item.crc && item.size() >= format::kStreamedLeafBytes) zip.begin_streamed_file(item.path);
    else zip.begin_file(item.path, item.size(), item.crc);
    zip.write(item.prefix);
    done += item.prefix.size();
    if (item.content.open) stream_content(item, zip, done, total, options);
    zip.end_file();
  }
  return stream.finish();
}

}  // namespace pfs::pipeline
