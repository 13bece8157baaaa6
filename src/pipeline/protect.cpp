#include "protectedfs/pipeline/protect.hpp"

#include "pipeline/read_ahead.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::pipeline {
namespace {

// Encrypts what the zip writer emits straight into the tee's slots; the IV opens the first slot.
class EncryptingSink final : public format::ByteSink {
 public:
  EncryptingSink(ParallelTee& tee, const crypto::AesKey& key, const crypto::AesIv& iv) : tee_(tee), cipher_(key, iv) {
    put_plain(iv);
  }

  void write(ByteView plain) override {
    while (!plain.empty()) {
      auto& out = slot().data;
      // Room for whole blocks: update() may emit up to 15 bytes buffered from the previous call.
      const std::size_t room = out.capacity() - out.size();
      if (room < 2 * crypto::kAesBlock) {
        flush();
        continue;
      }
      const std::size_t take = std::min(plain.size(), room - (crypto::kAesBlock - 1));
      const std::size_t at = out.size();
      out.resize(at + take + crypto::kAesBlock - 1);
      const std::size_t written = cipher_.update(plain.first(take), std::span(out).subspan(at));
      out.resize(at + written);
      total_ += written;
      plain = plain.subspan(take);
    }
  }

  void finish() {
    auto& out = slot().data;
    if (out.capacity() - out.size() < crypto::kAesBlock) {
      flush();
      return finish();
    }
    const std::size_t at = out.size();
    out.resize(at + crypto::kAesBlock);
    out.resize(at + cipher_.finish(std::span(out).subspan(at)));
    total_ += out.size() - at;
    flush();
  }

  uint64_t total() const { return total_; }

 private:
  ParallelTee::Slot& slot() {
    if (!slot_) slot_ = &tee_.acquire();
    return *slot_;
  }
  // Hands a filled slot to the consumers; an empty one is kept for the next write.
  void flush() {
    if (!slot_ || slot_->data.empty()) return;
    tee_.submit(*slot_);
    slot_ = nullptr;
  }
  void put_plain(ByteView bytes) {
    auto& out = slot().data;
    out.insert(out.end(), bytes.begin(), bytes.end());
    total_ += bytes.size();
  }

  ParallelTee& tee_;
  crypto::AesCbcEncryptor cipher_;
  ParallelTee::Slot* slot_ = nullptr;
  uint64_t total_ = 0;
};

class ChecksumConsumer final : public StreamConsumer {
 public:
  void consume(ByteView data) override { sha_.update(data); }
  void finish() override { digest_ = sha_.finish(); }
  Hash32 digest() const { return digest_; }

 private:
  crypto::Sha256 sha_;
  Hash32 digest_{};
};

class CidConsumer final : public StreamConsumer {
 public:
  void consume(ByteView data) override { builder_.update(data); }
  void finish() override { result_ = builder_.finish(); }
  const format::CidResult& result() const { return result_; }

 private:
  format::CidBuilder builder_;
  format::CidResult result_;
};

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
  ProtectedFile result;
  result.key = options.key ? *options.key : random_array<32>();
  const crypto::AesIv iv = options.iv ? *options.iv : random_array<16>();

  ChecksumConsumer checksum;
  CidConsumer cid;
  std::vector<StreamConsumer*> consumers{&checksum, &cid};
  consumers.insert(consumers.end(), outputs.begin(), outputs.end());

  ParallelTee tee(consumers, options.slot_count, options.slot_size);
  EncryptingSink encrypted(tee, result.key, iv);
  format::ZipWriter zip(encrypted, options.stamp ? *options.stamp : format::DosTime::now());
  const uint64_t total = plan.leaf_bytes();
  uint64_t done = 0;
  for (const ZipItem& item : plan.items) {
    if (item.directory) {
      zip.add_directory(item.path);
      continue;
    }
    zip.begin_file(item.path, item.size(), item.crc);
    zip.write(item.prefix);
    done += item.prefix.size();
    if (item.content.open) stream_content(item, zip, done, total, options);
    zip.end_file();
  }
  zip.finish();
  encrypted.finish();
  tee.close();

  result.checksum = to_hex0x(checksum.digest());
  result.cid = cid.result().cid;
  result.multiaddr = format::multiaddr_p2p(cid.result().digest);
  result.size = encrypted.total();
  return result;
}

}  // namespace pfs::pipeline
