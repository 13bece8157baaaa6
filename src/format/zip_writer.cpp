#include "protectedfs/format/zip_writer.hpp"

#include <ctime>

#include "zip_layout.hpp"

namespace pfs::format {

using namespace zip;

DosTime DosTime::now() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  DosTime d;
  d.time = static_cast<uint16_t>(local.tm_hour << 11 | local.tm_min << 5 | local.tm_sec / 2);
  d.date = static_cast<uint16_t>((local.tm_year - 80) << 9 | (local.tm_mon + 1) << 5 | local.tm_mday);
  return d;
}

ZipWriter::ZipWriter(ByteSink& sink, DosTime stamp) : sink_(sink), stamp_(stamp) {}

void ZipWriter::emit(ByteView data) {
  sink_.write(data);
  offset_ += data.size();
}

void ZipWriter::validate_name(std::string_view path, bool directory) const {
  if (finished_) throw Error(EINVAL, "zip already finished");
  if (in_file_) throw Error(EINVAL, "zip entry still open");
  if (path.empty() || path.size() > kMax16 || path.front() == '/' || directory != (path.back() == '/'))
    throw Error(EINVAL, "invalid zip entry name '" + std::string(path) + "'");
}

void ZipWriter::write_local_header(const Entry& e) {
  const bool descriptor = e.flags & kFlagDataDescriptor;
  Bytes h;
  h.reserve(kLocalHeaderSize + e.name.size() + 20);
  put32(h, kLocalHeader);
  put16(h, e.version_needed);
  put16(h, e.flags);
  put16(h, 0);  // method: STORE
  put16(h, stamp_.time);
  put16(h, stamp_.date);
  put32(h, descriptor ? 0 : e.crc);
  const uint32_t size32 = e.zip64 ? kMax32 : (descriptor ? 0 : static_cast<uint32_t>(e.size));
  put32(h, size32);
  put32(h, size32);
  put16(h, static_cast<uint16_t>(e.name.size()));
  put16(h, static_cast<uint16_t>(e.zip64 ? 20 : 0));
  h.insert(h.end(), e.name.begin(), e.name.end());
  if (e.zip64) {
    put16(h, kZip64ExtraTag);
    put16(h, 16);
    put64(h, descriptor ? 0 : e.size);
    put64(h, descriptor ? 0 : e.size);
  }
  emit(h);
}

void ZipWriter::add_directory(std::string_view path) {
  validate_name(path, true);
  Entry e;
  e.name = std::string(path);
  e.directory = true;
  e.local_offset = offset_;
  write_local_header(e);
  entries_.push_back(std::move(e));
}

void ZipWriter::add_file(std::string_view path, ByteView content) {
  begin_file(path, content.size(), Crc32::of(content));
  write(content);
  end_file();
}

void ZipWriter::begin_file(std::string_view path, uint64_t size, std::optional<uint32_t> known_crc) {
  Entry e;
  e.size = size;
  e.zip64 = size >= kMax32;
  if (!known_crc) e.flags |= kFlagDataDescriptor;
  e.crc = known_crc.value_or(0);
  e.version_needed = e.zip64 ? kVersionZip64 : (known_crc ? kVersionStore : kVersionDescriptor);
  open_entry(path, std::move(e), size, known_crc);
}

void ZipWriter::begin_streamed_file(std::string_view path) {
  Entry e;
  e.zip64 = true;
  e.flags |= kFlagDataDescriptor;
  e.version_needed = kVersionZip64;
  open_entry(path, std::move(e), std::nullopt, std::nullopt);
}

void ZipWriter::open_entry(std::string_view path, Entry e, std::optional<uint64_t> announced,
                           std::optional<uint32_t> known_crc) {
  validate_name(path, false);
  e.name = std::string(path);
  e.local_offset = offset_;
  write_local_header(e);
  entries_.push_back(std::move(e));
  in_file_ = true;
  announced_ = announced;
  expected_crc_ = known_crc;
  written_ = 0;
  crc_ = Crc32();
}

void ZipWriter::write(ByteView data) {
  if (!in_file_) throw Error(EINVAL, "no zip entry open");
  if (announced_ && data.size() > *announced_ - written_)
    throw Error(EINVAL, "zip entry '" + entries_.back().name + "' received more bytes than announced");
  crc_.update(data);
  written_ += data.size();
  emit(data);
}

