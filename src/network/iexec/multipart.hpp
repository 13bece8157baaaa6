// The multipart/form-data framing of one file part, as Kubo's RPC `add` takes it: the head and the tail are
// fixed text around the file bytes, so the body can be streamed (the bytes in between are never buffered).
#pragma once
#include <string>

namespace pfs::network::iexec {

struct MultipartFile {
  std::string boundary;  // random, long enough never to occur in ciphertext by chance (and ciphertext is random)

  static MultipartFile with_random_boundary();

  std::string content_type_header() const;  // "Content-Type: multipart/form-data; boundary=B"
  // "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/
  // octet-stream\r\n\r\n"
  std::string head() const;
  std::string tail() const;  // "\r\n--B--\r\n"
};

}  // namespace pfs::network::iexec
