// One version of a protected data, published as a journaled saga (publish/publish_saga.hpp): snapshot → upload →
// register → push key → record. The queue around it (quiet period, retries, grants) is in publisher.cpp.
#include <malloc.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "protectedfs/format/schema.hpp"
#include "protectedfs/pipeline/leaf_plan.hpp"
#include "protectedfs/pipeline/protect.hpp"
#include "protectedfs/publish/publisher.hpp"
#include "protectedfs/publish/streaming_contents.hpp"
#include "protectedfs/remote/dataset_info.hpp"
#include "protectedfs/util/quote.hpp"
#include "publish/field_stream.hpp"
#include "publish/publish_saga.hpp"
#include "publish/saga_journal.hpp"
#include "publish/upload_consumer.hpp"

namespace pfs::publish {
namespace {

using nlohmann::json;

// A staged field as the pipeline reads it.
class FieldSource final : public RandomAccessSource {
 public:
  FieldSource(core::FieldContents& contents, uint64_t ino, uint64_t size)
      : contents_(contents), ino_(ino), size_(size) {}
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (contents_.read(ino_, offset, out) != out.size()) throw Error(EBUSY, "field shrank while it was published");
  }

 private:
  core::FieldContents& contents_;
  uint64_t ino_, size_;
};

std::string join(const std::vector<std::string>& keys, char separator) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : std::string(1, separator)) + k;
  return out;
}

// What the content of a snapshot was: its fields' key paths, sizes, modification times and types. An unfinished
// publish whose fingerprint matches the current one is finished as it was, not published again; a snapshot whose
// fingerprint is the published version's publishes nothing.
std::string fingerprint_of(const core::DataSnapshot& snap) {
  json parts = json::array();
  parts.push_back(snap.name);
  // A folder's own times are left out: they are not published (its members are, each with its own time), and they
  // change with any member added or removed, local-only ones (an editor's swap file) included, so a snapshot equal
  // in content would look changed (and a resumed publish would publish its version a second time).
  for (const auto& e : snap.entries)
    parts.push_back({join(e.keys, '.'), e.directory, e.size, e.directory ? 0 : e.mtime_ns, e.type.value_or("")});
  const Hash32 digest = crypto::keccak256(as_bytes(parts.dump()));
  return to_hex(ByteView(digest.data(), digest.size()));
}

// A version at least this large is followed by malloc_trim (see advance()).
constexpr uint64_t kTrimAfterBytes = 64ull << 20;

// The zip plan and schema of a snapshot: each leaf typed by its user.protected.type or by its content.
pipeline::PackPlan plan_snapshot(const core::DataSnapshot& snap, core::FieldContents& contents,
                                 format::Schema& schema) {
  pipeline::PackPlan plan;
  std::vector<format::Schema*> objects{&schema};  // objects[depth]: the object the next member at that depth joins
  for (const auto& entry : snap.entries) {
    objects.resize(entry.keys.size());
    format::Schema& parent = *objects.back();
    const std::string zip_path = pipeline::zip_path_of(entry.keys);
    if (entry.directory) {
      plan.items.push_back({.path = zip_path + "/", .directory = true});
      objects.push_back(&parent.add_object(entry.keys.back()));
      continue;
    }
    const pipeline::LeafSource source{
        snap.name + "/" + join(entry.keys, '.'), entry.size,
        [&contents, ino = entry.ino, size = entry.size] { return std::make_unique<FieldSource>(contents, ino, size); }};
    pipeline::PlannedLeaf leaf =
        entry.type ? pipeline::plan_typed_leaf(zip_path, source, format::parse_field_type(*entry.type))
                   : pipeline::plan_detected_leaf(zip_path, source);
    parent.add(entry.keys.back(), leaf.type);
    plan.items.push_back(std::move(leaf.item));
  }
  schema.check_limits();  // never register a schema this project can't read back (EINVAL: the publish fails)
  plan.schema_json = schema.to_json();
  return plan;
}

// A new saga for a snapshot: its key, IV and zip stamp fixed now, so a redone upload gives the same bytes; those of
// the stream zipping its field already, if one does.
PublishSaga new_saga(const core::DataSnapshot& snap, const std::string& fingerprint,
                     const std::optional<StreamParams>& streamed) {
  PublishSaga saga;
  saga.name = snap.name;
  saga.fingerprint = fingerprint;
  const auto key = streamed ? streamed->key : random_array<32>();
  saga.key = to_base64(ByteView(key.data(), key.size()));
  const auto iv = streamed ? streamed->iv : random_array<16>();
  saga.iv = to_hex(ByteView(iv.data(), iv.size()));
  const format::DosTime stamp = streamed ? streamed->stamp : format::DosTime::now();
  saga.stamp_time = stamp.time;
  saga.stamp_date = stamp.date;
  return saga;
}

}  // namespace

void Publisher::step(uint64_t data, const std::string& name, int percent) {
  {
    MutexLock lock(mutex_);
    running_[data] = name + " " + std::to_string(percent) + "%";
  }
  fs_.set_status(data, {.kind = core::DataStatus::Kind::Publishing, .step = name, .percent = percent});
}

