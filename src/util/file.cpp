#include "protectedfs/util/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace pfs {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

UniqueFd open_file(const std::filesystem::path& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) throw_system_error("cannot open " + path.string());
  return UniqueFd(fd);
}

std::size_t read_full(int fd, std::span<uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_system_error("read failed");
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

void pread_full(int fd, std::span<uint8_t> out, uint64_t offset, const std::string& what) {
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_system_error("cannot read " + what);
    }
    if (n == 0) throw Error(EIO, "unexpected end of " + what);
    done += static_cast<std::size_t>(n);
  }
}

void write_full(int fd, ByteView data, const std::string& what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_system_error("cannot write " + what);
    }
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

FileSource::FileSource(const std::filesystem::path& path) : name_(path.string()), fd_(open_file(path, O_RDONLY)) {
  struct stat st {};
  if (::fstat(fd_.get(), &st) != 0) throw_system_error("cannot stat " + name_);
  if (!S_ISREG(st.st_mode)) throw Error(EINVAL, name_ + " is not a regular file");
  size_ = static_cast<uint64_t>(st.st_size);
}

void FileSource::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > size_ || out.size() > size_ - offset) throw Error(EINVAL, "read past the end of " + name_);
  pread_full(fd_.get(), out, offset, name_);
}

void MemorySource::read_at(uint64_t offset, std::span<uint8_t> out) const {
  if (offset > data_.size() || out.size() > data_.size() - offset) throw Error(EINVAL, "read past the end of data");
  std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
}

namespace {
constexpr std::size_t kDirectAlign = 4096;  // the largest logical block size O_DIRECT may ask for
}  // namespace

void DirectWriter::Free::operator()(uint8_t* p) const { std::free(p); }

DirectWriter::DirectWriter(int fd, std::string what, std::size_t buffer_size)
    : fd_(fd), what_(std::move(what)), capacity_((buffer_size + kDirectAlign - 1) / kDirectAlign * kDirectAlign) {
  const int flags = ::fcntl(fd_, F_GETFL);
  direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
  if (direct_) buffer_.reset(static_cast<uint8_t*>(std::aligned_alloc(kDirectAlign, capacity_)));
  if (direct_ && !buffer_) go_buffered();
}

void DirectWriter::go_buffered() {
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) throw_system_error("cannot write " + what_);
  direct_ = false;
}

void DirectWriter::write(ByteView data) {
  guarded([&] { append(data); });
}

void DirectWriter::finish() {
  guarded([&] { write_tail(); });
}

void DirectWriter::append(ByteView data) {
  if (!direct_) return write_full(fd_, data, what_);
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), capacity_ - used_);
    std::memcpy(buffer_.get() + used_, data.data(), take);
    used_ += take;
    data = data.subspan(take);
    if (used_ == capacity_) {
      used_ = 0;
      write_direct({buffer_.get(), capacity_});
    }
  }
}

void DirectWriter::write_direct(ByteView data) {
  while (!data.empty() && direct_) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EINVAL) throw_system_error("cannot write " + what_);
      go_buffered();  // a file system that took the flag but not these writes
      break;
    }
    data = data.subspan(static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) % kDirectAlign != 0) go_buffered();  // a short write left the rest unaligned
  }
  write_full(fd_, data, what_);
}

void DirectWriter::write_tail() {
  if (!direct_) return;
  const std::size_t whole = used_ / kDirectAlign * kDirectAlign;
  write_direct({buffer_.get(), whole});
  if (direct_) go_buffered();
  write_full(fd_, {buffer_.get() + whole, used_ - whole}, what_);
  used_ = 0;
}

AtomicFile::AtomicFile(std::filesystem::path target, mode_t mode) : target_(std::move(target)) {
  std::string hidden_name = ".";
  hidden_name.append(target_.filename().string()).append(".partial-XXXXXX");
  std::string pattern = (target_.parent_path() / hidden_name).string();
  int fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) throw_system_error("cannot create a file beside " + target_.string());
  fd_.reset(fd);
  temporary_ = pattern;
  ::fchmod(fd, mode);
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temporary_.c_str());
}

void AtomicFile::commit() {
  if (::fsync(fd_.get()) != 0) throw_system_error("cannot flush " + target_.string());
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) throw_system_error("cannot create " + target_.string());
  committed_ = true;
  fd_.reset();
  auto dir = target_.parent_path().empty() ? std::filesystem::path(".") : target_.parent_path();
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd) ::fsync(dir_fd.get());  // best effort: the data itself is already durable
}

mode_t current_umask() {
  if (auto status = read_whole_file("/proc/self/status")) {
    const auto at = status->find("\nUmask:");
    if (at != std::string::npos) return static_cast<mode_t>(std::strtoul(status->c_str() + at + 7, nullptr, 8));
  }
  const mode_t mask = ::umask(022);  // no /proc: read it by setting it back (a narrow race with another thread)
  ::umask(mask);
  return mask;
}

void create_private_directories(const std::filesystem::path& dir) {
  std::filesystem::path path;
  for (const auto& part : dir.lexically_normal()) {
    path /= part;
    if (path == path.root_path() || part.empty()) continue;
    if (::mkdir(path.c_str(), 0700) == 0) {
      if (::chmod(path.c_str(), 0700) != 0) throw_system_error("cannot set the mode of " + path.string());
    } else if (errno != EEXIST) {
      throw_system_error("cannot create " + path.string());
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) throw_system_error("cannot stat " + dir.string());
  if (!S_ISDIR(st.st_mode)) throw Error(ENOTDIR, dir.string() + " is not a folder");
  if ((st.st_mode & 07777) != 0700 && ::chmod(dir.c_str(), 0700) != 0)
    throw_system_error("cannot make " + dir.string() + " private");
}

std::optional<std::string> read_whole_file(const std::filesystem::path& path) {
  int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_system_error("cannot open " + path.string());
  }
  UniqueFd fd(raw);
  std::string out;
  char buffer[16384];
  for (;;) {
    const std::size_t n = read_full(fd.get(), {reinterpret_cast<uint8_t*>(buffer), sizeof buffer});
    out.append(buffer, n);
    if (n < sizeof buffer) return out;
  }
}

}  // namespace pfs
