// Published fields read back through one error boundary (issue 9 §5): a storage or registry failure while a
// published field is read is EIO, never ENOENT (which means "no such name" to every program); the read works again
// once the network is back.
#include <catch2/catch.hpp>

#include "protectedfs/remote/published_reader.hpp"
#include "publish/saga_world.hpp"

using namespace pfs;

TEST_CASE("published reader: a storage failure reading a published field is EIO, never ENOENT", "[remote]") {
  test::SagaWorld w;
  const uint64_t medical = w.fs().mkdir(core::kRootIno, "medical", 0755).ino;
  w.write_file(medical, "email.txt", "alice@example.com");
  w.settle();
  const std::string dataset = w.fs().getxattr(medical, "user.protected.address");
  const core::PublishedLeaf leaf{dataset, "email", "string"};
  uint8_t buffer[64];

  for (const int cause : {ENOENT, EAGAIN, ECONNREFUSED}) {
    INFO("storage answers " << cause);
    remote::PublishedReader reader(*w.network, w.keys);
    w.script.reset();
    w.script.fail_from("storage.open", 1, cause);
    try {
      reader.read(leaf, 0, buffer);
      FAIL("the read succeeded");
    } catch (const Error& e) {
      CHECK(e.code() == EIO);
      CHECK(std::string(e.what()).find("email") != std::string::npos);
    }
    CHECK_THROWS_MATCHES(reader.size(leaf), Error,
                         Catch::Predicate<Error>([](const Error& e) { return e.code() == EIO; }));
    w.script.recover("storage.open");
    const std::size_t n = reader.read(leaf, 0, buffer);
    CHECK(std::string(reinterpret_cast<char*>(buffer), n) == "alice@example.com\n");
  }
  // The registry down while the version is opened: EIO as well.
  remote::PublishedReader reader(*w.network, w.keys);
  w.script.fail_from("registry.find", 1, ENOENT);
  CHECK_THROWS_MATCHES(reader.read(leaf, 0, buffer), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == EIO; }));
  // Without the key here: EACCES, as SPEC.md §2 says (a named refusal passes the boundary unchanged).
  test::MemoryKeys none;
  remote::PublishedReader keyless(*w.network, none);
  w.script.recover("registry.find");
  CHECK_THROWS_MATCHES(keyless.read(leaf, 0, buffer), Error,
                       Catch::Predicate<Error>([](const Error& e) { return e.code() == EACCES; }));
}
