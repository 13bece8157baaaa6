// Keeps the mount's root in line with what the network says the wallet owns (SPEC.md §2): datasets with the same
// owner and name are versions of one lineage and the newest is shown; lineages published elsewhere (the SDK,
// another machine, another cache) appear, a newer version published elsewhere replaces a folder that has no local
// changes, and a lineage the wallet no longer owns (transferred) leaves the mount. Lineages the user removed
// (rmdir) stay hidden. Names that are not valid file names show as the dataset's address.
//
// A version whose content cannot be fetched (missing from storage, a peer down, unreadable) stays listed with its
// fields from the registered schema (SPEC.md §4): its status says why (`failed: its content cannot be fetched: …`),
// opening a field fetches its size or fails with EIO, and each pass tries again; once the content is back the
// version is shown as any other (sizes known, status published). It is no local change: nothing publishes it.
//
// Runs once at start and then every `interval` on its own thread, never on a file-system request: ls and
// getfattr answer from the tree (RocksDB), never from the network.
#pragma once
#include <chrono>
#include <condition_variable>
#include <functional>
#include <string>
#include <thread>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/remote/published_reader.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::remote {

struct TreeSyncOptions {
  std::chrono::milliseconds interval{10000};
  std::function<bool(const std::string& lineage)> hidden;  // lineages removed by the user
  // Called at each pass for every folder that has orders open, to refresh their usage (accesses, remaining).
  std::function<void(uint64_t data_ino)> refresh_usage;
};

class TreeSync {
 public:
  TreeSync(core::Filesystem& fs, network::Network& network, const crypto::Address& owner, PublishedReader& reader,
           TreeSyncOptions options);
  ~TreeSync();

  void start();
  void stop();
  // One pass, on the caller's thread: what changed is logged; a network that can't answer leaves the tree as is.
  void sync_once();

 private:
  void run();

  core::Filesystem& fs_;
  network::Network& network_;
  crypto::Address owner_;
  PublishedReader& reader_;
  TreeSyncOptions options_;
  Mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ PFS_GUARDED_BY(mutex_) = false;
  std::thread thread_;
};

}  // namespace pfs::remote
