// The attribute policy: SPEC.md §3's user.protected.* attributes (read-only ones, the type, grants, the owner) and
// the other user.* attributes, kept locally.
#include <sys/xattr.h>

#include "core/data_info.hpp"
#include "core/tree_state.hpp"
#include "protectedfs/format/borsh.hpp"
#include "protectedfs/util/quote.hpp"

namespace pfs::core {
namespace {

constexpr const char* kPrefix = "user.protected.";
constexpr const char* kTypeAttribute = "user.protected.type";
constexpr const char* kKeyAttribute = "user.protected.key";
constexpr const char* kGrantPrefix = "user.protected.grant.";
constexpr const char* kGrantsAttribute = "user.protected.grants";
constexpr const char* kOwnerAttribute = "user.protected.owner";
constexpr const char* kLocalAttribute = "user.protected.local";  // what stays local (Filesystem::State::local_listing)
constexpr std::size_t kMaxScalarText = 4096;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Other namespaces (security.*, system.*, trusted.*) are not supported: ENOTSUP to read, set or remove one, what a
// local file system without their handlers answers. Tools take it as "not supported on this device" and stop asking
// (`ls -l` asks security.selinux and the POSIX ACL of every file otherwise: two round trips per file).
void require_user_namespace(const std::string& name) {
  if (!starts_with(name, "user.")) throw Error(ENOTSUP, "only user.* attributes are supported");
}

}  // namespace

std::string Filesystem::getxattr(uint64_t ino, const std::string& name) {
  require_user_namespace(name);
  ReaderLock lock(state_->tree);
  Node& n = state_->node(ino);
  if (starts_with(name, kPrefix)) {
    const std::string field = name.substr(std::string(kPrefix).size());
    if (n.kind == NodeKind::Root && state_->root_attributes) {
      auto values = state_->root_attributes();
      if (auto it = values.find(name); it != values.end()) return it->second;
    }
    if (n.kind == NodeKind::Data) {
      if (field == "local") return state_->local_listing(n);
      if (auto value = data_attribute(n.info, field)) return *value;
    }
    if (n.kind == NodeKind::Field && !n.local_only()) {
      if (field == "type" && n.type) return *n.type;
      if (field == "key") {
        if (auto path = state_->key_path(n)) return *path;  // none below a local-only folder
      }
    }
    throw Error(ENODATA, "no attribute " + quote(name) + " on " + quote(n.name));
  }
  auto it = n.xattrs.find(name);
  if (it == n.xattrs.end()) throw Error(ENODATA, "no attribute " + quote(name));
  return it->second;
}

std::vector<std::string> Filesystem::listxattr(uint64_t ino) {
  ReaderLock lock(state_->tree);
  Node& n = state_->node(ino);
  std::vector<std::string> names;
  if (n.kind == NodeKind::Root && state_->root_attributes)
    for (const auto& [name, value] : state_->root_attributes()) names.push_back(name);
  if (n.kind == NodeKind::Data) {
    for (auto& name : data_attribute_names(n.info)) names.push_back(std::move(name));
    names.push_back(kLocalAttribute);
  }
  if (n.kind == NodeKind::Field && !n.local_only()) {
    if (n.type) names.push_back(kTypeAttribute);
    names.push_back(kKeyAttribute);
  }
  for (const auto& [name, value] : n.xattrs) names.push_back(name);
  return names;
}

void Filesystem::setxattr(uint64_t ino, const std::string& name, const std::string& value, int flags,
                          OptionalCaller caller) {
  require_user_namespace(name);
  WriterLock lock(state_->tree);
  // SPEC.md §3's attributes describe a node of the tree: none on one unlinked while open.
  Node& n = starts_with(name, kPrefix) ? state_->linked(ino) : state_->node(ino);
  if (name == kTypeAttribute && n.kind == NodeKind::Field && !n.local_only()) {
    state_->require_mount_owner(caller, "set the type of " + quote(n.name));
    std::string text = value;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    const format::FieldType type = format::parse_field_type(text);  // EINVAL naming the accepted types
    if (type == format::FieldType::Bool || type == format::FieldType::F64 || type == format::FieldType::I128) {
      // The content must parse as that value now, so a bad override is refused here and not at publish time.
      if (n.size > kMaxScalarText) throw Error(EINVAL, quote(n.name) + " is too large to be a " + text);
      Bytes content(static_cast<std::size_t>(n.size));
      content.resize(state_->contents.read(ino, 0, content));
      format::scalar_from_text(type, as_chars(content));
    }
    if ((flags & XATTR_CREATE) && n.type) throw Error(EEXIST, name + " is already set");
    if (n.type == format::to_string(type)) return;  // the type it has: nothing changes, nothing to publish
    n.type = std::string(format::to_string(type));
    n.ctime = now();  // an attribute change is a change of the inode (POSIX)
    state_->save(n);
    state_->changed(n);
    return;
  }
  if (n.kind == NodeKind::Data && starts_with(name, kGrantPrefix)) {
    state_->require_mount_owner(caller, "grant access to " + quote(n.name));
    const GrantSubject subject = parse_grant_subject(name.substr(std::string(kGrantPrefix).size()));
    const GrantTerms terms = parse_grant_terms(value);
    Grant* existing = find_grant(n.info, subject);
    if ((flags & XATTR_CREATE) && existing)
      throw Error(EEXIST, name + " exists (remove it first, or set it without create)");
    if ((flags & XATTR_REPLACE) && !existing) throw Error(ENODATA, "no grant " + name);
    if (!existing && state_->open_grants() >= kMaxOpenGrants)
      throw Error(EDQUOT, "this wallet already has " + std::to_string(kMaxOpenGrants) +
                              " grants, the most the market keeps open for one wallet");
    if (!n.transfer_pending()) {
      // Setting a grant again replaces its terms: a new order, the old one revoked (SPEC.md §3).
      if (existing) *existing = Grant{subject, terms, ""};
      else n.info.grants.push_back(Grant{subject, terms, ""});
      n.ctime = now();
      state_->save(n);
      if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
      return;
    }
    throw Error(EBUSY, quote(n.name) + " is being transferred to " + n.info.transfer_to);
  }
  if (n.kind == NodeKind::Data && name == kOwnerAttribute) {
    state_->require_mount_owner(caller, "transfer " + quote(n.name));
    const crypto::Address owner = parse_address_value(value);
    if (!n.info.owner.empty() && owner == crypto::Address::parse(n.info.owner)) return;  // cp -a sets what is there
    if (n.info.address.empty()) throw Error(EINVAL, quote(n.name) + " has no published version to transfer yet");
    if (owner.is_zero()) throw Error(EINVAL, "cannot transfer " + quote(n.name) + " to the zero address");
    if (n.transfer_pending())
      throw Error(EBUSY, quote(n.name) + " is already being transferred to " + n.info.transfer_to);
    if (!shows_registered_version(n.info))  // what is registered is given
      throw Error(EBUSY, quote(n.name) + " has changes not published yet (protectedfs sync, then transfer)");
    n.info.transfer_to = owner.to_string();
    n.info.status = {.kind = DataStatus::Kind::Transferring, .to = n.info.transfer_to};
    n.ctime = now();
    state_->save(n);
    if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
    return;
  }
  if (starts_with(name, kPrefix)) {
    // Tools that copy attributes (cp -a, mv, rsync -X) set the read-only ones to the value they already have.
    const std::string node_name = n.name;
    lock.unlock();
    std::string current;
    try {
      current = getxattr(ino, name);
    } catch (const Error&) {
      throw Error(EINVAL, "unknown attribute " + quote(name) + " on " + quote(node_name));
    }
    if (current == value) return;
    throw Error(EROFS, name + " is read-only");
  }
  const bool exists = n.xattrs.count(name) != 0;
  if ((flags & XATTR_CREATE) && exists) throw Error(EEXIST, name + " exists");
  if ((flags & XATTR_REPLACE) && !exists) throw Error(ENODATA, "no attribute " + quote(name));
  n.xattrs[name] = value;
  n.ctime = now();
  state_->save(n);
}

void Filesystem::removexattr(uint64_t ino, const std::string& name, OptionalCaller caller) {
  require_user_namespace(name);
  WriterLock lock(state_->tree);
  Node& n = starts_with(name, kPrefix) ? state_->linked(ino) : state_->node(ino);
  if (name == kTypeAttribute && n.kind == NodeKind::Field) {
    state_->require_mount_owner(caller, "remove the type of " + quote(n.name));
    if (!n.type) throw Error(ENODATA, "no attribute " + quote(name));
    n.type.reset();
    n.ctime = now();
    state_->save(n);
    state_->changed(n);
    return;
  }
  if (n.kind == NodeKind::Data && (starts_with(name, kGrantPrefix) || name == kGrantsAttribute)) {
    state_->require_mount_owner(caller, "revoke grants of " + quote(n.name));
    if (name == kGrantsAttribute) {
      n.info.grants.clear();  // revokes every grant
    } else {
      const GrantSubject subject = parse_grant_subject(name.substr(std::string(kGrantPrefix).size()));
      const auto before = n.info.grants.size();
      std::erase_if(n.info.grants, [&](const Grant& g) { return g.subject == subject; });
      if (n.info.grants.size() == before) throw Error(ENODATA, "no grant " + name);
    }
    n.ctime = now();
    state_->save(n);
    if (state_->events.grants_changed) state_->events.grants_changed(n.ino, n.name);
    return;
  }
  if (starts_with(name, kPrefix)) throw Error(EROFS, name + " cannot be removed");
  if (n.xattrs.erase(name) == 0) throw Error(ENODATA, "no attribute " + quote(name));
  n.ctime = now();
  state_->save(n);
}

}  // namespace pfs::core
