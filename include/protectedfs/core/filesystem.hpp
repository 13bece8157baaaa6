// The file system's core: the tree of SPEC.md §2 and its rules, in terms of inodes, with no knowledge of FUSE
// (src/fuse only marshals requests into these calls). Every refusal is a pfs::Error whose errno the adapter
// returns as is; anything else is a fault it reports as EIO.
//
//   /                      root: one directory per protected data the wallet owns
//   /NAME/                 a protected data
//   /NAME/FILE, DIR/FILE   fields and nested objects
//
// Who may do what: the kernel checks the modes the tree shows (the session always has default_permissions), and the
// core checks what modes cannot say: only the mounting uid acts with the wallet (grants, revocations, transfers,
// types, and the protected data themselves at the root), whatever the modes allow (SPEC.md §5).
//
// Lifecycle (as on ext4, and as libfuse's passthrough_hp counts): the core counts the entries the kernel was given
// (lookups, until it forgets them) and the files it has open. A field unlinked or renamed over while open stays
// readable and writable through its open files; its bytes are dropped at the last release (or by the next mount,
// if the daemon died meanwhile).
//
// Locking: one reader/writer lock guards the tree (names, attributes, protected-data states). Field contents have
// their own locks inside the content store. Lock order: tree lock, then a content lock; never the reverse.
// Attribute lookups that need no state (security.*, system.*) are answered before any lock is taken.
#pragma once
#include <sys/stat.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/core/grants.hpp"
#include "protectedfs/core/persistence.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::core {

constexpr uint64_t kRootIno = 1;

// A field whose bytes are a leaf of a published version and are not held locally (published from another machine,
// or before this cache existed): reads fetch them from the network's storage, the first change copies them in.
struct PublishedLeaf {
  std::string dataset;  // the version's address
  std::string entry;    // its zip entry, e.g. "contact/phone"
  std::string type;     // its schema type (how the leaf's bytes are shown: a borsh string as text, …)
  bool operator==(const PublishedLeaf&) const = default;
};

// Where field bytes live (the encrypted staging store in the daemon; memory in tests). Thread-safe.
class FieldContents {
 public:
  virtual ~FieldContents() = default;
  virtual void create(uint64_t ino) = 0;
  // From now on the field's bytes are the published leaf's (any local copy is dropped); the first write or
  // truncate copies them in first, after which the field is an ordinary local one.
  virtual void attach(uint64_t ino, const PublishedLeaf& leaf) = 0;
  virtual std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out) = 0;
  virtual void write(uint64_t ino, uint64_t offset, ByteView data) = 0;
  virtual void truncate(uint64_t ino, uint64_t size) = 0;
  virtual void sync(uint64_t ino) = 0;  // durable when it returns
  // The writes that returned are where a kill -9 of the daemon cannot lose them (sync() also survives power loss):
  // close(2) asks it. Nothing to do where writes land before they return.
  virtual void settle(uint64_t /*ino*/) {}
  virtual void remove(uint64_t ino) = 0;
  // The size a read of a field still attached to a published leaf gives, fetched from the network (EIO if its
  // content cannot be fetched); nullopt for a field held here (the tree knows its size).
  virtual std::optional<uint64_t> published_size(uint64_t /*ino*/) { return std::nullopt; }
};

// Special: a symlink, FIFO, socket or device node, kept local-only (never published, SPEC.md §2).
enum class NodeKind { Root, Data, Dir, Field, Special };

struct Attributes {
  uint64_t ino = 0;
  NodeKind kind = NodeKind::Field;
  uint32_t mode = 0;     // permission bits only
  uint32_t special = 0;  // Special nodes: their file type (S_IFLNK, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK)
  uint64_t rdev = 0;     // device nodes: the device
  uint64_t size = 0;
  uint32_t nlink = 1;
  timespec atime{};
  timespec mtime{};
  timespec ctime{};
  uid_t uid = 0;
  gid_t gid = 0;
};

// Who asks: the uid and gid of the process behind a request (the FUSE adapter reads them from the request), and its
// supplementary groups where a rule needs them (chown, chmod, utimensat's current time: the adapter reads them for
// those setattr calls only, since reading them costs a /proc read). Calls without one (std::nullopt: tests, in-process
// tools) act as the mounting user, with every right root would have.
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
};
using OptionalCaller = std::optional<Caller>;

struct DirEntry {
  std::string name;
  uint64_t ino;
  NodeKind kind;
  Attributes attributes;  // for readdirplus: `ls -l` then needs no lookup per entry
};

// An earlier version of a lineage, as user.protected.versions lists it (newest first).
struct VersionRef {
  std::string address;
  std::string created;  // ISO 8601, as user.protected.created
  bool operator==(const VersionRef&) const = default;
};

