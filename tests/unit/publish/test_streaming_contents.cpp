// Large fields zipped while they are written (publish::StreamingContents): the version a stream finishes is the
// field's bytes as a full pass would give them, whatever the writes did meanwhile (overwrites, truncates, holes,
// other fields), and a field that is not its data's only entry is never streamed. The publisher is driven on the
// test's thread with an injected clock; the stream's own thread runs freely, so every case checks the published
// bytes, which must be right however far the stream had got.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "core/memory_stores.hpp"
#include "network/local_fixture.hpp"
#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/format/zip_reader.hpp"
#include "protectedfs/publish/publisher.hpp"
#include "protectedfs/publish/streaming_contents.hpp"
#include "vectors.hpp"

using namespace pfs;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kMiB = 1 << 20;

struct StreamFixture {
  using Clock = std::chrono::steady_clock;
  test::LocalNetworkDir dir;
  std::unique_ptr<network::Network> network = dir.open();
  crypto::PrivateKey wallet = crypto::PrivateKey::generate();
  test::MemoryContents inner;
  std::atomic<uint64_t> free{UINT64_MAX};  // what the disk has free, as the streams are told
  publish::StreamingContents streams{
      inner, *network->storage, {.start_at = 4 * kMiB, .free_bytes = [this] { return free.load(); }, .min_free = kMiB}};
  test::MemoryTree tree;
  test::MemoryKeys keys;
  test::MemoryJournal journal;
  core::Filesystem fs{streams, tree, 1000, 1000};
  Clock::time_point now{std::chrono::hours(1)};
  publish::Publisher publisher{
      fs,
      streams,
      *network,
      wallet,
      keys,
      journal,
      {.delay = 2000ms, .upload_after = 500ms, .workers = 0, .streams = &streams, .clock = [this] { return now; }}};

  StreamFixture() {
    streams.attach_filesystem(fs);
    fs.set_events({.changed = [this](uint64_t data, const std::string& name) { publisher.changed(data, name); }});
    publisher.start();
  }
  ~StreamFixture() { publisher.stop(); }

  // Every due entry worked on, time jumping to each.
  void settle() {
    for (int round = 0; round < 100; ++round) {
      if (publisher.run_once()) continue;
      const auto due = publisher.next_due();
      if (!due) return;
      now = std::max(now, *due);
    }
    FAIL("the publisher did not settle");
  }
  // The field's bytes in the newest published version of `data`.
  Bytes published(uint64_t data, const std::string& zip_path) {
    const std::string multiaddr = fs.getxattr(data, "user.protected.multiaddr");
    const std::string cid = multiaddr.substr(multiaddr.rfind('/') + 1);
    const Bytes key = from_base64(*keys.get(fs.getxattr(data, "user.protected.address")));
    crypto::AesKey aes{};
    std::copy(key.begin(), key.end(), aes.begin());
    crypto::CbcDecryptingSource plain(network->storage->open(cid), aes);
    format::ZipReader zip(plain);
    const auto* entry = zip.find(zip_path);
    REQUIRE(entry);
    return zip.read_all(*entry);
  }
  Bytes content(uint64_t ino) {
    std::lock_guard l(inner.mutex);
    return inner.files.at(ino);
  }
};

void write_in_pieces(core::Filesystem& fs, uint64_t ino, const Bytes& bytes, uint64_t from = 0) {
  for (uint64_t at = 0; at < bytes.size(); at += kMiB) {
    const auto n = static_cast<std::size_t>(std::min<uint64_t>(kMiB, bytes.size() - at));
    fs.write(ino, from + at, ByteView(bytes.data() + at, n));
  }
}

}  // namespace

TEST_CASE("streaming: a field written in order is published from its stream, bytes as written", "[publish]") {
  StreamFixture f;
  const uint64_t data = f.fs.mkdir(core::kRootIno, "video", 0755).ino;
  const uint64_t ino = f.fs.create(data, "clip.bin", 0644).ino;
  const Bytes bytes = test::generated_bytes(9 * kMiB + 4321, 3);
  write_in_pieces(f.fs, ino, bytes);
  CHECK(f.streams.running() == 1);
  f.settle();
  CHECK(f.fs.getxattr(data, "user.protected.status") == "published");
  CHECK(f.streams.claimed() == 1);
  CHECK(f.streams.running() == 0);
  CHECK(f.published(data, "clip") == bytes);
}

TEST_CASE("streaming: a field that is not its data's only entry, or a scalar, is not streamed", "[publish]") {
  StreamFixture f;
  const uint64_t data = f.fs.mkdir(core::kRootIno, "pair", 0755).ino;
  const uint64_t note = f.fs.create(data, "note.txt", 0644).ino;
  f.fs.write(note, 0, as_bytes(std::string("a note\n")));
  const uint64_t big = f.fs.create(data, "big.bin", 0644).ino;
  const Bytes bytes = test::generated_bytes(5 * kMiB, 4);
  write_in_pieces(f.fs, big, bytes);
  CHECK(f.streams.running() == 0);
  f.settle();
  CHECK(f.streams.claimed() == 0);
  CHECK(f.published(data, "big") == bytes);

  const uint64_t text = f.fs.mkdir(core::kRootIno, "text", 0755).ino;
  const uint64_t field = f.fs.create(text, "t", 0644).ino;
  f.fs.setxattr(field, "user.protected.type", "string", 0);
  write_in_pieces(f.fs, field, Bytes(5 * kMiB, 'x'));
  CHECK(f.streams.running() == 0);
}

