// Publishes protected data: once one has been quiet for `delay`, its fields become one new version (SPEC.md §2):
//
//   snapshot ─▶ plan (types, CRCs) ─▶ zip ─▶ AES ─▶ upload (+ checksum, CID) ─▶ register ─▶ key stored ─▶ secret pushed
//                                                                          ─▶ grants re-issued for it (GrantKeeper)
//
// The same queue carries the other changes the network must follow: grants set or removed and transfers (at once,
// no quiet period), and the orders of a removed folder to close.
//
// A few workers publish, each one protected data at a time; changes arriving meanwhile only move due times. A version
// is a saga journaled step by step (publish/publish_saga.hpp, publish_version.cpp): a retry or a restart resumes at
// the first unfinished step and never repeats a finished one, so a version is uploaded and registered once whatever
// fails after it (the grants' failures are retried alone). Failures are retried with exponential backoff and shown
// in user.protected.status, stored typed (core::DataStatus with its core::PublishFailure).
//
// Lock order: the file system's tree lock, then the publisher's mutex. The file system calls changed() with its
// lock held, so the publisher never calls the file system while holding its own mutex (PFS_EXCLUDES below, checked
// by clang's thread-safety analysis in the lint test).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/core/persistence.hpp"
#include "protectedfs/crypto/secp256k1.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/publish/grant_keeper.hpp"
#include "protectedfs/util/mutex.hpp"

namespace pfs::publish {

struct PublishSaga;  // publish/publish_saga.hpp: a journaled publish, step by step
class SagaJournal;   // publish/saga_journal.hpp: the journal of sagas and removals
class StreamingContents;

struct PublisherOptions {
  std::chrono::milliseconds delay{2000};
  // A new version's upload (the long part of a big publish: every byte encrypted, hashed and stored) may start after
  // this much quiet, while the rest of `delay` runs: its registration still waits until the data has been quiet for
  // the whole delay, and an upload whose content changes meanwhile is let go (publish_saga.hpp). Unset: the upload
  // waits for the whole delay too.
  std::optional<std::chrono::milliseconds> upload_after;
  std::chrono::milliseconds max_backoff{60000};
  // Protected data published at once: a version of a small folder waits mostly on fsyncs and the network, so two
  // overlap well on two cores; one protected data is never worked on by two workers. 0: no worker threads, the
  // caller drives the queue with run_once() (tests, with an injected clock: backoff without sleeping).
  int workers = 2;
  // Where large fields are zipped while written (publish/streaming_contents.hpp): a version of such a field finishes
  // its stream instead of a full pass. Null: every version is a full pass.
  StreamingContents* streams = nullptr;
  // What "now" is for due times and backoff (default: the steady clock).
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class Publisher {
 public:
  Publisher(core::Filesystem& fs, core::FieldContents& contents, network::Network& network,
            const crypto::PrivateKey& wallet, core::KeyStore& keys, core::PublishJournal& journal,
            PublisherOptions options = {});
  ~Publisher();  // stops the thread; an unfinished publish stays journaled and resumes at the next start

  void start();  // resumes journaled publishes, then serves
  void stop();
  void changed(uint64_t data_ino, const std::string& name);         // the file system's change listener
  void grants_changed(uint64_t data_ino, const std::string& name);  // grants or owner set: orders to follow
  // rmdir: nothing left to publish; the orders the folder still had open are closed (journaled first).
  void removed(uint64_t data_ino, const std::string& name, const std::vector<core::IssuedOrder>& orders);
  // Refreshes the cached usage of a data's open orders (on the caller's thread: the tree sync's).
  void refresh_usage(uint64_t data_ino) { grants_.refresh_usage(data_ino); }
  std::string queue_json();  // user.protected.queue: pending and running publishes with step and percent
  // Blocks until nothing is pending or running (or the timeout passes); returns whether it is idle.
  bool wait_idle(std::chrono::milliseconds timeout);
  // For a caller-driven publisher (workers = 0): works on the earliest entry that is due now, on the caller's thread;
  // false if none is. next_due() is when the earliest entry is due (nullopt: nothing queued).
  bool run_once() PFS_EXCLUDES(mutex_);
  std::optional<std::chrono::steady_clock::time_point> next_due() PFS_EXCLUDES(mutex_);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point due;
    uint64_t generation = 0;      // bumped by every content change
    uint64_t grant_requests = 0;  // bumped by every grants_changed()
    int failures = 0;
    std::string name;
    bool content = false;   // a new version to publish (then grants follow it)
    bool grants = false;    // only the orders to bring in line
    bool removal = false;   // the folder was removed: its pending publish settled, its orders closed (journaled)
    bool uploaded = false;  // its upload is done and journaled; the registration waits for `due`
  };
  // How publish() left a saga: finished, stopped (the content changed under its upload), or uploaded and waiting
  // for the end of the quiet period to register.
  enum class Advanced { Done, Changed, Waiting };

