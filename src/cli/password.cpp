#include "cli/password.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string_view>
#include <vector>

#include "protectedfs/util/error.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {
namespace {

std::string strip_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

// Reads one line from the controlling terminal with echo off.
std::string prompt_terminal(const std::string& prompt) {
  UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (!tty)
    throw Error(EINVAL, "no password given: set PROTECTEDFS_PASSWORD or use --password-file (no terminal to ask on)");
  termios saved{};
  const bool have_termios = ::tcgetattr(tty.get(), &saved) == 0;
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  if (have_termios) ::tcsetattr(tty.get(), TCSAFLUSH, &quiet);
  write_full(tty.get(), as_bytes(prompt), "the terminal");
  std::string line;
  char c;
  while (::read(tty.get(), &c, 1) == 1 && c != '\n') line.push_back(c);
  if (have_termios) ::tcsetattr(tty.get(), TCSAFLUSH, &saved);
  write_full(tty.get(), as_bytes("\n"), "the terminal");
  return line;
}

}  // namespace

std::optional<std::string> take_password_from_environment() {
  static constexpr std::string_view kName = "PROTECTEDFS_PASSWORD=";
  std::optional<std::string> password;
  std::vector<char*> entries;  // getenv's answer is the first one; a duplicate entry is wiped too
  for (char** entry = environ; entry && *entry; ++entry) {
    if (std::string_view(*entry).substr(0, kName.size()) != kName) continue;
    if (!password) password = std::string(*entry + kName.size());
    entries.push_back(*entry);
  }
  ::unsetenv("PROTECTEDFS_PASSWORD");  // drops the entries from environ; their bytes stay where they are: wipe them
  for (char* text : entries) sodium_memzero(text, std::strlen(text));
  return password;
}

std::string read_password(const PasswordSource& source, const std::string& prompt, bool confirm) {
  if (source.typed) return *source.typed;
  if (source.file) {
    std::ifstream in(*source.file);
    if (!in) throw Error(ENOENT, "cannot read the password file " + *source.file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return strip_newline(std::move(text));
  }
  if (const char* env = std::getenv("PROTECTEDFS_PASSWORD")) return env;
  std::string password = prompt_terminal(prompt);
  if (confirm && prompt_terminal("Repeat the password: ") != password) throw Error(EINVAL, "the two passwords differ");
  return password;
}

}  // namespace pfs::cli
