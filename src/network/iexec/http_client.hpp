// HTTP over libcurl for the iExec network: JSON-RPC, the IPFS API and gateway, the SMS and the market API.
//
// Failures are pfs::Error with the errno callers act on (network.hpp): a peer that cannot answer now (connection
// refused, DNS failure, timeout, reset, HTTP 5xx / 429 / 408) is EAGAIN so the publisher retries; what the peer
// refuses keeps its meaning (401/403 EACCES, 404 ENOENT, 409 EEXIST, 400 EINVAL, 413 EINVAL). Request bodies may be
// streamed (a read callback, chunked transfer) so an upload never holds a whole file; response bodies may be
// streamed too (a sink callback) so a download is bounded by what the caller keeps.
//
// Curl easy handles are reused from a small pool: reusing a handle keeps its connection cache, so a burst of
// JSON-RPC calls to one node costs one TCP connection, not one per call. Each handle serves one thread at a time.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pfs::network::iexec {

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};  // whole request, unless the request sets its own
};

struct HttpRequest {
  std::string method = "GET";  // GET, POST, HEAD, PUT
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent as is unless body_source is set
  // Streams the body instead (chunked transfer): fills the span, returns bytes written, 0 at the end. Returning
  // kAbort cancels the transfer (the request then fails with ECANCELED).
  std::function<std::size_t(std::span<char>)> body_source;
  // Receives the response body as it arrives, with the response's status, instead of collecting it; returning false
  // stops the transfer (not an error: the response is returned with what arrived).
  std::function<bool(long status, std::string_view)> body_sink;
  std::optional<std::chrono::milliseconds> timeout;  // overrides HttpOptions::timeout; 0 = none (streams)
  // For streams without a total timeout: fail when fewer than 1 byte/s moved for this long.
  std::chrono::seconds stall_timeout{120};

  static constexpr std::size_t kAbort = static_cast<std::size_t>(-1);
};

struct HttpResponse {
  long status = 0;
  std::string body;                                          // empty when a body_sink consumed it
  std::optional<uint64_t> content_length;                    // from the headers, when given
  std::vector<std::pair<std::string, std::string>> headers;  // lowercase names
  std::optional<std::string> header(std::string_view lowercase_name) const;
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs the request; any HTTP status is returned. Throws EAGAIN when no answer came (the reason names the URL
  // and curl's error), ECANCELED when body_source aborted.
  HttpResponse send(const HttpRequest& request);

  const HttpOptions& options() const { return options_; }

 private:
  void* acquire();
  void release(void* handle);

  HttpOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_;  // CURL* kept for reuse
};

// The errno an HTTP status stands for (0 for 2xx), per the header comment.
int errno_for_status(long status);
// Throws pfs::Error(errno_for_status, "<what>: HTTP <status>: <short body>") unless the status is 2xx.
void require_success(const HttpResponse& response, const std::string& what);
// The first bytes of a response body as printable text, for error messages (never a secret: only peers' answers).
std::string body_excerpt(std::string_view body, std::size_t limit = 200);

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);
// base + path, without doubling or dropping the slash between them.
std::string join_url(std::string_view base, std::string_view path);

}  // namespace pfs::network::iexec
