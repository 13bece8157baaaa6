// What an isolated iApp may not do, classified and named (sandbox_access.hpp): pure, no process involved.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include "network/local/sandbox_access.hpp"

using namespace pfs::network::local;

namespace {

AccessPolicy policy() {
  AccessPolicy p;
  p.writable = {"/tmp/task/iexec_out"};
  p.read_only = {"/tmp/task/iexec_in", "/srv/model", "/iexec_app"};
  p.hidden = {{"/root/.local/share/protectedfs", "the host's protectedfs state"},
              {"/tmp/net", "the local network's folder"}};
  return p;
}

template <typename Address>
std::span<const uint8_t> bytes_of(const Address& address) {
  return {reinterpret_cast<const uint8_t*>(&address), sizeof address};
}

}  // namespace

TEST_CASE("sandbox access: writes are allowed in IEXEC_OUT, /tmp, /proc and the device nodes only", "[network]") {
  const auto p = policy();
  for (const char* allowed :
       {"/tmp/task/iexec_out/computed.json", "/tmp/task/iexec_out", "/tmp/scratch/x", "/tmp/task/iexec_out/a/../b",
        "/dev/null", "/dev/stderr", "/dev/fd/3", "/proc/self/attr"}) {
    INFO(allowed);
    CHECK_FALSE(classify_path(p, allowed, true));
  }
  for (const char* refused : {"/etc/passwd", "/usr/pwned", "/pwned", "/tmp/task/iexec_in/x", "/srv/model/w",
                              "/iexec_app", "/dev/shm/x", "/tmp/task/iexec_out/../iexec_in/x"}) {
    INFO(refused);
    const auto v = classify_path(p, refused, true);
    REQUIRE(v);
    CHECK(v->kind == Violation::Kind::Write);
    CHECK(v->path == std::filesystem::path(refused).lexically_normal().string());
  }
  // Reading is allowed anywhere that is not hidden.
  for (const char* read : {"/etc/passwd", "/tmp/task/iexec_in/x", "/usr/lib/x", "/dev/shm/x"})
    CHECK_FALSE(classify_path(p, read, false));
}

TEST_CASE("sandbox access: a lookup under a hidden host path is named, read or write, /tmp no cover", "[network]") {
  const auto p = policy();
  auto v = classify_path(p, "/root/.local/share/protectedfs/wallet.json", false);
  REQUIRE(v);
  CHECK(v->kind == Violation::Kind::Hidden);
  CHECK(v->describe() ==
        "the iApp tried to read \"/root/.local/share/protectedfs/wallet.json\" in the host's protectedfs state, which "
        "apps may not see");
  v = classify_path(p, "/tmp/net/secrets/key", true);  // under the sandbox's writable /tmp, yet hidden
  REQUIRE(v);
  CHECK(v->describe() ==
        "the iApp tried to write \"/tmp/net/secrets/key\" in the local network's folder, which apps may "
        "not see");
  v = classify_path(p, "/tmp/net/", false);
  REQUIRE(v);
  CHECK(v->path == "/tmp/net");
  CHECK_FALSE(classify_path(p, "/tmp/network", false));  // a sibling with the same prefix is not the folder
  CHECK_FALSE(classify_path(p, "/root/.local/share", false));
  // A path the app is given wins over a hidden folder that holds it (a --read-only path inside the host's state).
  AccessPolicy given = p;
  given.read_only.push_back("/tmp/net/public");
  CHECK_FALSE(classify_path(given, "/tmp/net/public/a", false));
  CHECK(classify_path(given, "/tmp/net/public/a", true));
}

TEST_CASE("sandbox access: the deepest place the app is given decides, IEXEC_OUT inside a read-only path",
          "[network]") {
  AccessPolicy p;
  p.read_only = {"/data"};
  p.writable = {"/data/out"};
  CHECK_FALSE(classify_path(p, "/data/out/x", true));
  CHECK(classify_path(p, "/data/in/x", true));
}

TEST_CASE("sandbox access: open flags that write, create or truncate", "[network]") {
  CHECK_FALSE(opens_for_writing(O_RDONLY));
  CHECK_FALSE(opens_for_writing(O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  CHECK_FALSE(opens_for_writing(O_PATH | O_CREAT));
  CHECK(opens_for_writing(O_WRONLY));
  CHECK(opens_for_writing(O_RDWR));
  CHECK(opens_for_writing(O_RDONLY | O_CREAT));
  CHECK(opens_for_writing(O_RDONLY | O_TRUNC));
}

TEST_CASE("sandbox access: network addresses read from a sockaddr and named, local families not", "[network]") {
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(8080);
  ::inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
  auto target = network_target(bytes_of(in));
  REQUIRE(target);
  Violation v;
  v.kind = Violation::Kind::Connect;
  v.target = *target;
  CHECK(v.describe() == "the iApp tried to connect to 127.0.0.1:8080, but apps have no network");

  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(53);
  ::inet_pton(AF_INET6, "2001:db8::1", &in6.sin6_addr);
  target = network_target(bytes_of(in6));
  REQUIRE(target);
  v.kind = Violation::Kind::Send;
  v.target = *target;
  CHECK(v.describe() == "the iApp tried to send to [2001:db8::1]:53, but apps have no network");

  sockaddr packet{};
  packet.sa_family = AF_PACKET;
  target = network_target(bytes_of(packet));
  REQUIRE(target);
  v.target = *target;
  CHECK(v.describe() == "the iApp tried to send to an address of socket family 17, but apps have no network");

  sockaddr_un local{};
  local.sun_family = AF_UNIX;
  CHECK_FALSE(network_target(bytes_of(local)));
  sockaddr unspecified{};  // connect(AF_UNSPEC) dissolves a datagram socket's association
  CHECK_FALSE(network_target(bytes_of(unspecified)));
  CHECK_FALSE(network_target({}));
  // A truncated AF_INET address: the family is still named.
  target = network_target(bytes_of(in).first(4));
  REQUIRE(target);
  CHECK(target->family == AF_INET);
}

TEST_CASE("sandbox access: a path in a message is quoted and escaped", "[network]") {
  Violation v;
  v.kind = Violation::Kind::Write;
  v.path = "/etc/a\nb\"c";
  CHECK(v.describe() ==
        "the iApp tried to write \"/etc/a\\x0ab\\x22c\" outside IEXEC_OUT (only IEXEC_OUT and /tmp are writable)");
}
