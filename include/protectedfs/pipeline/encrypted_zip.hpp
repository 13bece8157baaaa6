// The stream protect() writes, open to whoever feeds it: a zip (format::ZipWriter) encrypted with AES-256-CBC under
// a given key and IV (the IV first, PROTOCOL.md §1.5), its ciphertext handed to the checksum, the CID and the outputs,
// each on its own thread (ParallelTee). protect() feeds it a whole pack plan; publish::FieldStream feeds it a field
// while that field is still being written. Encryption runs on the feeding thread.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/format/zip_writer.hpp"
#include "protectedfs/pipeline/parallel_tee.hpp"

namespace pfs::pipeline {

struct ProtectedFile {
  crypto::AesKey key;
  std::string checksum;  // "0x" + SHA-256 of the whole file, IV included
  std::string cid;       // CIDv0
  Bytes multiaddr;       // binary /p2p/<cid>, as stored on chain
  uint64_t size = 0;     // bytes of the encrypted file
};

class EncryptedZip {
 public:
  // slot_count × slot_size bytes of ciphertext in flight at most.
  EncryptedZip(const std::vector<StreamConsumer*>& outputs, const crypto::AesKey& key, const crypto::AesIv& iv,
               format::DosTime stamp, std::size_t slot_count, std::size_t slot_size);
  ~EncryptedZip();  // unfinished: the consumers are cancelled (an upload is then never committed)
  EncryptedZip(const EncryptedZip&) = delete;
  EncryptedZip& operator=(const EncryptedZip&) = delete;

  format::ZipWriter& zip();
  // Ends the zip and the encryption and waits for every consumer (rethrowing the first error of one).
  ProtectedFile finish();

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace pfs::pipeline