bool Publisher::current(uint64_t data, uint64_t generation) {
  MutexLock lock(mutex_);
  const auto it = queue_.find(data);
  return it != queue_.end() && it->second.generation == generation;
}

Publisher::Advanced Publisher::publish(uint64_t data, uint64_t generation, Clock::time_point quiet_until) {
  core::DataSnapshot snap;
  try {
    snap = fs_.snapshot(data);
  } catch (const Error& e) {
    if (e.code() != ENOENT) throw;
    // The folder is gone and its removal did not take the saga in (a crash between the two): settle it as one.
    if (auto saga = journal_->saga(data)) {
      journal_->remove(data, saga->name, {});
      settle_removal(data);
    }
    return Advanced::Done;
  }
  const std::string fingerprint = fingerprint_of(snap);
  // A saga a failure or a crash interrupted is finished first, from its first unfinished step. One whose content
  // has changed since is finished only if its registration may have landed (a version must never be left half
  // published: registered without its key pushed); an upload that was never registered is let go.
  if (auto saga = journal_->saga(data)) {
    const bool same_content = saga->fingerprint == fingerprint && saga->name == snap.name;
    if (!same_content && saga->step == SagaStep::Register) resume_landed(data, *saga);
    if (same_content || saga->step > SagaStep::Register) {
      const Advanced advanced = advance(data, *saga, same_content ? &snap : nullptr, generation, quiet_until);
      if (advanced != Advanced::Done || same_content) return advanced;
    } else {
      let_go(*saga);  // never registered, and the content changed since: published afresh below
      journal_->finish(data);
    }
  }
  const core::DataInfo before = fs_.data_info(data);
  if (!snap.has_fields()) {  // a protected data is never empty: the last version stays until rmdir
    fs_.set_status(
        data, {.kind = before.address.empty() ? core::DataStatus::Kind::Draft : core::DataStatus::Kind::Published});
    return Advanced::Done;
  }
  if (!before.address.empty() && before.published_fingerprint == fingerprint) {
    fs_.set_status(
        data,
        {.kind =
             core::DataStatus::Kind::Published});  // changed and changed back (a file created and removed): nothing new
    return Advanced::Done;
  }
  const auto streamed = options_.streams ? options_.streams->params_for(snap) : std::nullopt;
  // A stream is the early upload of its data: it goes on zipping what is written while the quiet period runs, and
  // is finished once that is over. Finished now, a writer that only paused (a long fsync, the kernel throttling its
  // dirty pages) would make it useless, and the next stream would start again from the field's first byte. A field
  // no descriptor holds open has no writer to pause: its stream is finished now (upload_after), on this thread with
  // every reader, rather than at the stream's background pace, and registered once the quiet period is over, like
  // a full pass's upload (cp of 1 GiB: published ~0.4 s sooner).
  if (streamed && now() < quiet_until && fs_.is_open(snap.entries.front().ino)) return Advanced::Waiting;
  PublishSaga saga = new_saga(snap, fingerprint, streamed);
  journal_->save(data, saga);  // before the upload starts: a redone upload is the same bytes
  return advance(data, saga, &snap, generation, quiet_until);
}

