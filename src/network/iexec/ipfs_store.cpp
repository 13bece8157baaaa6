#include "network/iexec/ipfs_store.hpp"

#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "network/iexec/byte_pipe.hpp"
#include "network/iexec/multipart.hpp"
#include "protectedfs/format/cid.hpp"

namespace pfs::network::iexec {
namespace {

void require_cid(const std::string& cid) {
  if (!format::is_cid_v0(cid)) throw Error(EINVAL, "not a CIDv0: \"" + body_excerpt(cid, 60) + "\"");
}

std::string gateway_url(const Profile& profile, const std::string& cid) {
  return join_url(profile.ipfs_gateway, "/ipfs/" + cid);
}

// One `add` request: its body is the multipart head, then whatever write() queues, then the tail.
class IpfsUpload final : public ContentStore::Upload {
 public:
  explicit IpfsUpload(std::shared_ptr<Context> context)
      : context_(std::move(context)),
        pipe_(IpfsContentStore::kPipeCapacity),
        frame_(MultipartFile::with_random_boundary()) {
    head_ = frame_.head();
    tail_ = frame_.tail();
    thread_ = std::thread([this] { transfer(); });
  }

  ~IpfsUpload() override {
    if (thread_.joinable()) {
      pipe_.cancel();  // never committed: abandon the request (the node pins nothing for an unfinished add)
      thread_.join();
    }
  }

  void write(ByteView data) override {
    if (committed_) throw Error(EINVAL, "write after commit");
    pipe_.write(data);
  }

  std::string commit() override {
    if (committed_) throw Error(EINVAL, "upload already committed");
    committed_ = true;
    pipe_.close();
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
    require_success(response_, "IPFS add at " + context_->profile().ipfs_api);
    return cid_from_add_answer(response_.body);
  }

 private:
  // The body, piece by piece: head, piped data, tail.
  std::size_t next_body_bytes(std::span<char> out) {
    std::size_t done = 0;
    while (done < out.size()) {
      if (phase_ == 0 || phase_ == 2) {
        const std::string& part = phase_ == 0 ? head_ : tail_;
        const std::size_t n = std::min(out.size() - done, part.size() - offset_);
        std::memcpy(out.data() + done, part.data() + offset_, n);
        done += n;
        offset_ += n;
        if (offset_ == part.size()) {
          ++phase_;
          offset_ = 0;
        }
      } else if (phase_ == 1) {
        if (done > 0) return done;  // hand over what we have before blocking on the pipe
        auto n = pipe_.read(out.subspan(done));
        if (!n) return HttpRequest::kAbort;
        if (*n == 0) {
          phase_ = 2;
          continue;
        }
        done += *n;
      } else {
        break;
      }
    }
    return done;
  }

  void transfer() {
    const Profile& profile = context_->profile();
    HttpRequest request;
    request.method = "POST";
    // CIDv0 with kubo's defaults (256 KiB chunks, balanced DAG, no raw leaves): the CID the pipeline computed.
    request.url = join_url(profile.ipfs_api, "/api/v0/add?pin=true&cid-version=0&progress=false");
    request.headers = {frame_.content_type_header()};
    request.body_source = [this](std::span<char> out) { return next_body_bytes(out); };
    request.timeout = std::chrono::milliseconds(0);  // no total limit for any size; stalls still fail
    try {
      response_ = context_->http().send(request);
      if (errno_for_status(response_.status) != 0) {
        pipe_.stop_consumer(errno_for_status(response_.status),
                            "IPFS add at " + profile.ipfs_api + ": HTTP " + std::to_string(response_.status));
      } else {
        pipe_.stop_consumer(EIO, "IPFS add answered before the end of the upload");
      }
    } catch (const Error& e) {
      failure_ = std::current_exception();
      pipe_.stop_consumer(e.code() == ECANCELED ? ECANCELED : e.code(), e.what());
    } catch (...) {
      failure_ = std::current_exception();
      pipe_.stop_consumer(EIO, "IPFS add failed");
    }
  }

  std::shared_ptr<Context> context_;
  BytePipe pipe_;
  MultipartFile frame_;
  std::string head_;
  std::string tail_;
  int phase_ = 0;           // upload thread only: 0 head, 1 data, 2 tail, 3 done
  std::size_t offset_ = 0;  // upload thread only: bytes of head_/tail_ sent
  HttpResponse response_;   // written by the upload thread, read after join
  std::exception_ptr failure_;
  bool committed_ = false;
  std::thread thread_;
};

// The gateway's view of one CID: every read is a Range request (a gateway that ignores Range is read past the
// offset and cut short, so a read costs what it asks for plus what precedes it, never the whole file in memory).
class GatewaySource final : public RandomAccessSource {
 public:
  GatewaySource(std::shared_ptr<Context> context, std::string url, uint64_t size)
      : context_(std::move(context)), url_(std::move(url)), size_(size) {}

  uint64_t size() const override { return size_; }

