#include "protectedfs/pipeline/encrypted_zip.hpp"

#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"

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

}  // namespace

struct EncryptedZip::Parts {
  Parts(const std::vector<StreamConsumer*>& outputs, const crypto::AesKey& data_key, const crypto::AesIv& iv,
        format::DosTime stamp, std::size_t slot_count, std::size_t slot_size)
      : tee(consumers_with(outputs), slot_count, slot_size), sink(tee, data_key, iv), zip(sink, stamp), key(data_key) {}

  std::vector<StreamConsumer*> consumers_with(const std::vector<StreamConsumer*>& outputs) {
    std::vector<StreamConsumer*> all{&checksum, &cid};
    all.insert(all.end(), outputs.begin(), outputs.end());
    return all;
  }

  ChecksumConsumer checksum;  // declared before the tee: its threads use them until it is destroyed
  CidConsumer cid;
  ParallelTee tee;
  EncryptingSink sink;
  format::ZipWriter zip;
  crypto::AesKey key;
};

EncryptedZip::EncryptedZip(const std::vector<StreamConsumer*>& outputs, const crypto::AesKey& key,
                           const crypto::AesIv& iv, format::DosTime stamp, std::size_t slot_count,
                           std::size_t slot_size)
    : parts_(std::make_unique<Parts>(outputs, key, iv, stamp, slot_count, slot_size)) {}

EncryptedZip::~EncryptedZip() = default;

format::ZipWriter& EncryptedZip::zip() { return parts_->zip; }

ProtectedFile EncryptedZip::finish() {
  parts_->zip.finish();
  parts_->sink.finish();
  parts_->tee.close();
  ProtectedFile result;
  result.key = parts_->key;
  result.checksum = to_hex0x(parts_->checksum.digest());
  result.cid = parts_->cid.result().cid;
  result.multiaddr = format::multiaddr_p2p(parts_->cid.result().digest);
  result.size = parts_->sink.total();
  return result;
}

}  // namespace pfs::pipeline
