// The IPFS stand-in: encrypted files stored under their CIDv0 (the writer's, or computed from the stored bytes).
#pragma once
#include <memory>
#include <string>

#include "network/local/directory.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

class LocalContentStore final : public ContentStore {
 public:
  explicit LocalContentStore(std::shared_ptr<Directory> dir) : dir_(std::move(dir)) {}

  std::unique_ptr<Upload> begin_upload() override;
  // Both EINVAL for anything but a CIDv0, which also keeps a CID from naming any other path.
  bool has(const std::string& cid) override;
  std::shared_ptr<const RandomAccessSource> open(const std::string& cid) override;
  void remove(const std::string& cid) override;
  bool keeps_uploads_open() const override { return true; }  // a file in the store's folder, idle costs nothing

 private:
  std::shared_ptr<Directory> dir_;
};

}  // namespace pfs::network::local
