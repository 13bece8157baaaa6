// A daemon's publish path over the scripted network, driven step by step on the test's thread: what survives a crash
// (the tree, the journal, the keys, the staged bytes, the network) lives in the world; the file system and the
// publisher are the "process", rebuilt from them after a ScriptedCrash as after kill -9 and a new mount. Time is a
// value the test advances (backoff and quiet periods without sleeping).
#pragma once
#include <fcntl.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/memory_stores.hpp"
#include "protectedfs/publish/publisher.hpp"
#include "support/scripted_network.hpp"

namespace pfs::test {

struct SagaWorld {
  using Clock = std::chrono::steady_clock;
  FaultScript script;
  std::unique_ptr<network::Network> network = make_scripted_network(script);
  crypto::PrivateKey wallet = crypto::PrivateKey::generate();
  MemoryContents contents;
  MemoryTree tree;
  MemoryKeys keys;
  MemoryJournal journal;
  Clock::time_point now{std::chrono::hours(1)};
  // PublisherOptions::upload_after of every process.
  std::optional<std::chrono::milliseconds> upload_after = std::chrono::milliseconds(500);
  int crashes = 0;

  struct Process {
    core::Filesystem fs;
    publish::Publisher publisher;
    explicit Process(SagaWorld& w)
        : fs(w.contents, w.tree, 1000, 1000),
          publisher(
              fs, w.contents, *w.network, w.wallet, w.keys, w.journal,
              {.delay = std::chrono::milliseconds(2000), .upload_after = w.upload_after, .workers = 0, .clock = [&w] {
                 return w.now;
               }}) {
      fs.set_events({
          .changed = [this](uint64_t data, const std::string& name) { publisher.changed(data, name); },
          .removed = [this](uint64_t data, const std::string& name,
                            const core::DataInfo& info) { publisher.removed(data, name, info.orders); },
          .grants_changed = [this](uint64_t data, const std::string& name) { publisher.grants_changed(data, name); },
      });
      publisher.start();
    }
  };
  std::unique_ptr<Process> process;

  SagaWorld() { boot(); }
  // A new process over what survived (the first mount, or the one after a crash).
  void boot() {
    process.reset();
    process = std::make_unique<Process>(*this);
  }
  core::Filesystem& fs() { return process->fs; }
  publish::Publisher& publisher() { return process->publisher; }

  // Runs the publisher until nothing is queued, time jumping to each due entry; a ScriptedCrash kills the process
  // (no cleanup runs) and a new one resumes. Returns the number of entries worked on.
  int settle(int max_rounds = 500) {
    for (int round = 0; round < max_rounds; ++round) {
      try {
        if (publisher().run_once()) continue;
      } catch (const ScriptedCrash&) {
        ++crashes;
        boot();
        continue;
      }
      const auto due = publisher().next_due();
      if (!due) return round;
      if (*due > now) now = *due;
    }
    throw Error(ETIMEDOUT, "the publisher did not settle");
  }
  // Time passes (and whatever falls due meanwhile is done, a crash restarting the process as in settle()).
  void advance(std::chrono::milliseconds by) {
    now += by;
    for (;;) {
      try {
        if (!publisher().run_once()) return;
      } catch (const ScriptedCrash&) {
        ++crashes;
        boot();
      }
    }
  }

  uint64_t data(const std::string& name) { return fs().lookup(core::kRootIno, name).ino; }
  uint64_t write_file(uint64_t parent, const std::string& name, const std::string& text) {
    uint64_t ino;
    try {
      ino = fs().lookup(parent, name).ino;
      fs().open(ino, O_WRONLY | O_TRUNC);
    } catch (const Error&) {
      ino = fs().create(parent, name, 0644).ino;
    }
    fs().write(ino, 0, as_bytes(text));
    fs().flush(ino);
    return ino;
  }
  std::string read_file(uint64_t parent, const std::string& name) {
    const uint64_t ino = fs().lookup(parent, name).ino;
    std::string out(4096, '\0');
    out.resize(fs().read(ino, 0, std::span(reinterpret_cast<uint8_t*>(out.data()), out.size())));
    return out;
  }
};

}  // namespace pfs::test
