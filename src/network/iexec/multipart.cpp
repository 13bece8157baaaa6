#include "network/iexec/multipart.hpp"

#include "protectedfs/util/bytes.hpp"

namespace pfs::network::iexec {

MultipartFile MultipartFile::with_random_boundary() {
  return MultipartFile{"protectedfs-" + to_hex(random_array<16>())};
}

std::string MultipartFile::content_type_header() const {
  return "Content-Type: multipart/form-data; boundary=" + boundary;
}

std::string MultipartFile::head() const {
  return "--" + boundary +
         "\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n"
         "Content-Type: application/octet-stream\r\n"
         "\r\n";
}

std::string MultipartFile::tail() const { return "\r\n--" + boundary + "--\r\n"; }

}  // namespace pfs::network::iexec
