// The single pass that turns a pack plan into an iExec protected file (PROTOCOL.md §1.3–§1.7):
//
//   files ─read─▶ zip (STORE, CRC-32) ─▶ AES-256-CBC ─┬─▶ SHA-256 checksum   (thread)
//  (read ahead:   (producer thread: this one)        ├─▶ CIDv0 (UnixFS DAG) (thread)
//   thread)                                           └─▶ each output        (thread: file, upload…)
//
// Encryption is serial, so it runs alone on the calling thread while the reads, the hashes and the outputs run on
// the other core. Memory: slot_count × slot_size bytes of ciphertext in flight plus two read buffers of read_size,
// whatever the size of the data.
#pragma once
#include <functional>
#include <optional>
#include <vector>

#include "protectedfs/pipeline/encrypted_zip.hpp"
#include "protectedfs/pipeline/pack_plan.hpp"

namespace pfs::pipeline {

struct ProtectOptions {
  std::size_t slot_count = 8;
  std::size_t slot_size = 1 << 20;
  std::size_t read_size = 1 << 20;
  // Called on the producer thread with (plaintext leaf bytes done, total).
  std::function<void(uint64_t, uint64_t)> progress;
  // Fixed values for tests; fresh random ones otherwise.
  std::optional<crypto::AesKey> key;
  std::optional<crypto::AesIv> iv;
  std::optional<format::DosTime> stamp;
};

ProtectedFile protect(const PackPlan& plan, const std::vector<StreamConsumer*>& outputs,
                      const ProtectOptions& options = {});

}  // namespace pfs::pipeline
