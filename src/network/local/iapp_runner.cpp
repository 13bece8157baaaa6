#include "network/local/iapp_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include <nlohmann/json.hpp>

#include "network/local/files.hpp"
#include "network/local/sandbox.hpp"
#include "protectedfs/crypto/sha256.hpp"
#include "protectedfs/network/task_result.hpp"
#include "protectedfs/util/error.hpp"

namespace pfs::network::local {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kChunk = 1 << 20;

// A tree the app may have left unwritable (chmod 0500 folders) is still removed: permissions are opened first.
void remove_tree(const fs::path& root) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) ::chmod(it->path().c_str(), 0700);
  }
  ::chmod(root.c_str(), 0700);
  fs::remove_all(root, ec);
  if (ec) {  // a folder made unreadable before the walk reached it: open it and try once more
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_directory(ec)) ::chmod(it->path().c_str(), 0700);
    fs::remove_all(root, ec);
  }
}

constexpr std::string_view kWorkPrefix = "protectedfs-task-";
constexpr const char* kWorkLock = ".lock";

fs::path work_base() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  return ec ? fs::path("/tmp") : base;
}

// The working directories of runners that died (kill -9, a crash) before removing theirs: a live runner holds the
// flock of its directory's .lock, so a .lock whose flock can be taken belongs to nobody. Only this user's.
void sweep_dead_work_dirs(const fs::path& base) {
  std::error_code ec;
  for (fs::directory_iterator it(base, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path dir = it->path();
    struct stat st {};
    if (!dir.filename().string().starts_with(kWorkPrefix) || ::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
        st.st_uid != ::getuid())
      continue;
    UniqueFd lock(::open((dir / kWorkLock).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (lock && ::flock(lock.get(), LOCK_EX | LOCK_NB) == 0) remove_tree(dir);
  }
}

// The task's private working directory, removed when the task ends (and by a later run if this process is killed
// first: see sweep_dead_work_dirs).
class WorkDir {
 public:
  WorkDir() {
    const fs::path base = work_base();
    sweep_dead_work_dirs(base);
    std::string pattern = (base / (std::string(kWorkPrefix) + "XXXXXX")).string();
    // mkdtemp creates it 0700: nobody else may even list it.
    if (::mkdtemp(pattern.data()) == nullptr)
      throw_system_error("cannot create a working directory in " + base.string());
    path_ = pattern;
    // Locked before it is named .lock (rename keeps the open file and its flock), so a sweeper never sees it free.
    const fs::path temporary = path_ / ".lock-new";
    lock_ = open_file(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (::flock(lock_.get(), LOCK_EX) != 0 || ::rename(temporary.c_str(), (path_ / kWorkLock).c_str()) != 0) {
      remove_tree(path_);
      throw_system_error("cannot lock the working directory " + path_.string());
    }
  }
  ~WorkDir() { remove_tree(path_); }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  UniqueFd lock_;  // closed after the tree is removed (members are destroyed after the destructor's body)
};

void write_plaintext(const RandomAccessSource& plaintext, const fs::path& target) {
  UniqueFd fd = open_file(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  Bytes buffer(kChunk);
  for (uint64_t at = 0; at < plaintext.size();) {
    const std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buffer.size(), plaintext.size() - at));
    plaintext.read_at(at, std::span(buffer.data(), n));
    write_full(fd.get(), ByteView(buffer.data(), n), target.string());
    at += n;
  }
}

void check_computed_json(const fs::path& out, const std::string& task) {
  const fs::path computed = out / "computed.json";
  auto text = fs::is_regular_file(computed) ? read_whole_file(computed) : std::nullopt;
  if (!text) throw Error(EIO, "task " + task + " failed: the iApp wrote no computed.json in IEXEC_OUT");
  nlohmann::json json = nlohmann::json::parse(*text, nullptr, false);
  if (json.is_discarded() || !json.is_object())
    throw Error(EIO, "task " + task + " failed: the iApp's computed.json is not a JSON object");
}

// $IEXEC_OUT copied beside the target under a hidden name, then renamed into place.
void deliver(const fs::path& iexec_out, const fs::path& target) {
  check_result_target(target);
  const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string hidden = ".";  // not "." + name: GCC 12 -O3 reports a false -Wrestrict on it
  hidden.append(target.filename().string()).append(".result-XXXXXX");
  std::string pattern = (parent / hidden).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw_system_error("cannot create a folder in " + parent.string());
  fs::path staging = pattern;
  try {
    fs::copy(iexec_out, staging, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    ::chmod(staging.c_str(), 0777 & ~current_umask());  // mkdtemp made it private; a result is an ordinary folder
    std::error_code ignored;
    if (fs::is_directory(target, ignored)) fs::remove(target, ignored);  // the empty folder checked above
    if (::rename(staging.c_str(), target.c_str()) != 0) throw_system_error("cannot create " + target.string());
  } catch (const fs::filesystem_error& e) {
    remove_tree(staging);
    throw Error(e.code().value() ? e.code().value() : EIO,
                "cannot deliver the result to " + target.string() + ": " + e.code().message());
  } catch (...) {
    remove_tree(staging);
    throw;
  }
}

// Pre-compute: the datasets decrypted into $IEXEC_IN, and the variables that name them (one dataset, or iExec's
// bulk layout).
std::vector<std::string> prepare_inputs(const IappTask& task, const fs::path& iexec_in) {
  if (task.bulk.empty()) {
    const std::string filename = task.dataset.to_string();
    write_plaintext(*task.plaintext, iexec_in / filename);
    return {"IEXEC_DATASET_FILENAME=" + filename};
  }
  std::vector<std::string> variables{"IEXEC_BULK_SLICE_SIZE=" + std::to_string(task.bulk.size())};
  for (std::size_t i = 0; i < task.bulk.size(); ++i) {
    const std::string filename = task.bulk[i].dataset.to_string();
    write_plaintext(*task.bulk[i].plaintext, iexec_in / filename);
    variables.push_back("IEXEC_DATASET_" + std::to_string(i + 1) + "_FILENAME=" + filename);
  }
  return variables;
}

// Post-compute, once computed.json is checked: the result stored (sealed for the requester when asked), and
// delivered in clear only when it is not to be encrypted.
void post_compute(const IappTask& task, const fs::path& iexec_out) {
  if (!task.result_file.empty()) {
    try {
      Bytes zip = zip_folder(iexec_out);
      if (task.result_public_key) zip = seal_result_envelope(zip, *task.result_public_key);
      create_file_atomically(task.result_file.parent_path(), task.result_file.filename().string(), zip, 0644);
    } catch (const Error& e) {
      throw Error(EIO, "task " + task.task_id + " failed in the post-compute: " + e.what());
    } catch (const fs::filesystem_error& e) {
      throw Error(EIO, "task " + task.task_id + " failed in the post-compute: " + e.code().message());
    }
  }
  if (!task.result_public_key) deliver(iexec_out, task.out);
}

}  // namespace

std::vector<std::string> split_args(std::string_view args) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const char c = args[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == args.size()) throw Error(EINVAL, "the arguments end with a lone backslash");
      word.push_back(args[i]);
    } else if (c == '\'') {
      const std::size_t end = args.find('\'', i + 1);
      if (end == std::string_view::npos) throw Error(EINVAL, "unterminated ' in the arguments");
      word.append(args.substr(i + 1, end - i - 1));
      i = end;
    } else if (c == '"') {
      for (++i;; ++i) {
        if (i == args.size()) throw Error(EINVAL, "unterminated \" in the arguments");
        if (args[i] == '"') break;
        if (args[i] == '\\' && i + 1 < args.size() && (args[i + 1] == '"' || args[i + 1] == '\\')) ++i;
        word.push_back(args[i]);
      }
    } else {
      word.push_back(c);
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

void check_result_target(const fs::path& out) { check_result_folder(out); }

std::shared_ptr<const RandomAccessSource> open_plaintext(std::shared_ptr<const RandomAccessSource> ciphertext,
                                                         const Hash32& checksum, const crypto::AesKey& key) {
  // As iExec's pre-compute: the whole file is hashed and compared before anything is decrypted.
  const Hash32 actual = crypto::Sha256::digest(*ciphertext);
  if (actual != checksum)
    throw Error(EBADMSG, "the stored dataset does not match its checksum: expected " + to_hex0x(checksum) +
                             ", the content has " + to_hex0x(actual));
  // The constructor decrypts the last block: a wrong key or a truncated file shows as a bad padding (EBADMSG).
  return std::make_shared<crypto::CbcDecryptingSource>(std::move(ciphertext), key);
}

void run_iapp(const IappTask& task) {
  WorkDir work;
  const fs::path iexec_in = work.path() / "iexec_in";
  const fs::path iexec_out = work.path() / "iexec_out";
  for (const auto& dir : {iexec_in, iexec_out})
    if (::mkdir(dir.c_str(), 0700) != 0) throw_system_error("cannot create " + dir.string());
  const std::vector<std::string> dataset_variables = prepare_inputs(task, iexec_in);

  // iExec's variables for a standard task with no input files; a clean environment otherwise.
  std::vector<std::string> environment = {
      "PATH=/usr/local/bin:/usr/bin:/bin",
      "HOME=" + work.path().string(),
      "LANG=C.UTF-8",
      "IEXEC_TASK_ID=" + task.task_id,
      "IEXEC_IN=" + iexec_in.string(),
      "IEXEC_OUT=" + iexec_out.string(),
      "IEXEC_ARGS=" + task.args_text,
      "IEXEC_INPUT_FILES_FOLDER=" + iexec_in.string(),
      "IEXEC_INPUT_FILES_NUMBER=0",
      "IEXEC_BOT_SIZE=1",
      "IEXEC_BOT_FIRST_INDEX=0",
      "IEXEC_BOT_TASK_INDEX=0",
  };
  environment.insert(environment.end(), dataset_variables.begin(), dataset_variables.end());
  SandboxOutcome outcome;
  try {
    outcome = run_sandboxed({task.executable, task.args, environment, iexec_in, iexec_out, work.path(), task.read_only,
                             task.limits, task.hidden});
  } catch (const Error& e) {
    throw Error(EIO, "task " + task.task_id + " failed: " + e.what());
  }
  if (!outcome.succeeded()) throw Error(EIO, "task " + task.task_id + " failed: " + outcome.describe(task.limits));
  check_computed_json(iexec_out, task.task_id);
  post_compute(task, iexec_out);
}

}  // namespace pfs::network::local
