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

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/format/zip_writer.hpp"
#include "protectedfs/pipeline/pack_plan.hpp"
#include "protectedfs/pipeline/parallel_tee.hpp"

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

struct ProtectedFile {
  crypto::AesKey key;
  std::string checksum;  // "0x" + SHA-256 of the whole file, IV included
  std::string cid;       // CIDv0
  Bytes multiaddr;       // binary /p2p/<cid>, as stored on chain
  uint64_t size = 0;     // bytes of the encrypted file
};

ProtectedFile protect(const PackPlan& plan, const std::vector<StreamConsumer*>& outputs,
                      const ProtectOptions& options = {});

}  // namespace pfs::pipeline
