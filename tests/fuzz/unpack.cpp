// The unpack path as a whole: the input is the plaintext (a zip) of a protected file, optionally preceded by a
// schema JSON (first byte: its length); the harness encrypts it under a fixed key, so mutations reach the zip reader,
// the schema checks and the writer of the output folder rather than dying in the padding check.
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "fuzz.hpp"
#include "protectedfs/crypto/aes_cbc.hpp"
#include "protectedfs/pipeline/unpack.hpp"

namespace {

// One folder for the whole run, removed at exit (libFuzzer ends with exit() when its time is up).
struct WorkDir {
  std::filesystem::path path;
  WorkDir() {
    char pattern[] = "/tmp/pfs-fuzz-unpack-XXXXXX";
    if (!mkdtemp(pattern)) std::abort();
    path = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

const std::filesystem::path& work_dir() {
  static const WorkDir dir;
  return dir.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  using namespace pfs;
  if (size == 0) return 0;
  const crypto::AesKey key{1, 2, 3};
  const crypto::AesIv iv{4, 5, 6};
  std::size_t schema_size = std::min<std::size_t>(data[0], size - 1);
  const std::string schema_text(reinterpret_cast<const char*>(data + 1), schema_size);
  const ByteView zip(data + 1 + schema_size, size - 1 - schema_size);

  Bytes file(iv.begin(), iv.end());
  file.resize(crypto::kAesBlock + zip.size() + 2 * crypto::kAesBlock);
  crypto::AesCbcEncryptor encryptor(key, iv);
  std::size_t written = crypto::kAesBlock;
  written += encryptor.update(zip, std::span<uint8_t>(file).subspan(written));
  written += encryptor.finish(std::span<uint8_t>(file).subspan(written));
  file.resize(written);

  const auto input = work_dir() / "input.enc";
  const auto output = work_dir() / "out";
  {
    const UniqueFd fd = open_file(input, O_WRONLY | O_CREAT | O_TRUNC);
    write_full(fd.get(), file, input.string());
  }
  std::filesystem::remove_all(output);
  pipeline::UnpackOptions options;
  if (schema_size > 0) fuzz::refusal_allowed([&] { options.schema = format::Schema::parse(schema_text); });
  fuzz::refusal_allowed([&] { (void)pipeline::unpack(input, key, output, options); });
  std::filesystem::remove_all(output);
  return 0;
}
