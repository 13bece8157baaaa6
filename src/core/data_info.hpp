// A protected data's DataInfo: stored as JSON in its node record, and shown through the attributes of SPEC.md §3
// (grants and usage included).
#pragma once
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/core/filesystem.hpp"

namespace pfs::core {

std::string encode_data_info(const DataInfo& info);

// encode_data_info() of one data's info, the last result kept while the info stays equal: every change in a data
// writes the data's folder record (a create touches it), and encoding with nlohmann cost ~55k instructions, a
// quarter of a small file's create in the daemon. May be called by threads holding the tree shared at once (the
// last result is swapped atomically); a copy starts empty.
class EncodedDataInfo {
 public:
  EncodedDataInfo() = default;
  EncodedDataInfo(const EncodedDataInfo&) {}
  EncodedDataInfo& operator=(const EncodedDataInfo&) { return *this; }
  std::string encode(const DataInfo& info) const;

 private:
  struct Encoded {
    DataInfo info;
    std::string text;
  };
  mutable std::atomic<std::shared_ptr<const Encoded>> last_;
};
// The text of user.protected.status (SPEC.md §3): draft, pending, publishing STEP N%, published,
// failed: [grants: ]MESSAGE (retry in Ns), transferring to 0x….
std::string render_status(const DataStatus& status);
// Shows a registered version: its attributes, status published (no failure). Grants, orders and versions are kept.
void apply_version(DataInfo& info, const PublishedVersion& version);
DataInfo decode_data_info(std::string_view json);

// The value of user.protected.FIELD on a protected-data folder (FIELD = "address", "grants", "grant.USER.APP", …),
// or nullopt if it has none.
std::optional<std::string> data_attribute(const DataInfo& info, std::string_view field);
// The names `getfattr -d -m -` lists: the fixed ones, then one per grant.
std::vector<std::string> data_attribute_names(const DataInfo& info);

}  // namespace pfs::core
