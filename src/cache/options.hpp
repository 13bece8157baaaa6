// The RocksDB options of the metadata cache, shared with the tests that check the durability scheme on them.
#pragma once
#include <rocksdb/options.h>

namespace pfs::cache {

rocksdb::Options metadata_db_options();

}  // namespace pfs::cache
