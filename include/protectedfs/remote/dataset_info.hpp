// A registered version as the tree's attributes show it (SPEC.md §3): the same text whether the version was
// published by this mount (the publisher) or found on the network (the tree sync).
#pragma once
#include <cstdint>
#include <string>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::remote {

std::string iso_time(uint64_t unix_seconds);  // "2026-11-25T15:20:00Z"

// Sets address, owner, schema, multiaddr (text), checksum, tx, created and status "published"; `versions` is the
// JSON list of the earlier versions, newest first. What else `info` holds (grants…) is kept.
void apply_published(core::DataInfo& info, const network::DatasetRecord& record, std::string versions);

}  // namespace pfs::remote
