// The binary type of a content from its leading bytes, exactly as the iExec SDK decides it: dataprotector's
// extractDataSchema runs magic-bytes.js 1.13.1 `filetypeinfo(bytes)` and keeps the first result whose MIME type is
// one it supports, else application/octet-stream. Text, gzip, ogg, ELF… therefore all give application/octet-stream,
// and so does anything magic-bytes.js knows under an unsupported type (quicktime, heif, avif, json…).
//
// Beware, faithfully reproduced: magic-bytes.js maps a lone leading 'G' (0x47, MPEG-TS sync byte) to video/mpeg and
// "BM" to image/bmp, so a text file starting with "Good" or "BMW" is video/mpeg or image/bmp for the SDK too.
#pragma once
#include <cstddef>

#include "protectedfs/format/field_type.hpp"
#include "protectedfs/util/bytes.hpp"

namespace pfs::format {

// How many leading bytes decide the type: bytes past this prefix never change detect_mime's answer, so a caller
// reads only min(size, kMimeDetectBytes) bytes of a file. (The longest signature that can lead to a supported type
// is RIFF????WEBP at offset 0, or ftyp + a 4-byte brand at offset 4: 12 bytes. magic-bytes.js has longer patterns
// — ogg's 35 bytes, 24 zero bytes — but none of them extends a signature of a supported type.)
inline constexpr std::size_t kMimeDetectBytes = 12;

// Always a binary FieldType; application/octet-stream when nothing supported matches (empty input included).
// Any length is accepted; only the first kMimeDetectBytes bytes are looked at.
FieldType detect_mime(ByteView leading_bytes);

}  // namespace pfs::format
