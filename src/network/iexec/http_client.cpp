#include "network/iexec/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <mutex>

#include "protectedfs/util/error.hpp"

namespace pfs::network::iexec {
namespace {

constexpr std::size_t kMaxIdleHandles = 8;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw Error(EIO, "libcurl failed to initialize");
  });
}

// What one transfer needs in its callbacks (they are C functions: exceptions are caught and kept here).
struct Transfer {
  CURL* curl = nullptr;
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  bool sink_stopped = false;
  bool source_aborted = false;
  std::exception_ptr failure;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    if (t->request->body_sink) {
      long status = 0;
      curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);  // known once the body flows
      if (!t->request->body_sink(status, std::string_view(data, n))) {
        t->sink_stopped = true;
        return 0;  // makes curl stop with CURLE_WRITE_ERROR, which send() treats as a normal end
      }
    } else {
      t->response->body.append(data, n);
    }
    return n;
  } catch (...) {
    t->failure = std::current_exception();
    return 0;
  }
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  try {
    const std::size_t n = t->request->body_source(std::span<char>(buffer, size * count));
    if (n == HttpRequest::kAbort) {
      t->source_aborted = true;
      return CURL_READFUNC_ABORT;
    }
    return n;
  } catch (...) {
    t->failure = std::current_exception();
    return CURL_READFUNC_ABORT;
  }
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) t->response->headers.clear();  // a new response (after 100 Continue or a redirect)
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    t->response->headers.emplace_back(std::move(name), std::string(value));
  }
  return n;
}

// Curl failures that will not go away by retrying are not EAGAIN.
int errno_for_curl(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return EINVAL;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return EIO;
    default:
      return EAGAIN;
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) return value;
  return std::nullopt;
}

HttpClient::HttpClient(HttpOptions options) : options_(options) { global_init(); }

HttpClient::~HttpClient() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      curl_easy_reset(static_cast<CURL*>(handle));  // options go, the connection cache stays
      return handle;
    }
  }
  CURL* handle = curl_easy_init();
  if (handle == nullptr) throw Error(ENOMEM, "libcurl could not create a handle");
  return handle;
}

void HttpClient::release(void* handle) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
  } else {
    curl_easy_cleanup(static_cast<CURL*>(handle));
  }
}

HttpResponse HttpClient::send(const HttpRequest& request) {
  HttpResponse response;
  CURL* curl = static_cast<CURL*>(acquire());
  Transfer transfer{curl, &request, &response};
  curl_slist* headers = nullptr;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURLcode code = CURLE_OK;
  try {
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // several threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    const auto timeout = request.timeout.value_or(options_.timeout);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stall_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever curl can decode

    for (const auto& header : request.headers) headers = curl_slist_append(headers, header.c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip before a body

    if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
      if (request.method == "POST") {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
      } else {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        if (request.body_source) curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
      }
      if (request.body_source) {
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, &on_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
        headers = curl_slist_append(headers, "Transfer-Encoding: chunked");  // length unknown until the end
      } else {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
      }
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

    code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
    curl_off_t length = -1;
    if (curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK && length >= 0)
      response.content_length = static_cast<uint64_t>(length);
  } catch (...) {
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    throw;
  }
  curl_slist_free_all(headers);
  // A failed transfer may leave the connection in any state: do not reuse the handle.
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.sink_stopped)) {
    release(curl);
  } else {
    curl_easy_cleanup(curl);
  }

  if (transfer.failure) std::rethrow_exception(transfer.failure);
  if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && transfer.sink_stopped)) return response;
  if (transfer.source_aborted) throw Error(ECANCELED, request.method + " " + request.url + ": cancelled");
  std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
  throw Error(errno_for_curl(code), request.method + " " + request.url + ": " + reason);
}

int errno_for_status(long status) {
  if (status >= 200 && status < 300) return 0;
  if (status >= 500 || status == 429 || status == 408) return EAGAIN;
  switch (status) {
    case 400:
    case 413:
    case 422:
      return EINVAL;
    case 401:
    case 403:
      return EACCES;
    case 404:
    case 410:
      return ENOENT;
    case 409:
      return EEXIST;
    default:
      return EIO;
  }
}

std::string body_excerpt(std::string_view body, std::size_t limit) {
  std::string out;
  for (char c : body.substr(0, limit)) out.push_back(std::isprint(static_cast<unsigned char>(c)) ? c : ' ');
  if (body.size() > limit) out += "…";
  return out;
}

void require_success(const HttpResponse& response, const std::string& what) {
  const int code = errno_for_status(response.status);
  if (code == 0) return;
  std::string message = what + ": HTTP " + std::to_string(response.status);
  if (!response.body.empty()) message += ": " + body_excerpt(response.body);
  throw Error(code, message);
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string join_url(std::string_view base, std::string_view path) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!path.starts_with('/')) out.push_back('/');
  out.append(path);
  return out;
}

}  // namespace pfs::network::iexec