// Why the last try of a protected data's pending work failed, and when it is tried again.
struct PublishFailure {
  // The saga step that failed: "plan", "upload", "register", "secret", "grants", …; or kFetchStep.
  std::string step;
  int error = EIO;       // its errno
  std::string message;   // what the network or the step said
  int attempts = 1;      // tries so far
  int64_t retry_at = 0;  // unix seconds of the next try
  int64_t retry_in = 0;  // seconds from the failure to the next try (what the status shows)
  bool operator==(const PublishFailure&) const = default;
};

// The failure of a version published elsewhere whose content could not be fetched (missing from storage, unreadable):
// its fields are listed from the registered schema alone, and the tree sync tries again at each pass. Not a local
// change: nothing is published for it.
inline constexpr std::string_view kFetchStep = "fetch";

// What user.protected.status says, as a value: what is stored and compared. render_status() (core/data_info.hpp)
// is the one place that makes its SPEC.md §3 text, when the attribute, the queue or `protectedfs status` shows it.
struct DataStatus {
  enum class Kind { Draft, Pending, Publishing, Published, Failed, Transferring };
  Kind kind = Kind::Draft;
  std::string step;        // Publishing: the step
  int percent = 0;         // Publishing: its progress
  PublishFailure failure;  // Failed
  std::string to;          // Transferring: the new owner
  bool operator==(const DataStatus&) const = default;
  // A failure of the orders alone: the version itself is published.
  bool grants_failed() const { return kind == Kind::Failed && failure.step == "grants"; }
};

// A version as registered, for the tree to show (user.protected.address, .owner, .schema, …).
struct PublishedVersion {
  std::string address, owner, schema, multiaddr, checksum, tx, created;
};

// What the publisher and the network know of one protected data, shown by its attributes (SPEC.md §3).
struct DataInfo {
  DataStatus status;  // draft, pending, publishing, published, failed (typed: what failed), transferring
  std::string address, owner, schema, multiaddr, checksum, tx, created;
  std::vector<VersionRef> versions;  // earlier versions, newest first
  std::vector<Grant> grants;         // what the owner granted (setfattr), carried by orders for the newest version
  std::vector<IssuedOrder> orders;   // every order issued for this lineage, for revocation and usage
  std::string transfer_to;           // the new owner while a transfer (setfattr user.protected.owner) is under way
  // What the newest version was published from (the publisher's snapshot fingerprint): a snapshot equal to it
  // publishes nothing. Empty for a version this mount did not publish.
  std::string published_fingerprint;
  bool operator==(const DataInfo&) const = default;
};

// Whether the data shows a registered version whose content could not be fetched (its status says why).
bool content_not_fetched(const DataInfo& info);
// Whether the data shows a registered version as it was registered (published, or listed from its schema while its
// content cannot be fetched): no local change waits to be published.
bool shows_registered_version(const DataInfo& info);
// The grant of this subject, or nullptr.
Grant* find_grant(DataInfo& info, const GrantSubject& subject);
// The order currently carrying a grant (maybe an older version's), or nullptr.
const IssuedOrder* current_order(const DataInfo& info, const Grant& grant);

// A protected data at one moment, for publishing: its nested objects and fields depth first, in schema order
// (an object before its members), with what to read.
struct FieldSnapshot {
  std::vector<std::string> keys;  // the key path, e.g. {"contact", "phone"}
  bool directory = false;         // a nested object
  uint64_t ino = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;             // with the size: whether the content changed since an earlier snapshot
  std::optional<std::string> type;  // user.protected.type, if set
};
struct DataSnapshot {
  std::string name;
  std::vector<FieldSnapshot> entries;
  bool has_fields() const {
    for (const auto& e : entries)
      if (!e.directory) return true;
    return false;
  }
};

// A protected data as the network has it, to show in the tree (see Filesystem::adopt): its newest version's
// attributes and its fields, an object before its members.
struct AdoptedEntry {
  std::vector<std::string> names;  // file names from the data's folder down, e.g. {"contact", "phone"}
  bool directory = false;
  uint64_t size = 0;                // what a read gives (a string's text and newline, …)
  std::optional<std::string> type;  // shown as user.protected.type (scalars, and types detection would miss)
  PublishedLeaf leaf;               // fields only
  // Listed from the schema alone (the content could not be fetched): `size` is 0 until the first open learns it.
  bool size_unknown = false;
};
struct AdoptedData {
  std::string name;
  DataInfo info;
  std::vector<AdoptedEntry> entries;
};

// One protected data of the root, for whoever keeps the tree in line with the network.
struct DataSummary {
  uint64_t ino = 0;
  std::string name;
  DataInfo info;
};

