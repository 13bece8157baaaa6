// A tiny HTTP/1.1 server on 127.0.0.1 for tests of the HTTP layers: each request (Content-Length or chunked body) is
// handed to a handler that scripts the answer (status, body, a delay, or hanging up without answering). One thread
// per connection, keep-alive supported; everything stops and is joined when the responder is destroyed.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pfs::test {

class HttpResponder {
 public:
  struct Request {
    std::string method;
    std::string target;                          // path and query
    std::map<std::string, std::string> headers;  // lowercase names
    std::string body;                            // de-chunked
    bool chunked = false;
  };
  struct Reply {
    int status = 200;
    std::string body;
    std::vector<std::string> headers;  // "Name: value"
    std::chrono::milliseconds delay{0};
    bool hang_up = false;  // close the connection without answering
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit HttpResponder(Handler handler) : handler_(std::move(handler)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::runtime_error("socket failed");
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener_, 16) != 0)
      throw std::runtime_error("bind/listen failed");
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~HttpResponder() {
    stopping_ = true;
    acceptor_.join();
    std::vector<std::thread> connections;
    {
      std::lock_guard lock(mutex_);
      connections.swap(connections_);
    }
    for (auto& t : connections) t.join();
    ::close(listener_);
  }

  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

  // A port nothing listens on (bound, then closed at once): connecting there is refused.
  static int closed_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
  }

 private:
  bool wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    while (!stopping_) {
      int n = ::poll(&p, 1, 50);
      if (n > 0) return true;
    }
    return false;
  }

  void accept_loop() {
    while (wait_readable(listener_)) {
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads more bytes into buffer; false when the peer closed or we stop.
  bool fill(int fd, std::string& buffer) {
    if (!wait_readable(fd)) return false;
    char chunk[65536];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  bool read_line(int fd, std::string& buffer, std::string& line) {
    std::size_t end;
    while ((end = buffer.find("\r\n")) == std::string::npos)
      if (!fill(fd, buffer)) return false;
    line = buffer.substr(0, end);
    buffer.erase(0, end + 2);
    return true;
  }

  bool read_exact(int fd, std::string& buffer, std::size_t size, std::string& out) {
    while (buffer.size() < size)
      if (!fill(fd, buffer)) return false;
    out.append(buffer, 0, size);
    buffer.erase(0, size);
    return true;
  }

  void serve(int fd) {
    std::string buffer;
    for (;;) {
      Request request;
      std::string line;
      if (!read_line(fd, buffer, line)) break;
      const auto first = line.find(' ');
      const auto second = line.find(' ', first + 1);
      request.method = line.substr(0, first);
      request.target = line.substr(first + 1, second - first - 1);
      for (;;) {
        if (!read_line(fd, buffer, line)) goto done;
        if (line.empty()) break;
        const auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        request.headers[name] = value;
      }
      if (request.headers["transfer-encoding"] == "chunked") {
        request.chunked = true;
        for (;;) {
          if (!read_line(fd, buffer, line)) goto done;
          const std::size_t size = std::stoul(line, nullptr, 16);
          if (size == 0) {
            read_line(fd, buffer, line);  // the empty line after the last chunk
            break;
          }
          if (!read_exact(fd, buffer, size, request.body) || !read_line(fd, buffer, line)) goto done;
        }
      } else if (request.headers.count("content-length")) {
        if (!read_exact(fd, buffer, std::stoul(request.headers["content-length"]), request.body)) goto done;
      }
      ++requests_;
      Reply reply = handler_(request);
      if (reply.delay.count() > 0) {
        const auto until = std::chrono::steady_clock::now() + reply.delay;
        while (!stopping_ && std::chrono::steady_clock::now() < until)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (reply.hang_up || stopping_) break;
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " Scripted\r\n";
      for (const auto& h : reply.headers) out += h + "\r\n";
      out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n";
      if (request.method != "HEAD") out += reply.body;
      for (std::size_t sent = 0; sent < out.size();) {
        ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) goto done;
        sent += static_cast<std::size_t>(n);
      }
    }
  done:
    ::close(fd);
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

}  // namespace pfs::test