  void read_at(uint64_t offset, std::span<uint8_t> out) const override {
    if (offset > size_ || out.size() > size_ - offset)
      throw Error(EINVAL, "read past the end of " + url_ + " (" + std::to_string(size_) + " bytes)");
    if (out.empty()) return;
    HttpRequest request;
    request.url = url_;
    request.headers = {"Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + out.size() - 1)};
    uint64_t position = 0;  // where in the file the next body byte is
    bool started = false;
    std::size_t filled = 0;
    request.body_sink = [&](long status, std::string_view piece) {
      if (status != 200 && status != 206) return true;  // an error page: its status says enough
      if (!started) {
        started = true;
        position = status == 206 ? offset : 0;  // a 200 is the whole file: skip to the offset
      }
      for (std::size_t i = 0; i < piece.size() && filled < out.size(); ++i, ++position)
        if (position >= offset) out[filled++] = static_cast<uint8_t>(piece[i]);
      return filled < out.size();
    };
    const HttpResponse response = context_->http().send(request);
    require_success(response, "IPFS gateway GET " + url_);
    if (filled != out.size())
      throw Error(EAGAIN, "IPFS gateway " + url_ + " gave " + std::to_string(filled) + " of " +
                              std::to_string(out.size()) + " bytes");
  }

 private:
  std::shared_ptr<Context> context_;
  std::string url_;
  uint64_t size_;
};

}  // namespace

std::string cid_from_add_answer(const std::string& body) {
  std::istringstream lines(body);
  std::string line;
  std::string cid;
  while (std::getline(lines, line)) {
    auto object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_object() && object.contains("Hash") && object["Hash"].is_string())
      cid = object["Hash"].get<std::string>();
  }
  if (cid.empty()) throw Error(EIO, "IPFS add answered without a Hash: " + body_excerpt(body));
  if (!format::is_cid_v0(cid)) throw Error(EIO, "IPFS add answered " + cid + ", not a CIDv0");
  return cid;
}

Bytes gateway_download(Context& context, const std::string& ipfs_path) {
  if (!ipfs_path.starts_with("/ipfs/") || !format::is_cid_v0(ipfs_path.substr(6, ipfs_path.find('/', 6) - 6)))
    throw Error(EINVAL, "not an /ipfs/<CIDv0> path: \"" + body_excerpt(ipfs_path, 80) + "\"");
  HttpRequest request;
  request.url = join_url(context.profile().ipfs_gateway, ipfs_path);
  request.timeout = std::chrono::milliseconds(0);  // a result may be large: no total limit (a stall still fails)
  Bytes out;
  request.body_sink = [&](long status, std::string_view piece) {
    if (status >= 200 && status < 300) out.insert(out.end(), piece.begin(), piece.end());
    return true;
  };
  require_success(context.http().send(request), "IPFS gateway GET " + request.url);
  return out;
}

std::unique_ptr<ContentStore::Upload> IpfsContentStore::begin_upload() {
  return std::make_unique<IpfsUpload>(context_);
}

bool IpfsContentStore::has(const std::string& cid) {
  require_cid(cid);
  const Profile& profile = context_->profile();
  // The node's pins first: every upload is pinned (add?pin=true), and pin/ls answers at once, where a gateway asked
  // for content nobody holds searches the network until it times out (js-ipfs even offline). A root pinned
  // recursively means the whole DAG is held.
  HttpRequest pins;
  pins.method = "POST";
  pins.url = join_url(profile.ipfs_api, "/api/v0/pin/ls?arg=" + cid + "&type=recursive&offline=true");
  pins.timeout = kPresenceTimeout + std::chrono::seconds(10);
  const HttpResponse answer = context_->http().send(pins);
  if (answer.status == 200) {
    auto keys = nlohmann::json::parse(answer.body, nullptr, false);
    return keys.is_object() && keys.contains("Keys") && keys["Keys"].is_object() && keys["Keys"].contains(cid);
  }
  if (answer.status == 500 && answer.body.find("not pinned") != std::string::npos) return false;
  if (answer.status != 404 && answer.status != 405 && answer.status != 403 && answer.status != 401)
    require_success(answer, "IPFS pin/ls at " + profile.ipfs_api);

  // An upload-only API (no pin/ls): ask the gateway, briefly; an answer that does not come is "not held".
  HttpRequest head;
  head.method = "HEAD";
  head.url = gateway_url(profile, cid);
  head.timeout = kPresenceTimeout;
  HttpResponse response;
  try {
    response = context_->http().send(head);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (e.code() == EAGAIN && what.find("timed out") != std::string::npos) return false;
    throw;
  }
  const int code = errno_for_status(response.status);
  if (code == 0) return true;
  if (code == ENOENT || response.status == 504) return false;
  require_success(response, "IPFS gateway HEAD " + head.url);
  return false;
}

void IpfsContentStore::remove(const std::string& cid) {
  require_cid(cid);
  const Profile& profile = context_->profile();
  HttpRequest unpin;
  unpin.method = "POST";
  unpin.url = join_url(profile.ipfs_api, "/api/v0/pin/rm?arg=" + cid + "&recursive=true");
  const HttpResponse answer = context_->http().send(unpin);
  if (answer.status == 500 && answer.body.find("not pinned") != std::string::npos) return;  // removed already
  require_success(answer, "IPFS pin/rm at " + profile.ipfs_api);
}

std::shared_ptr<const RandomAccessSource> IpfsContentStore::open(const std::string& cid) {
  require_cid(cid);
  if (!has(cid)) throw Error(ENOENT, "IPFS does not hold " + cid);
  const std::string url = gateway_url(context_->profile(), cid);
  HttpRequest request;
  request.method = "HEAD";
  request.url = url;
  const HttpResponse response = context_->http().send(request);
  if (errno_for_status(response.status) == ENOENT) throw Error(ENOENT, "IPFS does not hold " + cid);
  require_success(response, "IPFS gateway HEAD " + url);
  if (!response.content_length) throw Error(EIO, "IPFS gateway gave no size for " + cid);
  return std::make_shared<GatewaySource>(context_, url, *response.content_length);
}

}  // namespace pfs::network::iexec
