// Keccak-256 against the reference vectors (including the 135/136/137-byte rate boundary) and the incremental API.
#include <catch2/catch.hpp>

#include "protectedfs/crypto/keccak.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;

TEST_CASE("keccak256 matches every reference vector", "[crypto]") {
  auto vectors = test::load_vectors("keccak256.json");
  REQUIRE(vectors.size() >= 8);
  for (const auto& v : vectors) {
    std::string input = v.at("input_utf8").get<std::string>();
    INFO("input length " << input.size());
    CHECK(to_hex0x(keccak256(as_bytes(input))) == v.at("keccak256").get<std::string>());
  }
}

TEST_CASE("keccak256 is not SHA3-256", "[crypto]") {
  // SHA3-256("") = a7ffc6f8…; Ethereum's Keccak-256("") = c5d24601…
  CHECK(to_hex(keccak256({})) != "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
}

TEST_CASE("incremental keccak256 equals one-shot at every split and resets after finish", "[crypto]") {
  auto data = test::generated_bytes(300, 7);
  Hash32 expected = keccak256(data);
  Keccak256 hasher;
  for (std::size_t split : {0u, 1u, 135u, 136u, 137u, 299u, 300u}) {
    hasher.update(ByteView(data).first(split)).update(ByteView(data).subspan(split));
    CHECK(hasher.finish() == expected);
  }
  Keccak256 moved = std::move(hasher);
  CHECK(to_hex0x(moved.update(as_bytes("abc")).finish()) ==
        "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}