// What the rest of the daemon hears of protected data. Called with the tree lock held: a listener must not call
// back into the file system.
struct DataEvents {
  // A field written, renamed, removed or retyped: the publisher's cue.
  std::function<void(uint64_t data_ino, const std::string& name)> changed;
  // mkdir at the root: a lineage the user had removed is shown again.
  std::function<void(const std::string& name)> created;
  // rmdir at the root: the lineage is hidden and its grants revoked.
  std::function<void(uint64_t data_ino, const std::string& name, const DataInfo& info)> removed;
  // A protected data renamed at the root (not exchanged): it is published under the new name from now on, so the
  // lineage of the old name (if it had a version) is no longer shown, and the new name is shown again.
  std::function<void(uint64_t data_ino, const std::string& old_name, const std::string& new_name, const DataInfo& info)>
      renamed;
  // Grants set or removed, or a transfer asked for: the orders on the network must follow.
  std::function<void(uint64_t data_ino, const std::string& name)> grants_changed;
  // adopt() or forget() changed what a root name shows (a version published elsewhere, a folder given away): the
  // kernel's cached entry for it must go. Called without the tree lock.
  std::function<void(const std::string& name)> root_entry_replaced;
};

class Filesystem {
 public:
  // Loads the tree the store holds (an empty store: a new mount with only the root).
  Filesystem(FieldContents& contents, TreeStore& store, uid_t owner_uid, gid_t owner_gid);
  ~Filesystem();

  void set_events(DataEvents events);
  // Read-only attributes of the mount root (user.protected.wallet, .network, .queue), computed on demand.
  void set_root_attributes(std::function<std::map<std::string, std::string>()> provider);

  // For the network sync: the protected data of the root; adopt() shows a version published elsewhere (a new
  // folder, or the fields of an existing one that is published and unchanged here: EBUSY if it has local changes;
  // the grants kept here then follow the new version);
  // forget() removes one that the wallet no longer owns (transferred), with its local copies.
  std::vector<DataSummary> data_list();
  uint64_t adopt(const AdoptedData& data);
  void forget(uint64_t data_ino);

  // For the publisher. Each write is one narrow, typed change of a protected data's record (a data removed
  // meanwhile is left alone).
  DataSnapshot snapshot(uint64_t data_ino);
  // The protected data a field belongs to (nullopt: no such field, or no longer linked).
  std::optional<uint64_t> data_of_field(uint64_t ino);
  // Whether a descriptor of the node is still open (the kernel has not released every open of it).
  bool is_open(uint64_t ino);
  DataInfo data_info(uint64_t data_ino);
  void set_status(uint64_t data_ino, const DataStatus& status);
  // Ends a failure of this step shown in the status (the step has succeeded since): published again.
  void clear_failure(uint64_t data_ino, const std::string& step);
  // A version now registered: its attributes shown, the previous one first in the versions list, status published.
  void record_published(uint64_t data_ino, const PublishedVersion& version, const std::string& fingerprint);
  // An order about to be sent: recorded (state Issuing) and made the carrier of the grant with its subject and terms.
  void add_order(uint64_t data_ino, const IssuedOrder& order);
  void set_order_state(uint64_t data_ino, const std::string& hash, IssuedOrder::State state);
  // Usage from the grant book; `closed` when it was closed elsewhere.
  void set_order_usage(uint64_t data_ino, const std::string& hash, uint64_t uses, uint64_t remaining, bool closed);
  void void_live_orders(uint64_t data_ino);  // given away: the previous owner's orders can no longer match

  // An entry handed to the kernel counts one lookup until forget_lookups() (lookup, mkdir, create; remember() for
  // the entries of a readdirplus reply). ENAMETOOLONG for a name over 255 bytes.
  Attributes lookup(uint64_t parent, const std::string& name);
  // lookup() of a name that may well be absent (the kernel's lookups: tools probe for names all the time): nullopt
  // instead of an ENOENT thrown and caught, which cost more than the rest of a lookup.
  std::optional<Attributes> find(uint64_t parent, const std::string& name);
  void remember(std::span<const uint64_t> inos);
  // The kernel forgot `count` lookups of ino: an unlinked node leaves the table once nothing holds it.
  void forget_lookups(uint64_t ino, uint64_t count);
  Attributes getattr(uint64_t ino);  // nlink 0 for a node unlinked while the kernel still holds it
  // The entries of a folder in name order, from the `from`th (0: the first), at most `count` of them: a listing is
  // read one buffer at a time (one page per request on many kernels, 8 KiB from Go's os.ReadDir), and each slice
  // must not copy the whole folder.
  std::vector<DirEntry> readdir(uint64_t ino, std::size_t from = 0, std::size_t count = SIZE_MAX);

