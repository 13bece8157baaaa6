// Keystore v3: the reference wallet, write/read round trips, wrong passwords, tampering and malformed files.
#include <catch2/catch.hpp>

#include <functional>
#include <nlohmann/json.hpp>

#include "protectedfs/crypto/keystore.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace pfs::crypto;
using nlohmann::json;

namespace {
const std::string key_hex = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
constexpr ScryptParams fast{1024, 8, 1};

std::pair<int, std::string> failure(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what()};
  }
  return {0, ""};
}

json reference() { return test::load_vectors("keystore.json").at(0); }
}  // namespace

TEST_CASE("the reference keystore decrypts to its key and address", "[crypto]") {
  for (const auto& v : test::load_vectors("keystore.json")) {
    std::string text = v.at("keystore").dump();
    PrivateKey key = decrypt_keystore(text, v.at("password").get<std::string>());
    CHECK(to_hex0x(key.secret_bytes()) == v.at("private_key").get<std::string>());
    CHECK(key.address().to_string() == v.at("address").get<std::string>());
    CHECK(keystore_address(text)->to_string() == v.at("address").get<std::string>());
  }
}

TEST_CASE("a written keystore reads back, with fresh salt, iv and id each time", "[crypto]") {
  PrivateKey key = PrivateKey::from_hex(key_hex);
  std::string a = encrypt_keystore(key, "pw", fast);
  std::string b = encrypt_keystore(key, "pw", fast);
  CHECK(decrypt_keystore(a, "pw").address() == key.address());
  CHECK(to_hex0x(decrypt_keystore(b, "pw").secret_bytes()) == key_hex);

  json ja = json::parse(a), jb = json::parse(b);
  CHECK(ja.at("version") == 3);
  CHECK(ja.at("address") == "2c7536e3605d9c16a7a3d7b1898e529396a65c23");
  CHECK(ja.at("Crypto").at("kdf") == "scrypt");
  CHECK(ja.at("Crypto").at("kdfparams").at("n") == 1024);
  CHECK(ja.at("Crypto").at("kdfparams").at("dklen") == 32);
  CHECK(ja.at("Crypto").at("cipher") == "aes-128-ctr");
  std::string id = ja.at("id");
  REQUIRE(id.size() == 36);
  CHECK(id[14] == '4');                                          // UUID version 4
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // RFC 4122 variant
  CHECK(ja.at("id") != jb.at("id"));
  CHECK(ja.at("Crypto").at("kdfparams").at("salt") != jb.at("Crypto").at("kdfparams").at("salt"));
  CHECK(ja.at("Crypto").at("cipherparams").at("iv") != jb.at("Crypto").at("cipherparams").at("iv"));
  CHECK(a.find(key_hex.substr(2)) == std::string::npos);  // the key is not in clear

  // Empty password works too (libsodium needs a non-null pointer).
  CHECK(decrypt_keystore(encrypt_keystore(key, "", fast), "").address() == key.address());
}

TEST_CASE("the default scrypt setting is the SDK's", "[crypto]") {
  ScryptParams defaults;
  CHECK(defaults.n == 131072);
  CHECK(defaults.r == 8);
  CHECK(defaults.p == 1);
  auto [code, message] = failure([] { encrypt_keystore(PrivateKey::from_hex(key_hex), "pw", {1000, 8, 1}); });
  CHECK(code == EINVAL);
}

TEST_CASE("wrong password and tampering are told apart", "[crypto]") {
  auto v = reference();
  auto [code, message] = failure([&] { decrypt_keystore(v.at("keystore").dump(), "wrong"); });
  CHECK(code == EACCES);
  CHECK(message == "wrong password (keystore MAC does not match)");
  CHECK(message.find("correct horse") == std::string::npos);

  json tampered = v.at("keystore");
  std::string ct = tampered["Crypto"]["ciphertext"];
  ct[0] = ct[0] == 'a' ? 'b' : 'a';
  tampered["Crypto"]["ciphertext"] = ct;
  CHECK(failure([&] { decrypt_keystore(tampered.dump(), v.at("password").get<std::string>()); }).first == EACCES);

  json wrong_address = v.at("keystore");
  wrong_address["address"] = "1111111111111111111111111111111111111111";
  auto [code2, message2] =
      failure([&] { decrypt_keystore(wrong_address.dump(), v.at("password").get<std::string>()); });
  CHECK(code2 == EINVAL);
  CHECK(message2.find("address") != std::string::npos);

  json no_address = v.at("keystore");
  no_address.erase("address");
  CHECK(decrypt_keystore(no_address.dump(), v.at("password").get<std::string>()).address().to_string() ==
        v.at("address").get<std::string>());
  CHECK_FALSE(keystore_address(no_address.dump()).has_value());

  json geth_style = v.at("keystore");  // geth writes "crypto" in lowercase
  geth_style["crypto"] = geth_style["Crypto"];
  geth_style.erase("Crypto");
  CHECK_NOTHROW(decrypt_keystore(geth_style.dump(), v.at("password").get<std::string>()));
}

