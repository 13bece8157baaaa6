// A task's result as iExec's post-compute hands it over: $IEXEC_OUT zipped (iexec_out.zip), or, for a requester
// who asked for encryption (iexec_result_encryption), the envelope the post-compute makes of it: a zip holding
// aes-key.rsa and iexec_out.zip.aes (crypto/result_cipher.hpp), which the SDK's utils.decryptResult opens with the
// beneficiary's private key. Zips here are STORE zips read back through format::ZipReader (untrusted input:
// names are checked, nothing lands outside the target folder).
#pragma once
#include <filesystem>
#include <string>

#include "protectedfs/util/bytes.hpp"

namespace pfs::network {

inline constexpr std::string_view kEncryptedKeyEntry = "aes-key.rsa";
inline constexpr std::string_view kEncryptedResultEntry = "iexec_out.zip.aes";

// Every file and folder under `dir` (symbolic links and special files are left out), in name order.
Bytes zip_folder(const std::filesystem::path& dir);
// A result folder must be absent or an empty folder, in an existing folder: EEXIST / ENOENT otherwise.
void check_result_folder(const std::filesystem::path& target);
// Extracts a result zip into `target` (absent or an empty folder), which appears whole or not at all. EBADMSG for
// a zip that is not one; EEXIST / ENOENT as check_result_folder. A zip with compressed (deflated) entries, as
// iExec's workers make them, is not extracted: it lands whole as `target`/iexec_out.zip.
void unzip_result(ByteView zip, const std::filesystem::path& target);

Bytes seal_result_envelope(ByteView result_zip, const std::string& public_pem);
bool is_result_envelope(ByteView zip);
// The result zip inside; EBADMSG for another key or a damaged envelope.
Bytes open_result_envelope(ByteView envelope, const std::string& private_pem);

}  // namespace pfs::network