  // New nodes belong to the caller, in its group unless the folder is setgid (then in the folder's group, and a new
  // folder is setgid too). At the root (protected data), only the mounting uid: EACCES for others.
  Attributes mkdir(uint64_t parent, const std::string& name, uint32_t mode, OptionalCaller caller = std::nullopt);
  Attributes create(uint64_t parent, const std::string& name, uint32_t mode,
                    OptionalCaller caller = std::nullopt);  // also opens it (release() closes)
  // Special files, kept local-only like names starting with '.': a symlink (dangling allowed; size = the target's
  // length) and, by mknod, a FIFO, a socket or (uid 0 only, EPERM otherwise) a device node. EPERM at the root.
  Attributes symlink(uint64_t parent, const std::string& name, const std::string& target,
                     OptionalCaller caller = std::nullopt);
  Attributes mknod(uint64_t parent, const std::string& name, uint32_t mode, uint64_t rdev,
                   OptionalCaller caller = std::nullopt);  // mode carries the file type (S_IFREG: a field)
  std::string readlink(uint64_t ino);                      // EINVAL for a node that is not a symlink
  // A hard link: one more name for a field or a special file, in the same protected data (EXDEV across two, EPERM
  // for a folder or at the root). Every name of a field is a field of its own when published (the same bytes); a
  // special file stays local under each. Counts one lookup, as the entry is handed to the kernel.
  Attributes link(uint64_t ino, uint64_t new_parent, const std::string& new_name);
  // One name goes; the node goes with its last one (kept while open, as on ext4). A sticky folder keeps its entries
  // from callers that own neither the entry nor the folder (EPERM), as rename.
  void unlink(uint64_t parent, const std::string& name, OptionalCaller caller = std::nullopt);
  void rmdir(uint64_t parent, const std::string& name, OptionalCaller caller = std::nullopt);
  // renameat2(2): over a file or an empty folder, never a folder into itself (EINVAL), EXDEV between two protected
  // data; flags RENAME_NOREPLACE (EEXIST) and RENAME_EXCHANGE (both names must exist), any other flag EINVAL. One
  // store write and one version published.
  void rename(uint64_t parent, const std::string& name, uint64_t new_parent, const std::string& new_name,
              unsigned int flags, OptionalCaller caller = std::nullopt);

  // Checks the node is a field (EISDIR for a folder, ENXIO for a special file: the kernel opens those itself);
  // O_TRUNC truncates (clearing setuid/setgid, as any write by a caller other than root does).
  void open(uint64_t ino, int flags, OptionalCaller caller = std::nullopt);
  // The last close of an open file (every open and create is released once).
  void release(uint64_t ino);
  // Also updates the access time as relatime does (when it is not newer than the last change, or a day old).
  std::size_t read(uint64_t ino, uint64_t offset, std::span<uint8_t> out);
  // A write by a caller other than root clears setuid, and setgid where the group may execute (what the session's
  // FUSE_CAP_HANDLE_KILLPRIV asks of the file system; where the kernel still does it by a chmod in the writer's
  // name, setattr accepts that chmod from a writer).
  std::size_t write(uint64_t ino, uint64_t offset, ByteView data, OptionalCaller caller = std::nullopt);
  // close(2): nothing to wait for. Every write has already reached the kernel (staged blocks by pwrite, tree
  // changes in the metadata's write-ahead log), so a crash or kill -9 of the daemon loses nothing once the write
  // returned; syncing here would cost ~4 ms of journal commits per file and cap copies at ~250 files/s.
  void flush(uint64_t ino);
  // fsync(2): the field's bytes and the whole tree are on disk when it returns (power loss included).
  void fsync(uint64_t ino);

  // chmod, chown, truncate and utimensat, with POSIX's rules for the caller (core/ownership.hpp): chown of the owner
  // by root only, of the group by the owner to one of its groups; chmod by the owner (setgid dropped for a
  // non-member); explicit times by the owner, the current time (tv_nsec == UTIME_NOW) by a writer too. Every change
  // sets the ctime; chown and a truncate by a caller other than root clear setuid/setgid.
  struct SetAttr {
    std::optional<uint64_t> size;
    std::optional<uint32_t> mode;
    std::optional<timespec> atime;
    std::optional<timespec> mtime;
    std::optional<uid_t> uid;
    std::optional<gid_t> gid;
  };
  Attributes setattr(uint64_t ino, const SetAttr& change, OptionalCaller caller = std::nullopt);

  std::string getxattr(uint64_t ino, const std::string& name);
  std::vector<std::string> listxattr(uint64_t ino);
  // The attributes that act with the wallet (grant.*, grants, owner, type) refuse callers other than the mounting
  // uid with EACCES.
  void setxattr(uint64_t ino, const std::string& name, const std::string& value, int flags,
                OptionalCaller caller = std::nullopt);
  void removexattr(uint64_t ino, const std::string& name, OptionalCaller caller = std::nullopt);

 private:
  struct Node;
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace pfs::core
