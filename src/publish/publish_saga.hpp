// The journal record of one protected data's pending publish: a saga of steps, each with its durable result, so that
// a retry or a restart resumes at the first unfinished step and never repeats a finished one.
//
//   Upload    the key, IV and zip stamp are fixed (and journaled) before the upload starts: an upload redone after a
//             crash produces the same bytes, hence the same content id, so the store never keeps an orphan of it;
//             the content id is journaled before the commit, so a saga dropped later (its content changed before it
//             was registered, or its folder removed) lets its upload go (ContentStore::remove)
//   Register  the data key stored locally under the predicted address, then journaled as "sent" before the
//             registration leaves: a resumed one is looked up first (the registry's address is deterministic from
//             owner, name, multiaddr and checksum) and never sent twice; no mount of the wallet lists the version
//             before its key is there to read it
//   PushKey   harmless twice (an existing secret is the same key)
//   Record    the tree shows the version (its fingerprint kept: the same snapshot again publishes nothing)
//
// The orders that follow a version (issue, re-issue, revoke superseded, transfer) are journaled in the tree itself:
// each order is recorded before it is signed and sent (core::IssuedOrder::State), see GrantKeeper.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "protectedfs/network/network.hpp"

namespace pfs::publish {

enum class SagaStep { Upload, Register, PushKey, Record };
const char* step_name(SagaStep step);  // "upload", "register", "secret", "record"

struct PublishSaga {
  std::string name;         // the protected data's name when the snapshot was taken
  std::string fingerprint;  // of that snapshot
  SagaStep step = SagaStep::Upload;
  // Upload: fixed before it starts.
  std::string key;  // base64 AES key
  std::string iv;   // hex AES IV
  uint16_t stamp_time = 0, stamp_date = 0x21;
  // Upload's result (journaled just before the commit: maybe not committed yet while the step is Upload).
  std::string cid;
  network::Registration registration;
  // Register: sent at least once (then look it up before sending again), and its result.
  bool register_sent = false;
  std::optional<network::DatasetRecord> record;
};

std::string encode_saga(const PublishSaga& saga);
// EINVAL for a record that is not a publish saga. Reads the records of earlier versions (a registration journaled
// before it was sent) as a saga at its Register step, sent.
PublishSaga decode_saga(const std::string& text);
bool is_publish_saga(const std::string& text);
// The same from a record already parsed (SagaJournal parses each once: it holds the schema of every field, twice
// once registered, ~0.2 MB for 5,000 files). is_publish_saga is false for anything but an object (a discarded parse).
PublishSaga decode_saga(const nlohmann::json& record);
bool is_publish_saga(const nlohmann::json& record);

}  // namespace pfs::publish