Publisher::Advanced Publisher::advance(uint64_t data, PublishSaga& saga, const core::DataSnapshot* snap,
                                       uint64_t generation, Clock::time_point quiet_until) {
  if (saga.step == SagaStep::Upload) {
    if (!snap) throw Error(EIO, "a publish of '" + saga.name + "' lost its snapshot before its upload");
    step(data, "plan", 0);
    format::Schema schema;
    const pipeline::PackPlan plan = plan_snapshot(*snap, contents_, schema);
    step(data, "upload", 0);
    pipeline::ProtectOptions options;
    int shown = 0;
    options.progress = [&](uint64_t done, uint64_t total) {
      // A change makes this upload useless (it would be let go): stopped at once rather than streamed to the end,
      // which matters most for an upload started before the quiet period is over. The queue entry, changed, is
      // published again when quiet, without a backoff.
      if (!current(data, generation)) throw Error(ECANCELED, "changed while it was being uploaded");
      const int percent = total ? static_cast<int>(100 * done / total) : 100;
      if (percent != shown) step(data, "upload", shown = percent);
    };
    const Bytes key = from_base64(saga.key);
    if (key.size() != 32) throw Error(EIO, "a journaled data key is not 32 bytes");
    options.key.emplace();
    std::copy(key.begin(), key.end(), options.key->begin());
    options.iv = from_hex_fixed<16>(saga.iv);
    options.stamp = format::DosTime{saga.stamp_time, saga.stamp_date};
    // Zipped while written (its stream finished here), or in one full pass now.
    std::optional<StreamedVersion> streamed;
    if (options_.streams)
      streamed = options_.streams->claim(*snap, plan, {*options.key, *options.iv, *options.stamp}, options.progress);
    std::unique_ptr<network::ContentStore::Upload> upload;
    pipeline::ProtectedFile file;
    if (streamed) {
      upload = std::move(streamed->upload);
      file = std::move(streamed->file);
      spdlog::info(
          "{}: {} bytes zipped and encrypted while written ({} read back from staging, {} left for the publish)",
          quote(snap->name), file.size, streamed->read_back, streamed->at_finish);
    } else {
      upload = network_.storage->begin_upload();
      UploadConsumer uploader(*upload);
      file = pipeline::protect(plan, {&uploader}, options);
    }
    // The stream's buffers and the threads' arenas it grew go back to the system after a large version; a small one
    // grows nothing worth a walk of the heap (ten thousand one-field versions would pay it ten thousand times).
    if (plan.leaf_bytes() >= kTrimAfterBytes) ::malloc_trim(0);
    if (!current(data, generation)) return Advanced::Changed;  // removed or changed while streaming: nothing committed
    // The content id is known before the commit: journaled first, an upload that a crash cuts right after its commit
    // is still found and let go if this saga is dropped.
    saga.cid = file.cid;
    journal_->save(data, saga);
    upload->commit_as(file.cid);
    saga.registration = {snap->name, file.multiaddr, from_hex_fixed<32>(file.checksum), plan.schema_json};
    saga.step = SagaStep::Register;
    journal_->save(data, saga);
  }
  // Uploaded while the quiet period runs (PublisherOptions::upload_after): registered once it is over, by the next
  // call, which finds this saga journaled with the same content (or lets the upload go if it changed meanwhile).
  if (saga.step == SagaStep::Register && !saga.register_sent && now() < quiet_until) return Advanced::Waiting;
  if (saga.step == SagaStep::Register) {
    step(data, "register", 0);
    // The key goes into the wallet's key store before the version can be listed: another mount of the wallet (they
    // share the store) shows a version as soon as the registry lists it, and one whose key it did not hold then
    // showed every field empty, for good (mount: second_mount failed on this). A key kept for a registration that
    // never lands is harmless; a resumed step stores it again (a saga journaled by an earlier release, which stored
    // the key only once registered, gets it too).
    const crypto::Address predicted = network_.registry->predicted_address(wallet_.address(), saga.registration);
    keys_.put(predicted.to_string(), saga.key);
    std::optional<network::DatasetRecord> landed;
    // Sent before (its answer lost to a failure or a crash): it may have landed.
    if (saga.register_sent) landed = network_.registry->find_registration(wallet_.address(), saga.registration);
    if (!landed) {
      saga.register_sent = true;
      journal_->save(data, saga);
      try {
        landed = network_.registry->register_dataset(wallet_, saga.registration);
      } catch (const Error& e) {
        if (e.code() != EEXIST) throw;  // the same registration already there: find it
        landed = network_.registry->find_registration(wallet_.address(), saga.registration);
        if (!landed) throw;
      }
    }
    if (landed->address != predicted) keys_.put(landed->address.to_string(), saga.key);  // never, by the contract
    saga.record = landed;
    saga.step = SagaStep::PushKey;
    journal_->save(data, saga);
  }
  if (saga.step == SagaStep::PushKey) {
    step(data, "secret", 0);
    push_key(saga);
    saga.step = SagaStep::Record;
    journal_->save(data, saga);
  }
  record_published(data, *saga.record, saga.fingerprint);
  journal_->finish(data);
  return Advanced::Done;
}

bool Publisher::resume_landed(uint64_t data, PublishSaga& saga) {
  if (saga.step != SagaStep::Register || !saga.register_sent) return false;
  auto landed = network_.registry->find_registration(wallet_.address(), saga.registration);
  if (!landed) return false;
  keys_.put(landed->address.to_string(), saga.key);
  saga.record = landed;
  saga.step = SagaStep::PushKey;
  journal_->save(data, saga);
  return true;
}

void Publisher::push_key(const PublishSaga& saga) {
  if (network_.secrets->exists(saga.record->address)) return;
  try {
    network_.secrets->push(wallet_, saga.record->address, saga.key);
  } catch (const Error& e) {
    if (e.code() != EEXIST) throw;  // pushed by an earlier try whose answer was lost
  }
}

void Publisher::let_go(const PublishSaga& saga) {
  if (saga.cid.empty()) return;  // nothing streamed to the end: nothing was committed
  network_.storage->remove(saga.cid);
  spdlog::info("{}: upload {} never registered, let go", quote(saga.name), saga.cid);
}

void Publisher::settle_removal(uint64_t data) {
  const auto removal = journal_->removal(data);
  if (!removal) return;
  if (removal->saga) {
    PublishSaga saga = *removal->saga;
    resume_landed(data, saga);
    if (saga.step == SagaStep::PushKey) push_key(saga);  // registered: never left without its key
    else if (saga.step < SagaStep::PushKey) let_go(saga);
    journal_->finish(data);
  }
  grants_.revoke_all(removal->orders);
  journal_->erase(data);
}

// The attributes of SPEC.md §3 for a version that is now registered; the previous one joins the versions list.
void Publisher::record_published(uint64_t data, const network::DatasetRecord& record, const std::string& fingerprint) {
  fs_.record_published(data, remote::published_version_of(record), fingerprint);
}

}  // namespace pfs::publish
