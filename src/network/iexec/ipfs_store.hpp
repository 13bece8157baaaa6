// Content on IPFS (PROTOCOL.md §1.6): uploads go to the Kubo RPC API (`POST /api/v0/add`, one multipart part named
// `file`, streamed with chunked transfer from a bounded pipe, so any size passes in one pass through a few MiB);
// presence and reads go through the gateway (`/ipfs/<cid>`, HEAD and Range requests), which is what iExec's workers
// and the SDK use too.
#pragma once
#include <chrono>
#include <memory>
#include <string>

#include "network/iexec/context.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::network::iexec {

class IpfsContentStore final : public ContentStore {
 public:
  explicit IpfsContentStore(std::shared_ptr<Context> context) : context_(std::move(context)) {}

  std::unique_ptr<Upload> begin_upload() override;
  bool has(const std::string& cid) override;
  std::shared_ptr<const RandomAccessSource> open(const std::string& cid) override;
  // pin/rm: the node frees the blocks at its next garbage collection (a gateway's caches are beyond reach).
  void remove(const std::string& cid) override;

  // Bytes queued between the producer and the HTTP transfer (the memory bound of an upload).
  static constexpr std::size_t kPipeCapacity = 4 << 20;
  // How long a presence check waits for a node that has to look for the content.
  static constexpr std::chrono::seconds kPresenceTimeout{2};

 private:
  std::shared_ptr<Context> context_;
};

// A whole `/ipfs/<cid>[/path]` read through the profile's gateway, as the SDK's downloadFromIpfs does (a GET of
// gateway + path): for content held by some other node, which the store's has/open (asking this node's pins
// first) would call absent. ENOENT when the gateway has no such content, EINVAL for a path not under /ipfs/.
Bytes gateway_download(Context& context, const std::string& ipfs_path);

// The CID in Kubo's `add` answer (NDJSON, the last object with a "Hash"); EIO unless it is a CIDv0.
std::string cid_from_add_answer(const std::string& body);

}  // namespace pfs::network::iexec
