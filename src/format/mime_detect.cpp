// A port of the part of magic-bytes.js 1.13.1 (dist/index.js, dist/model/{pattern-tree,tree}.js) that decides the
// SDK's answer. How the library works, and what of it is kept:
//
//  * Patterns are byte strings (with "?" wildcards) added to prefix trees: one tree per offset ("0x04", "0x1000",
//    "0x101", "0x80", in that key order) and one for offset 0. filetypeinfo walks every offset tree whose offset is
//    inside the input, then the offset-0 tree, concatenates the results in that order and removes duplicates.
//  * A walk follows the input byte by byte; at each node it takes the child for the byte, or the "?" child when
//    there is no child for that byte; it stops at the end of the input or when no child fits. Its result is the
//    match list of the DEEPEST node with matches that it passed: a longer signature replaces a shorter one (a lone
//    "G" is video/mpeg, "GIF89a" is image/gif, "GIF89" is still video/mpeg; "....ftyp" is video/mp4 but
//    "....ftypqt" is video/quicktime, unsupported, so the mp4 answer is lost).
//  * Only the offset-4 and offset-0 trees hold supported types, and the offset-4 results come first, so a file with
//    "ftyp" at offset 4 is video/mp4 even if its first bytes are a PNG or RIFF signature.
//
// Kept here: every pattern of a supported type, plus every unsupported pattern that extends one of them (and can
// therefore replace it): ftypmif1/ftypheic (heif), ftypqt (quicktime), ftypavif (avif). No node of those two trees
// has both a "?" child and a byte child, so the walk reaches exactly the node of the longest signature that the
// input contains in full; signatures of the same length that both match sit on the same node, whose matches keep
// insertion order. Hence, per tree: the longest signature that the input holds in full decides (among several of that
// length, the first supported one in table order); if its type is unsupported, that tree contributes nothing.
// tests/interop/schema_corpus.mjs checks this against the library itself (tests/unit/format/schema_corpus.json).
#include "protectedfs/format/mime_detect.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

namespace pfs::format {

namespace {

struct Pattern {
  std::size_t offset;             // 0 or 4: the tree the pattern lives in
  std::string_view hex;           // two hex digits per byte, "??" for a wildcard
  std::optional<FieldType> type;  // nullopt: a type the SDK does not support
};

// In magic-bytes.js's insertion order within each tree (only the relative order of same-node patterns matters).
constexpr Pattern kPatterns[] = {
    // offset 4 (ISO base media "ftyp" box)
    {4, "66747970", FieldType::Mp4},
    {4, "667479706d696631", std::nullopt},  // heif "ftypmif1"
    {4, "6674797068656963", std::nullopt},  // heif "ftypheic"
    {4, "667479707174", std::nullopt},      // quicktime "ftypqt"
    {4, "6674797061766966", std::nullopt},  // avif "ftypavif"
    // offset 0
    {0, "474946383761", FieldType::Gif},  // GIF87a
    {0, "474946383961", FieldType::Gif},  // GIF89a
    {0, "ffd8ff", FieldType::Jpeg},
    {0, "52494646????????57454250", FieldType::Webp},  // RIFF....WEBP
    {0, "53503031", FieldType::OctetStream},           // "SP01" ("bin"): the default type, listed for completeness
    {0, "504b0304", FieldType::Zip},
    {0, "504b0506", FieldType::Zip},
    {0, "504b0708", FieldType::Zip},
    {0, "89504e470d0a1a0a", FieldType::Png},
    {0, "25504446", FieldType::Pdf},
    {0, "efbbbf25504446", FieldType::Pdf},            // %PDF after a UTF-8 BOM
    {0, "52494646????????57415645", FieldType::Wav},  // RIFF....WAVE
    {0, "52494646????????41564920", FieldType::Avi},  // RIFF....AVI_
    {0, "fffb", FieldType::AudioMpeg},
    {0, "fff3", FieldType::AudioMpeg},
    {0, "fff2", FieldType::AudioMpeg},
    {0, "494433", FieldType::AudioMpeg},    // ID3
    {0, "424d", FieldType::Bmp},            // BM
    {0, "4d546864", FieldType::Midi},       // MThd
    {0, "3c3f786d6c20", FieldType::Xml},    // "<?xml "
    {0, "000001ba", FieldType::VideoMpeg},  // MPEG program stream (first supported after m2p, vob)
    {0, "47", FieldType::VideoMpeg},        // MPEG transport stream sync byte: any leading 'G'
    {0, "000001b3", FieldType::VideoMpeg},  // MPEG video sequence header
};

constexpr int nibble(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// The input holds every byte of the pattern at its offset (wildcards match any byte).
bool present(const Pattern& p, ByteView bytes) {
  const std::size_t len = p.hex.size() / 2;
  if (bytes.size() < p.offset + len) return false;
  for (std::size_t i = 0; i < len; ++i) {
    if (p.hex[2 * i] == '?') continue;
    const int want = nibble(p.hex[2 * i]) * 16 + nibble(p.hex[2 * i + 1]);
    if (bytes[p.offset + i] != want) return false;
  }
  return true;
}

constexpr std::size_t deepest_byte() {
  std::size_t n = 0;
  for (const Pattern& p : kPatterns) n = std::max(n, p.offset + p.hex.size() / 2);
  return n;
}
static_assert(deepest_byte() == kMimeDetectBytes, "kMimeDetectBytes must cover the deepest signature");

// The first supported type of one tree's walk, or nullopt when the walk ends on no node or an unsupported one.
std::optional<FieldType> walk(std::size_t offset, ByteView bytes) {
  std::size_t best_len = 0;
  std::optional<FieldType> best;
  for (const Pattern& p : kPatterns) {
    if (p.offset != offset || !present(p, bytes)) continue;
    const std::size_t len = p.hex.size() / 2;
    if (len > best_len) {
      best_len = len;
      best = p.type;
    } else if (len == best_len && !best) {
      best = p.type;
    }
  }
  return best;
}

}  // namespace

FieldType detect_mime(ByteView leading_bytes) {
  const ByteView bytes = leading_bytes.first(std::min(leading_bytes.size(), kMimeDetectBytes));
  // Offset trees first (the library skips an offset at or past the end of the input), then offset 0.
  if (auto type = walk(4, bytes)) return *type;
  if (auto type = walk(0, bytes)) return *type;
  return FieldType::OctetStream;
}

}  // namespace pfs::format
