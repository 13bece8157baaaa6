// A dataset record as the local registry stores it: one JSON file per dataset, named by its address.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "protectedfs/network/network.hpp"

namespace pfs::network::local {

struct StoredRecord {
  DatasetRecord record;
  // Registration order across every writer (assigned under the write lock): `created` has only second resolution,
  // and "oldest first" must hold between registrations of the same second.
  uint64_t sequence = 0;
};

// "0x<40 lowercase hex>.json"
std::string record_file_name(const crypto::Address& dataset);
bool is_record_file_name(std::string_view name);

// {"address","owner","name","multiaddr","checksum","schema","created","sequence","tx"}: addresses, multiaddr and
// checksum as 0x-hex, the rest as JSON strings and numbers. EINVAL if the name or schema is not valid UTF-8 (JSON
// text cannot hold it).
std::string encode_record(const StoredRecord& stored);
// nullopt for anything that is not a complete, well-formed record (a damaged file is skipped, never fatal).
std::optional<StoredRecord> decode_record(std::string_view json);

// The record of `dataset` in registry_dir: nullopt if absent; EIO if the file exists but is damaged.
std::optional<StoredRecord> load_record(const std::filesystem::path& registry_dir, const crypto::Address& dataset);

}  // namespace pfs::network::local
