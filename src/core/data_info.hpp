// A protected data's DataInfo: stored as JSON in its node record, and shown through the attributes of SPEC.md §3
// (grants and usage included).
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protectedfs/core/filesystem.hpp"

namespace pfs::core {

std::string encode_data_info(const DataInfo& info);
DataInfo decode_data_info(std::string_view json);

// The value of user.protected.FIELD on a protected-data folder (FIELD = "address", "grants", "grant.USER.APP", …),
// or nullopt if it has none.
std::optional<std::string> data_attribute(const DataInfo& info, std::string_view field);
// The names `getfattr -d -m -` lists: the fixed ones, then one per grant.
std::vector<std::string> data_attribute_names(const DataInfo& info);

}  // namespace pfs::core
