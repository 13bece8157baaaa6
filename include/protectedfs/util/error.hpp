// The one error type: a message for the log line and an errno for the shell (and, later, for FUSE replies).
// Code everywhere throws pfs::Error with the errno that names the cause; anything else that escapes is a fault
// that the outermost layer reports as EIO.
#pragma once
#include <cerrno>
#include <stdexcept>
#include <string>

namespace pfs {

class Error : public std::runtime_error {
 public:
  Error(int errno_code, const std::string& message) : std::runtime_error(message), code_(errno_code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// Throws Error(errno, what + ": " + strerror(errno)) for a failed system call.
[[noreturn]] void throw_system_error(const std::string& what);

}  // namespace pfs
