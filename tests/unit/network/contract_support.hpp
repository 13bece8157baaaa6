// Helpers shared by the network contract suites: unique names, registrations, signed grants, a published dataset
// (encrypted content, registration, key), and a scratch folder.
#pragma once
#include <stdlib.h>
#include "temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/format/cid.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/network/network.hpp"

namespace pfs::test {

// A prefix no other run uses, for names and schema keys (schema keys allow [A-Za-z0-9_-]).
inline std::string unique_tag() {
  std::string tag = to_hex(random_array<8>());
  tag.insert(tag.begin(), 't');  // not "t" + to_hex(): GCC 12 -O3 reports a false -Wrestrict on it
  return tag;
}

inline network::Registration make_registration(const std::string& name, const std::string& schema) {
  return network::Registration{name, format::multiaddr_p2p(random_array<32>()), random_array<32>(), schema};
}

// A grant of `dataset` to `app` for `requester` (zero: anyone), with a fresh salt and the TEE tag the SDK uses.
inline crypto::DatasetOrder grant_order(const crypto::Address& dataset, const crypto::Address& app,
                                        const crypto::Address& requester = {}, uint64_t price = 0,
                                        uint64_t volume = 1) {
  crypto::DatasetOrder order;
  order.dataset = dataset;
  order.datasetprice = price;
  order.volume = volume;
  order.tag[31] = 0x09;
  order.apprestrict = app;
  order.requesterrestrict = requester;
  order.salt = random_array<32>();
  return order;
}

inline network::SignedOrder sign_order(network::GrantBook& book, const crypto::PrivateKey& key,
                                       const crypto::DatasetOrder& order) {
  const auto domain = book.domain();
  return {order, order.sign(key, domain), order.hash(domain)};
}

// Publishes a protected data as the publisher does: IV || AES-256-CBC(plaintext) uploaded, registered with its
// CID's multiaddr and SHA-256 checksum, its key pushed to the secret store.
inline network::DatasetRecord publish_dataset(network::Network& net, const crypto::PrivateKey& owner,
                                              const Bytes& plaintext, const std::string& name) {
  const auto key = random_array<32>();
  const auto iv = random_array<16>();
  Bytes ciphertext(iv.begin(), iv.end());
  crypto::AesCbcEncryptor encryptor(key, iv);
  Bytes block(plaintext.size() + 32);
  std::size_t n = encryptor.update(plaintext, block);
  n += encryptor.finish(std::span(block).subspan(n));
  ciphertext.insert(ciphertext.end(), block.begin(), block.begin() + static_cast<std::ptrdiff_t>(n));
  auto upload = net.storage->begin_upload();
  upload->write(ciphertext);
  const std::string cid = upload->commit();
  network::Registration registration{name, format::multiaddr_from_text("/p2p/" + cid),
                                     crypto::Sha256::digest(ciphertext), R"({"email":"string"})"};
  auto record = net.registry->register_dataset(owner, registration);
  net.secrets->push(owner, record.address, to_base64(key));
  return record;
}

using ScratchDir = TempDir;  // a fresh folder under /tmp, removed with everything in it

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace pfs::test
