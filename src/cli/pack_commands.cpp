// `protectedfs pack DIR OUTFILE` and `protectedfs unpack FILE --key KEY DIR`: the offline protected-file format,
// as the iexec SDK's `dataset encrypt` offers it.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "protectedfs/format/multiaddr.hpp"
#include "protectedfs/pipeline/folder_plan.hpp"
#include "protectedfs/pipeline/protect.hpp"
#include "protectedfs/pipeline/unpack.hpp"
#include "protectedfs/util/file.hpp"

namespace pfs::cli {
namespace {

// Writes the encrypted stream to the output file (its own thread, beside the encryption).
class FileOutput final : public pipeline::StreamConsumer {
 public:
  explicit FileOutput(AtomicFile& file) : file_(file) {}
  void consume(ByteView data) override { file_.write(data); }

 private:
  AtomicFile& file_;
};

// A one-line progress display on stderr, only when stderr is a terminal.
class ProgressLine {
 public:
  ProgressLine() : enabled_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()) {}
  ~ProgressLine() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
  }
  void update(uint64_t done, uint64_t total) {
    if (!enabled_) return;
    const auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && done != total) return;
    last_ = now;
    shown_ = true;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double done_mib = static_cast<double>(done) / 1048576.0, total_mib = static_cast<double>(total) / 1048576.0;
    std::fprintf(stderr, "\rpacking %3d%%  %.1f / %.1f MiB  %.0f MiB/s\033[K",
                 total ? static_cast<int>(100 * done / total) : 100, done_mib, total_mib,
                 seconds > 0 ? done_mib / seconds : 0.0);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool shown_ = false;
  Clock::time_point start_, last_{};
};

void run_pack(const std::string& folder, const std::string& output) {
  const pipeline::FolderPlan folder_plan = pipeline::plan_folder(folder);
  AtomicFile out(output);
  FileOutput writer(out);
  ProgressLine progress;
  pipeline::ProtectOptions options;
  options.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  const pipeline::ProtectedFile result = pipeline::protect(folder_plan.plan, {&writer}, options);
  out.commit();
  nlohmann::ordered_json info;
  info["key"] = to_base64(result.key);
  info["checksum"] = result.checksum;
  info["cid"] = result.cid;
  info["multiaddr"] = format::multiaddr_to_text(result.multiaddr);
  info["multiaddr_bytes"] = to_hex0x(result.multiaddr);
  info["schema"] = folder_plan.plan.schema_json;
  info["size"] = result.size;
  std::cout << info.dump(2) << std::endl;
}

std::string read_text_file(const std::string& path, const std::string& what) {
  std::ifstream in(path);
  if (!in) throw Error(ENOENT, "cannot read " + what + " " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

struct UnpackArgs {
  std::string file, folder, key, key_file, checksum, schema;
};

void run_unpack(const UnpackArgs& args) {
  if (args.key.empty() == args.key_file.empty())
    throw Error(EINVAL, "give the key with exactly one of --key or --key-file");
  const std::string key_text = args.key.empty() ? read_text_file(args.key_file, "the key file") : args.key;
  pipeline::UnpackOptions options;
  if (!args.checksum.empty()) options.checksum = args.checksum;
  if (!args.schema.empty())
    options.schema = format::Schema::parse(
        args.schema.front() == '@' ? read_text_file(args.schema.substr(1), "the schema file") : args.schema);
  const auto result = pipeline::unpack(args.file, crypto::aes_key_from_base64(key_text), args.folder, options);
  nlohmann::ordered_json info;
  info["schema"] = result.schema.to_json();
  info["fields"] = nlohmann::ordered_json::array();
  for (const auto& field : result.fields)
    info["fields"].push_back(
        {{"path", field.key_path}, {"type", format::to_string(field.type)}, {"file", field.file.string()}});
  std::cout << info.dump(2) << std::endl;
}

}  // namespace

void add_pack_commands(CLI::App& app) {
  auto* pack = app.add_subcommand("pack",
                                  "Turn a folder into an iExec protected file (offline); prints its key, "
                                  "checksum, CID, multiaddr and schema as JSON");
  static std::string folder, output;
  pack->add_option("DIR", folder, "folder of fields to protect")->required();
  pack->add_option("OUTFILE", output, "encrypted file to write")->required();
  pack->callback([] { run_pack(folder, output); });

  auto* unpack = app.add_subcommand("unpack", "Decrypt an iExec protected file back into a folder of fields");
  static UnpackArgs args;
  unpack->add_option("FILE", args.file, "protected file")->required();
  unpack->add_option("DIR", args.folder, "folder to create (must not exist, or be empty)")->required();
  unpack->add_option("--key", args.key, "the data key, standard base64 (44 characters)");
  unpack->add_option("--key-file", args.key_file, "read the key from this file instead of the command line");
  unpack->add_option("--checksum", args.checksum, "expected 0x SHA-256 of FILE, verified before decrypting");
  unpack->add_option("--schema", args.schema, "schema JSON (or @FILE) giving each field's type");
  unpack->callback([] { run_unpack(args); });
}

}  // namespace pfs::cli