TEST_CASE("pbkdf2 keystores are read", "[crypto]") {
  // The Web3 Secret Storage definition's PBKDF2 test vector (password "testpassword").
  const std::string text =
      R"({"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
    "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
    "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
    "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},
    "id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3})";
  PrivateKey key = decrypt_keystore(text, "testpassword");
  CHECK(to_hex(key.secret_bytes()) == "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d");
  CHECK(failure([&] { decrypt_keystore(text, "nope"); }).first == EACCES);
}

TEST_CASE("malformed keystores are refused with EINVAL naming the problem", "[crypto]") {
  auto v = reference();
  std::string password = v.at("password");
  auto check = [&](const json& keystore, const std::string& expected_part) {
    auto [code, message] = failure([&] { decrypt_keystore(keystore.dump(), password); });
    INFO(message);
    CHECK(code == EINVAL);
    CHECK(message.find(expected_part) != std::string::npos);
  };
  auto [code, message] = failure([&] { decrypt_keystore("{\"version\":3,", password); });
  CHECK(code == EINVAL);
  CHECK(message.find("not valid JSON") != std::string::npos);
  CHECK(failure([&] { decrypt_keystore("", password); }).first == EINVAL);
  CHECK(failure([&] { decrypt_keystore("[]", password); }).first == EINVAL);

  json k = v.at("keystore");
  json m = k;
  m["version"] = 1;
  check(m, "\"version\"");
  m = k;
  m.erase("Crypto");
  check(m, "\"crypto\"");
  m = k;
  m["crypto"] = k["Crypto"];
  check(m, "both");
  m = k;
  m["Crypto"]["cipher"] = "aes-128-cbc";
  check(m, "unsupported cipher");
  m = k;
  m["Crypto"]["kdf"] = "argon2";
  check(m, "unsupported kdf");
  m = k;
  m["Crypto"]["cipherparams"]["iv"] = "00";
  check(m, "\"iv\"");
  m = k;
  m["Crypto"]["ciphertext"] = "zz";
  check(m, "\"ciphertext\"");
  m = k;
  m["Crypto"]["mac"] = 5;
  check(m, "\"mac\"");
  m = k;
  m["Crypto"]["kdfparams"]["n"] = 1000;
  check(m, "power of two");
  m = k;
  m["Crypto"]["kdfparams"]["n"] = 1 << 30;
  check(m, "memory");
  m = k;
  m["Crypto"]["kdfparams"]["n"] = -1;
  check(m, "\"n\"");
  m = k;
  m["Crypto"]["kdfparams"]["p"] = 1000;
  check(m, "\"kdfparams.p\"");
  m = k;
  m["Crypto"]["kdfparams"]["dklen"] = 16;
  check(m, "\"dklen\"");
  m = k;
  m["Crypto"]["kdfparams"].erase("salt");
  check(m, "\"salt\"");
  m = k;
  m["address"] = "0x1234";
  check(m, "\"address\"");
  m = k;
  m["Crypto"]["kdf"] = "pbkdf2";
  check(m, "\"prf\"");
}

TEST_CASE("hostile keystores: a number overflow, a huge file, scrypt work beyond n*r*p = 2^23", "[crypto]") {
  auto v = reference();
  const std::string password = v.at("password");
  // 1e400 overflows a double: nlohmann throws out_of_range, which used to escape with its message quoting the file.
  std::string text = v.at("keystore").dump();
  text.insert(1, "\"x\":1e400,");
  for (const auto& call :
       std::vector<std::function<void()>>{[&] { decrypt_keystore(text, password); }, [&] { keystore_address(text); }}) {
    auto [code, message] = failure(call);
    CHECK(code == EINVAL);
    CHECK(message.find("1e400") == std::string::npos);
  }
  // More than 64 KiB is no keystore: refused before parsing.
  std::string padded = v.at("keystore").dump();
  padded.insert(1, "\"pad\":\"" + std::string(kMaxKeystoreBytes, 'a') + "\",");
  auto [code, message] = failure([&] { decrypt_keystore(padded, password); });
  CHECK(code == EINVAL);
  CHECK(message.find("64 KiB") != std::string::npos);
  CHECK(failure([&] { keystore_address(padded); }).first == EINVAL);
  // n = 2^20, r = 8 fits in 1 GiB but p = 16 repeats it 16 times (45 s): time is bounded too, before any work.
  json slow = v.at("keystore");
  slow["Crypto"]["kdfparams"]["n"] = 1 << 20;
  slow["Crypto"]["kdfparams"]["r"] = 8;
  slow["Crypto"]["kdfparams"]["p"] = 16;
  auto [slow_code, slow_message] = failure([&] { decrypt_keystore(slow.dump(), password); });
  CHECK(slow_code == EINVAL);
  CHECK(slow_message.find("n*r*p") != std::string::npos);
}
