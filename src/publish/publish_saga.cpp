#include "publish/publish_saga.hpp"

#include <nlohmann/json.hpp>

namespace pfs::publish {
namespace {

using nlohmann::json;

json record_json(const network::DatasetRecord& r) {
  return {{"address", r.address.to_string()},
          {"owner", r.owner.to_string()},
          {"name", r.name},
          {"multiaddr", to_hex(r.multiaddr)},
          {"checksum", to_hex(r.checksum)},
          {"schema", r.schema},
          {"created", r.created},
          {"tx", r.tx}};
}

network::DatasetRecord record_of(const json& j) {
  return {crypto::Address::parse(j.at("address").get<std::string>()),
          crypto::Address::parse(j.at("owner").get<std::string>()),
          j.at("name"),
          from_hex(j.at("multiaddr").get<std::string>()),
          from_hex_fixed<32>(j.at("checksum").get<std::string>()),
          j.at("schema"),
          j.at("created").get<uint64_t>(),
          j.at("tx")};
}

SagaStep step_of(const std::string& name) {
  for (SagaStep s : {SagaStep::Upload, SagaStep::Register, SagaStep::PushKey, SagaStep::Record})
    if (name == step_name(s)) return s;
  throw Error(EINVAL, "unknown publish step '" + name + "'");
}

}  // namespace

const char* step_name(SagaStep step) {
  switch (step) {
    case SagaStep::Upload:
      return "upload";
    case SagaStep::Register:
      return "register";
    case SagaStep::PushKey:
      return "secret";
    case SagaStep::Record:
      return "record";
  }
  return "upload";
}

std::string encode_saga(const PublishSaga& s) {
  json j{{"kind", "publish"},
         {"name", s.name},
         {"fingerprint", s.fingerprint},
         {"step", step_name(s.step)},
         {"key", s.key},
         {"iv", s.iv},
         {"stamp", {s.stamp_time, s.stamp_date}},
         {"cid", s.cid},
         {"multiaddr", to_hex(s.registration.multiaddr)},
         {"checksum", to_hex(s.registration.checksum)},
         {"schema", s.registration.schema},
         {"register_sent", s.register_sent}};
  if (s.record) j["record"] = record_json(*s.record);
  return j.dump();
}

bool is_publish_saga(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  return is_publish_saga(j);
}

bool is_publish_saga(const json& j) { return j.is_object() && j.value("kind", "publish") == "publish"; }

PublishSaga decode_saga(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    throw Error(EINVAL, std::string("unreadable publish journal entry: ") + e.what());
  }
  return decode_saga(j);
}

PublishSaga decode_saga(const json& j) {
  try {
    if (j.value("kind", "publish") != "publish") throw Error(EINVAL, "not a publish saga");
    PublishSaga s;
    s.name = j.at("name");
    s.fingerprint = j.value("fingerprint", "");
    s.key = j.at("key");
    s.registration.name = s.name;
    s.registration.multiaddr = from_hex(j.value("multiaddr", ""));
    if (const std::string checksum = j.value("checksum", ""); !checksum.empty())
      s.registration.checksum = from_hex_fixed<32>(checksum);
    s.registration.schema = j.value("schema", "");
    if (!j.contains("step")) {  // an earlier version's record: written just before the registration was sent
      s.step = SagaStep::Register;
      s.register_sent = true;
      return s;
    }
    s.step = step_of(j.at("step"));
    s.iv = j.value("iv", "");
    s.stamp_time = j.at("stamp").at(0);
    s.stamp_date = j.at("stamp").at(1);
    s.cid = j.value("cid", "");
    s.register_sent = j.value("register_sent", false);
    if (j.contains("record")) s.record = record_of(j.at("record"));
    return s;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(EINVAL, std::string("unreadable publish journal entry: ") + e.what());
  }
}

}  // namespace pfs::publish
