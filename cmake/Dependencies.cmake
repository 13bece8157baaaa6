# Every dependency comes from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)            # AES-256-CBC / AES-128-CTR with AES-NI, SHA-256 with SHA-NI
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(spdlog REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)        # randomness, base64, scrypt
pkg_check_modules(SECP256K1 REQUIRED IMPORTED_TARGET libsecp256k1)  # ECDSA with recovery (RFC 6979)
pkg_check_modules(CRYPTOPP REQUIRED IMPORTED_TARGET libcrypto++)    # Keccak-256 (OpenSSL 3.0 has none), big integers
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)            # CRC-32 with PCLMUL (~20 GB/s) for zip entries
pkg_check_modules(FUSE3 REQUIRED IMPORTED_TARGET fuse3)              # the low-level FUSE API
pkg_check_modules(ROCKSDB REQUIRED IMPORTED_TARGET rocksdb)          # the metadata cache (tree, keys, publish journal)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)                # HTTP for the iExec network (JSON-RPC, IPFS, SMS, market)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)        # the config file (network profiles)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)         # the iApp sandbox's system-call filter