void ZipWriter::end_file() {
  if (!in_file_) throw Error(EINVAL, "no zip entry open");
  Entry& e = entries_.back();
  if (announced_ && written_ != *announced_)
    throw Error(EINVAL, "zip entry '" + e.name + "' is " + std::to_string(*announced_ - written_) + " bytes short");
  if (expected_crc_ && *expected_crc_ != crc_.value())
    throw Error(EINVAL, "zip entry '" + e.name + "' changed while it was being written (CRC mismatch)");
  e.crc = crc_.value();
  e.size = written_;
  in_file_ = false;
  if (e.flags & kFlagDataDescriptor) {
    Bytes d;
    put32(d, kDataDescriptor);
    put32(d, e.crc);
    if (e.zip64) {
      put64(d, e.size);
      put64(d, e.size);
    } else {
      put32(d, static_cast<uint32_t>(e.size));
      put32(d, static_cast<uint32_t>(e.size));
    }
    emit(d);
  }
}

void ZipWriter::finish() {
  if (in_file_) throw Error(EINVAL, "zip entry still open");
  if (finished_) throw Error(EINVAL, "zip already finished");
  finished_ = true;
  const uint64_t directory_offset = offset_;
  for (const Entry& e : entries_) {
    const bool big_offset = e.local_offset >= kMax32;
    const bool zip64 = e.zip64 || big_offset;
    Bytes extra;
    if (zip64) {
      put16(extra, kZip64ExtraTag);
      put16(extra, static_cast<uint16_t>((e.zip64 ? 16 : 0) + (big_offset ? 8 : 0)));
      if (e.zip64) {
        put64(extra, e.size);
        put64(extra, e.size);
      }
      if (big_offset) put64(extra, e.local_offset);
    }
    Bytes h;
    h.reserve(kCentralHeaderSize + e.name.size() + extra.size());
    put32(h, kCentralHeader);
    put16(h, zip64 ? kMadeByZip64 : kMadeByMsDos20);
    put16(h, zip64 ? kVersionZip64 : e.version_needed);
    put16(h, e.flags);
    put16(h, 0);
    put16(h, stamp_.time);
    put16(h, stamp_.date);
    put32(h, e.crc);
    put32(h, e.zip64 ? kMax32 : static_cast<uint32_t>(e.size));
    put32(h, e.zip64 ? kMax32 : static_cast<uint32_t>(e.size));
    put16(h, static_cast<uint16_t>(e.name.size()));
    put16(h, static_cast<uint16_t>(extra.size()));
    put16(h, 0);  // comment
    put16(h, 0);  // disk
    put16(h, 0);  // internal attributes
    put32(h, e.directory ? kExternalDirectory : 0);
    put32(h, big_offset ? kMax32 : static_cast<uint32_t>(e.local_offset));
    h.insert(h.end(), e.name.begin(), e.name.end());
    h.insert(h.end(), extra.begin(), extra.end());
    emit(h);
  }
  const uint64_t directory_size = offset_ - directory_offset;
  const uint64_t count = entries_.size();
  // ZIP64 end records only where a classic field would overflow (0xffff / 0xffffffff mean "see ZIP64").
  const bool zip64_end = count >= kMax16 || directory_offset >= kMax32 || directory_size >= kMax32;
  Bytes end;
  if (zip64_end) {
    const uint64_t zip64_end_offset = offset_;
    put32(end, kZip64EndOfCentralDirectory);
    put64(end, kZip64EndSize - 12);
    put16(end, kMadeByZip64);
    put16(end, kVersionZip64);
    put32(end, 0);
    put32(end, 0);
    put64(end, count);
    put64(end, count);
    put64(end, directory_size);
    put64(end, directory_offset);
    put32(end, kZip64Locator);
    put32(end, 0);
    put64(end, zip64_end_offset);
    put32(end, 1);
  }
  put32(end, kEndOfCentralDirectory);
  put16(end, 0);
  put16(end, 0);
  put16(end, static_cast<uint16_t>(std::min<uint64_t>(count, kMax16)));
  put16(end, static_cast<uint16_t>(std::min<uint64_t>(count, kMax16)));
  put32(end, static_cast<uint32_t>(std::min<uint64_t>(directory_size, kMax32)));
  put32(end, static_cast<uint32_t>(std::min<uint64_t>(directory_offset, kMax32)));
  put16(end, 0);
  emit(end);
}

}  // namespace pfs::format
