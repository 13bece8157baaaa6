// Record signatures and little-endian field helpers shared by the zip writer and reader (APPNOTE 6.3).
#pragma once
#include <cstdint>

#include "protectedfs/util/bytes.hpp"

namespace pfs::format::zip {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kDataDescriptor = 0x08074b50;
constexpr uint16_t kZip64ExtraTag = 0x0001;

constexpr uint16_t kFlagDataDescriptor = 0x0008;
constexpr uint16_t kFlagEncrypted = 0x0001;
constexpr uint16_t kMethodDeflate = 8;
constexpr uint16_t kMadeByMsDos20 = 0x0014;  // what JSZip writes
constexpr uint16_t kMadeByZip64 = 0x002d;
constexpr uint16_t kVersionStore = 10;
constexpr uint16_t kVersionDescriptor = 20;
constexpr uint16_t kVersionZip64 = 45;
constexpr uint32_t kExternalDirectory = 0x10;  // MS-DOS directory attribute, as JSZip sets it

constexpr uint32_t kMax32 = 0xffffffff;
constexpr uint16_t kMax16 = 0xffff;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kEndSize = 22;
constexpr std::size_t kZip64EndSize = 56;
constexpr std::size_t kZip64LocatorSize = 20;

inline void put16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}
inline void put32(Bytes& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline uint16_t get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
inline uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
inline uint64_t get64(const uint8_t* p) { return get32(p) | static_cast<uint64_t>(get32(p + 4)) << 32; }

}  // namespace pfs::format::zip