  using Clock = std::chrono::steady_clock;
  Clock::time_point now() const { return options_.clock ? options_.clock() : Clock::now(); }
  // When a worker may take the entry: its due time, or earlier for a new version's upload (upload_after).
  Clock::time_point start_at(const Entry& entry) const;
  void run() PFS_EXCLUDES(mutex_);
  // Takes the earliest due entry no other worker has (nullopt: none due), marking it running.
  std::optional<std::pair<uint64_t, Entry>> take_due() PFS_REQUIRES(mutex_);
  // Works on a taken entry, then requeues it (retry with backoff, again at once, or done).
  void process(uint64_t data_ino, const Entry& entry) PFS_EXCLUDES(mutex_);
  // The status shown even when it cannot be stored (the cache is read-only on a full disk): never the end of a
  // worker, which runs this outside any try.
  void show_status(uint64_t data_ino, const core::DataStatus& status) PFS_EXCLUDES(mutex_);
  // Waiting: uploaded before `quiet_until`, the registration is left journaled for when the entry is due.
  Advanced publish(uint64_t data_ino, uint64_t generation, Clock::time_point quiet_until) PFS_EXCLUDES(mutex_);
  // Runs a journaled saga from its first unfinished step; Changed if the content changed under its upload, Waiting
  // if it is uploaded and not to be registered before `quiet_until`.
  Advanced advance(uint64_t data_ino, PublishSaga& saga, const core::DataSnapshot* snap, uint64_t generation,
                   Clock::time_point quiet_until) PFS_EXCLUDES(mutex_);
  void step(uint64_t data_ino, const std::string& name, int percent) PFS_EXCLUDES(mutex_);
  bool current(uint64_t data_ino, uint64_t generation) PFS_EXCLUDES(mutex_);
  // One queue entry, on the publisher's thread; Waiting if its registration waits for the end of the quiet period.
  Advanced work(uint64_t data_ino, const Entry& entry) PFS_EXCLUDES(mutex_);
  void record_published(uint64_t data_ino, const network::DatasetRecord& record, const std::string& fingerprint)
      PFS_EXCLUDES(mutex_);
  // A saga whose registration was sent: if it landed, its key is kept and the saga moves on to pushing it.
  bool resume_landed(uint64_t data_ino, PublishSaga& saga) PFS_EXCLUDES(mutex_);
  void push_key(const PublishSaga& saga);
  // A saga that will never be registered: its upload, if any, is let go (no orphan left in the content store).
  void let_go(const PublishSaga& saga);
  // A removed folder: its pending publish settled (a landed registration gets its key), then its orders closed.
  void settle_removal(uint64_t data_ino) PFS_EXCLUDES(mutex_);

  core::Filesystem& fs_;
  core::FieldContents& contents_;
  network::Network& network_;
  const crypto::PrivateKey& wallet_;
  core::KeyStore& keys_;
  std::unique_ptr<SagaJournal> journal_;
  PublisherOptions options_;
  GrantKeeper grants_;

  Mutex mutex_;
  std::condition_variable wake_;
  std::map<uint64_t, Entry> queue_ PFS_GUARDED_BY(mutex_);
  std::map<uint64_t, std::string> running_ PFS_GUARDED_BY(mutex_);  // the data being worked on, and its step
  bool stopping_ PFS_GUARDED_BY(mutex_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace pfs::publish
