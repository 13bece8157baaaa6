// Network records as the tree keeps them (SPEC.md §3): a registered version as the attributes show it, and orders
// as grants; the same text whether this mount made them (the publisher, the grant keeper) or found them on the
// network (the tree sync).
#pragma once
#include <cstdint>
#include <string>

#include "protectedfs/core/filesystem.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::remote {

std::string iso_time(uint64_t unix_seconds);  // "2026-11-25T15:20:00Z"

// A registered version as the tree shows it: multiaddr as text, checksum 0x-hex, created ISO 8601.
core::PublishedVersion published_version_of(const network::DatasetRecord& record);
// Sets address, owner, schema, multiaddr (text), checksum, tx, created and status "published"; `versions` are the
// earlier versions, newest first. What else `info` holds (grants…) is kept.
void apply_published(core::DataInfo& info, const network::DatasetRecord& record,
                     std::vector<core::VersionRef> versions);

// An order as the tree records it (its market JSON with "sign"), and back.
core::IssuedOrder issued_order_of(const network::SignedOrder& order, core::IssuedOrder::State state);
network::SignedOrder signed_order_of(const core::IssuedOrder& order);
// The grants that open orders carry (a folder adopted from the network shows the grants made elsewhere).
void import_grants(core::DataInfo& info, const std::vector<network::OrderState>& open_orders);

}  // namespace pfs::remote
