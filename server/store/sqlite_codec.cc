#include "server/store/sqlite_codec.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/store/sqlite_db.h"

namespace cadastre::store {
namespace {

using ::google::protobuf::util::TimeUtil;
using Json = ::nlohmann::json;

// Stored JSON was written by this store, so a parse failure means the file
// was damaged or edited by hand: INTERNAL, not the caller's fault.
absl::Status Corrupt(std::string_view what, std::string_view json) {
  return absl::InternalError(
      absl::StrCat("corrupt ", Absl(what), " JSON in database: ", Absl(json.substr(0, 80))));
}

std::string Dump(const Json& json) {
  // Replace rather than throw on invalid UTF-8: the store must not crash on
  // a string that slipped past validation.
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::optional<int64_t> ToMicros(bool has_value, const google::protobuf::Timestamp& timestamp) {
  if (!has_value) return std::nullopt;
  return TimeUtil::TimestampToMicroseconds(timestamp);
}

google::protobuf::Timestamp FromMicros(int64_t micros) {
  return TimeUtil::MicrosecondsToTimestamp(micros);
}

std::string StringsToJson(const google::protobuf::RepeatedPtrField<std::string>& strings) {
  Json array = Json::array();
  for (const std::string& s : strings) array.push_back(s);
  return Dump(array);
}

absl::Status JsonToStrings(std::string_view json,
                           google::protobuf::RepeatedPtrField<std::string>* out) {
  Json array = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (array.is_discarded() || !array.is_array()) return Corrupt("list", json);
  for (const Json& item : array) {
    if (!item.is_string()) return Corrupt("list", json);
    out->Add(item.get<std::string>());
  }
  return absl::OkStatus();
}

std::string MapToJson(const google::protobuf::Map<std::string, std::string>& map) {
  Json object = Json::object();
  for (const auto& [key, value] : map) object[key] = value;
  return Dump(object);
}

absl::Status JsonToMap(std::string_view json,
                       google::protobuf::Map<std::string, std::string>* out) {
  Json object = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) return Corrupt("map", json);
  for (const auto& [key, value] : object.items()) {
    if (!value.is_string()) return Corrupt("map", json);
    (*out)[key] = value.get<std::string>();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message) {
  std::string json;
  auto status = google::protobuf::util::MessageToJsonString(message, &json);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot encode ", message.GetTypeName(),
                                            " as JSON: ", std::string(status.message())));
  }
  return json;
}

absl::Status JsonToMessage(std::string_view json, google::protobuf::Message* out) {
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out);
  if (!status.ok()) return Corrupt(out->GetTypeName(), json);
  return absl::OkStatus();
}

std::string IdsJson(const std::vector<int64_t>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

}  // namespace cadastre::store
