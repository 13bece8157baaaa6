// The local worker: what iExec's pre-compute, app container and post-compute do for one task, on this machine.
//
//   pre-compute   the dataset's ciphertext checked against its on-chain checksum, decrypted with the key from the
//                 secret store into $IEXEC_IN/$IEXEC_DATASET_FILENAME (the plain zip, named by the dataset address)
//   compute       the iApp run isolated (sandbox.hpp: no network, none of the host's files but the system's, an
//                 unprivileged user, limits), its folders in a fresh private working directory (mode 0700, under
//                 $TMPDIR or /tmp), with the iExec environment and a clean one otherwise (nothing of the caller's,
//                 no password, leaks in); its stdout and stderr go to the caller's stderr
//   post-compute  $IEXEC_OUT must hold computed.json (a JSON object), as iExec requires; the whole $IEXEC_OUT is
//                 copied to the requester's result folder, which appears whole or not at all, and its zip is
//                 stored as the task's result; for a requester who asked for encryption only the envelope sealed
//                 with its public key is stored (network/task_result.hpp) and nothing is delivered in clear
//
// A bulk task has iExec's bulk layout instead of a single dataset: IEXEC_BULK_SLICE_SIZE=k and, for i = 1…k,
// IEXEC_DATASET_i_FILENAME naming the decrypted dataset (its address) in $IEXEC_IN.
//
// The working directory, the only place the plaintext ever is, is removed when the task ends, whatever happened:
// a Ctrl-C stops the app, not the runner (SIGINT and SIGQUIT are ignored while it waits, as system(3) does), and the
// directory of a runner killed outright (kill -9) is removed by the next run (a live runner holds a flock on it).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "network/local/sandbox_access.hpp"
#include "protectedfs/crypto/address.hpp"
#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/network/network.hpp"
#include "protectedfs/util/bytes.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::network::local {

// The arguments string split into words as a POSIX shell would without expansions: blanks separate words, '…'
// keeps everything literally, "…" keeps everything but \" and \\, a backslash outside quotes escapes the next
// character. EINVAL for an unterminated quote or a trailing backslash.
std::vector<std::string> split_args(std::string_view args);

// The result folder must be absent or an empty folder, in an existing folder: EEXIST / ENOENT otherwise. Checked
// before the access is paid, and again when the result is delivered.
void check_result_target(const std::filesystem::path& out);

// The dataset as the pre-compute sees it, checked before the run is paid for: EBADMSG if the ciphertext does not
// match the checksum or does not decrypt with the key (wrong key, truncated file).
std::shared_ptr<const RandomAccessSource> open_plaintext(std::shared_ptr<const RandomAccessSource> ciphertext,
                                                         const Hash32& checksum, const crypto::AesKey& key);

struct BulkDataset {
  crypto::Address dataset;
  std::shared_ptr<const RandomAccessSource> plaintext;  // from open_plaintext
};

struct IappTask {
  std::filesystem::path executable;
  std::vector<std::string> args;
  std::string args_text;                                // IEXEC_ARGS
  crypto::Address dataset;                              // IEXEC_DATASET_FILENAME (EIP-55)
  std::shared_ptr<const RandomAccessSource> plaintext;  // from open_plaintext
  std::string task_id;                                  // IEXEC_TASK_ID, "0x…"
  std::filesystem::path out;
  std::vector<BulkDataset> bulk;                 // non-empty: a bulk task on these (dataset, plaintext unused)
  std::optional<std::string> result_public_key;  // iexec_result_encryption: seal the result for this PEM key
  std::filesystem::path result_file;             // where the result zip is stored ("" = not stored)
  std::vector<std::filesystem::path> read_only;  // host paths the app may read besides its own (sandbox.hpp)
  AppLimits limits;
  std::vector<HiddenPath> hidden;  // host paths whose lookup by the app is named (sandbox.hpp)
};

// Runs the task to its end. EIO naming the task when the app cannot start, exits with a non-zero status, is
// killed, passes a limit (named), or leaves no valid computed.json; the result folder is then not created.
void run_iapp(const IappTask& task);

}  // namespace pfs::network::local
