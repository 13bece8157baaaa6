#include <catch2/catch.hpp>

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

namespace {

// IV || AES-256-CBC(plaintext), fed to the encryptor in pieces of `piece` bytes.
Bytes encrypt_file(const AesKey& key, const AesIv& iv, ByteView plain, std::size_t piece) {
  AesCbcEncryptor enc(key, iv);
  Bytes out(iv.begin(), iv.end());
  for (std::size_t at = 0; at < plain.size(); at += piece) {
    ByteView part = plain.subspan(at, std::min(piece, plain.size() - at));
    std::size_t base = out.size();
    out.resize(base + part.size() + 15);
    out.resize(base + enc.update(part, std::span(out).subspan(base)));
  }
  std::size_t base = out.size();
  out.resize(base + 16);
  out.resize(base + enc.finish(std::span(out).subspan(base)));
  return out;
}

}  // namespace

TEST_CASE("AES-256-CBC protected files match the reference vectors", "[crypto][aes]") {
  for (const auto& v : test::load_vectors("aes256cbc.json")) {
    const AesKey key = aes_key_from_base64(v["key_base64"].get<std::string>());
    const auto iv = from_hex_fixed<16>(v["iv_hex"].get<std::string>());
    const Bytes plain = test::generated_bytes(v["plaintext"]["length"], v["plaintext"]["seed"]);
    for (std::size_t piece : {std::size_t{1}, std::size_t{15}, std::size_t{17}, std::size_t{4096}, plain.size() + 1}) {
      if (piece == 0) continue;
      const Bytes file = encrypt_file(key, iv, plain, piece);
      CHECK(file.size() == v["file_length"].get<std::size_t>());
      if (v.contains("file_hex")) CHECK(to_hex(file) == v["file_hex"].get<std::string>());
      CHECK(to_hex0x(Sha256::digest(file)) == v["checksum"].get<std::string>());

      CbcDecryptingSource plain_view(std::make_shared<MemorySource>(file), key);
      REQUIRE(plain_view.size() == plain.size());
      Bytes back(plain.size());
      plain_view.read_at(0, back);
      CHECK(back == plain);
      if (plain.size() > 40) {  // random access in the middle, across block boundaries
        Bytes middle(23);
        plain_view.read_at(17, middle);
        CHECK(std::equal(middle.begin(), middle.end(), plain.begin() + 17));
      }
    }
  }
}

TEST_CASE("decryption names wrong keys and truncated files", "[crypto][aes]") {
  const AesKey key = aes_key_from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  const Bytes file = encrypt_file(key, AesIv{}, test::generated_bytes(1000, 3), 1000);
  AesKey wrong = key;
  wrong[0] ^= 1;
  auto code_of = [&](const Bytes& data, const AesKey& k) {
    return test::errno_of([&] { CbcDecryptingSource s(std::make_shared<MemorySource>(data), k); });
  };
  CHECK(code_of(file, key) == 0);
  CHECK(code_of(file, wrong) == EBADMSG);
  CHECK(code_of(Bytes(file.begin(), file.end() - 1), key) == EBADMSG);
  CHECK(code_of(Bytes(file.begin(), file.begin() + 16), key) == EBADMSG);
  CHECK_THROWS_AS(aes_key_from_base64("AAEC"), Error);
  CHECK_THROWS_AS(aes_key_from_base64("not base64 at all!!"), Error);
}
