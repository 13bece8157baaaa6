// The publisher's journal, one record per protected data: either its pending publish (a PublishSaga), or, once the
// folder was removed, its removal: the orders to close and the publish that was under way, if any. The removal
// takes the saga into its own record instead of replacing it, so a registration sent before the rmdir is still
// found and given its key (never a version registered without its key), and an upload never registered is still let
// go. A publish still running when the folder goes on journaling its steps into the removal record.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/core/persistence.hpp"
#include "protectedfs/util/mutex.hpp"
#include "publish/publish_saga.hpp"

namespace pfs::publish {

struct Removal {
  std::string name;
  std::vector<core::IssuedOrder> orders;  // open (or being issued) when the folder was removed: to close
  std::optional<PublishSaga> saga;        // the publish under way then
};

class SagaJournal {
 public:
  explicit SagaJournal(core::PublishJournal& journal) : journal_(journal) {}

  // Every record (at start): the pending publishes, and the removals. An unreadable one is dropped.
  void load(std::map<uint64_t, PublishSaga>& sagas, std::map<uint64_t, Removal>& removals) PFS_EXCLUDES(mutex_);

  // The pending publish of a data that is still there (nullopt: none, or it was removed).
  std::optional<PublishSaga> saga(uint64_t data_ino) PFS_EXCLUDES(mutex_);
  // A step's result, durable on return; into the removal record if the folder was removed meanwhile.
  void save(uint64_t data_ino, const PublishSaga& saga) PFS_EXCLUDES(mutex_);
  // The publish is over (recorded, or nothing left of it): its record goes, a removal's orders stay.
  void finish(uint64_t data_ino) PFS_EXCLUDES(mutex_);

  // rmdir: the removal record, holding the pending publish if there is one. False if there is nothing to do (no live
  // order, no publish under way): no record is kept.
  bool remove(uint64_t data_ino, const std::string& name, const std::vector<core::IssuedOrder>& live_orders)
      PFS_EXCLUDES(mutex_);
  std::optional<Removal> removal(uint64_t data_ino) PFS_EXCLUDES(mutex_);
  void erase(uint64_t data_ino) PFS_EXCLUDES(mutex_);  // the removal is done

 private:
  // One record: a removal if `kind` says so, else a saga.
  struct Record {
    std::optional<PublishSaga> saga;
    std::optional<Removal> removal;
  };
  Record read(uint64_t data_ino) PFS_REQUIRES(mutex_);
  Record parse(uint64_t data_ino, const std::string& text) PFS_REQUIRES(mutex_);  // an unreadable one is erased
  void write_removal(uint64_t data_ino, const Removal& removal) PFS_REQUIRES(mutex_);

  core::PublishJournal& journal_;
  // Makes each read-change-write of a record atomic: a worker journaling a step and an rmdir taking its saga.
  Mutex mutex_;
};

}  // namespace pfs::publish