TEST_CASE("streaming: overwrites, truncates and holes while streamed still publish the field's bytes", "[publish]") {
  for (unsigned seed = 1; seed <= 6; ++seed) {
    CAPTURE(seed);
    StreamFixture f;
    const uint64_t data = f.fs.mkdir(core::kRootIno, "d", 0755).ino;
    const uint64_t ino = f.fs.create(data, "f.bin", 0644).ino;
    std::mt19937 random(seed);
    write_in_pieces(f.fs, ino, test::generated_bytes(6 * kMiB, seed));
    for (int step = 0; step < 4; ++step) {
      const uint64_t size = f.content(ino).size();
      switch (random() % 4) {
        case 0:  // an overwrite somewhere in what the stream may have read
          f.fs.write(ino, random() % size, as_bytes(std::string("overwritten")));
          break;
        case 1:  // shorter (maybe below the stream), then longer again
          f.fs.setattr(ino, {.size = size / 2});
          write_in_pieces(f.fs, ino, test::generated_bytes(3 * kMiB, seed + 10), size / 2);
          break;
        case 2:  // a hole, then bytes after it
          f.fs.write(ino, size + kMiB, as_bytes(std::string("after a hole")));
          break;
        default:  // appended in order
          write_in_pieces(f.fs, ino, test::generated_bytes(2 * kMiB + 7, seed + 20), size);
      }
      if (random() % 2) {
        f.settle();
        CHECK(f.published(data, "f") == f.content(ino));
      }
    }
    f.settle();
    CHECK(f.published(data, "f") == f.content(ino));
  }
}

TEST_CASE("streaming: a stream whose data gains a field is dropped at publish, the version a full pass", "[publish]") {
  StreamFixture f;
  const uint64_t data = f.fs.mkdir(core::kRootIno, "grown", 0755).ino;
  const uint64_t big = f.fs.create(data, "big.bin", 0644).ino;
  const Bytes bytes = test::generated_bytes(5 * kMiB, 5);
  write_in_pieces(f.fs, big, bytes);
  REQUIRE(f.streams.running() == 1);
  const uint64_t note = f.fs.create(data, "note.txt", 0644).ino;
  f.fs.write(note, 0, as_bytes(std::string("added later\n")));
  f.settle();
  CHECK(f.streams.running() == 0);  // not left following its field, holding an upload
  CHECK(f.streams.claimed() == 0);
  CHECK(f.published(data, "big") == bytes);
}

TEST_CASE("streaming: no stream starts on a disk with little room, and one gives its upload back", "[publish]") {
  StreamFixture f;
  const auto uploads_left = [&] {
    int n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(f.dir.path))
      if (e.path().filename().string().rfind(".upload-", 0) == 0) ++n;
    return n;
  };
  const uint64_t data = f.fs.mkdir(core::kRootIno, "full", 0755).ino;
  const uint64_t ino = f.fs.create(data, "f.bin", 0644).ino;
  f.free = kMiB - 1;
  write_in_pieces(f.fs, ino, test::generated_bytes(5 * kMiB, 6));
  CHECK(f.streams.running() == 0);

  // Room again: a stream starts; room runs out while it follows the writer: it stops and drops its upload (at its
  // next piece, or the publish finishes it: either way the version is the bytes and nothing is left over).
  f.free = UINT64_MAX;
  write_in_pieces(f.fs, ino, test::generated_bytes(kMiB, 7), 5 * kMiB);
  CHECK(f.streams.running() == 1);
  f.free = 0;
  write_in_pieces(f.fs, ino, test::generated_bytes(3 * kMiB, 8), 6 * kMiB);
  f.settle();
  CHECK(f.streams.running() == 0);
  CHECK(uploads_left() == 0);
  CHECK(f.published(data, "f") == f.content(ino));
}

TEST_CASE("streaming: a writer's pause shorter than the quiet period does not end its stream", "[publish]") {
  StreamFixture f;
  const uint64_t data = f.fs.mkdir(core::kRootIno, "paused", 0755).ino;
  const uint64_t ino = f.fs.create(data, "f.bin", 0644).ino;
  write_in_pieces(f.fs, ino, test::generated_bytes(6 * kMiB, 9));
  REQUIRE(f.streams.running() == 1);
  // Past the time an upload may start early, not past the quiet period: the stream is that early upload.
  f.now += 600ms;
  f.publisher.run_once();
  CHECK(f.streams.running() == 1);
  write_in_pieces(f.fs, ino, test::generated_bytes(2 * kMiB, 10), 6 * kMiB);  // the writer goes on
  f.settle();
  CHECK(f.streams.claimed() == 1);  // one stream, finished once, for all of it
  CHECK(f.network->registry->list_by_owner(f.wallet.address()).size() == 1);
  CHECK(f.published(data, "f") == f.content(ino));
}

TEST_CASE("streaming: a closed field's stream is finished early, and registered once the quiet period is over",
          "[publish]") {
  StreamFixture f;
  const uint64_t data = f.fs.mkdir(core::kRootIno, "closed", 0755).ino;
  const uint64_t ino = f.fs.create(data, "f.bin", 0644).ino;
  write_in_pieces(f.fs, ino, test::generated_bytes(6 * kMiB, 11));
  f.fs.release(ino);  // the writer closed it: no pause of its can follow
  REQUIRE(f.streams.running() == 1);
  // Past the time an upload may start early, not past the quiet period.
  f.now += 600ms;
  f.publisher.run_once();
  CHECK(f.streams.running() == 0);
  CHECK(f.streams.claimed() == 1);
  CHECK(f.network->registry->list_by_owner(f.wallet.address()).empty());
  f.settle();
  CHECK(f.network->registry->list_by_owner(f.wallet.address()).size() == 1);
  CHECK(f.published(data, "f") == f.content(ino));
}
