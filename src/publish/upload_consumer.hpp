// The ciphertext stream's output that feeds a content store upload.
#pragma once
#include "protectedfs/network/network.hpp"
#include "protectedfs/pipeline/parallel_tee.hpp"

namespace pfs::publish {

class UploadConsumer final : public pipeline::StreamConsumer {
 public:
  explicit UploadConsumer(network::ContentStore::Upload& upload) : upload_(upload) {}
  void consume(ByteView data) override { upload_.write(data); }

 private:
  network::ContentStore::Upload& upload_;
};

}  // namespace pfs::publish
