#include "server/store/sqlite_codec.h"
#include "server/common/json_text.h"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/status.h"
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

namespace {

bool HasKind(const google::protobuf::Value& value) {
  return value.kind_case() != google::protobuf::Value::KIND_NOT_SET;
}

absl::Status AppendStruct(std::string& out, const google::protobuf::Struct& value);

// protobuf leaves out a Value that holds nothing (a Struct entry, a list
// item); callers skip those.
absl::Status AppendValue(std::string& out, const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kNumberValue: {
      const double number = value.number_value();
      if (!std::isfinite(number)) {
        return absl::InternalError("cannot encode a NaN or infinite number as JSON");
      }
      char buffer[64];
      // The shortest text that reads back as the same double.
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), number);
      out.append(buffer, end);
      return absl::OkStatus();
    }
    case google::protobuf::Value::kStringValue:
      AppendJsonString(out, value.string_value());
      return absl::OkStatus();
    case google::protobuf::Value::kBoolValue:
      out += value.bool_value() ? "true" : "false";
      return absl::OkStatus();
    case google::protobuf::Value::kStructValue:
      return AppendStruct(out, value.struct_value());
    case google::protobuf::Value::kListValue: {
      out.push_back('[');
      bool first = true;
      for (const google::protobuf::Value& item : value.list_value().values()) {
        if (!HasKind(item)) continue;
        if (!first) out.push_back(',');
        first = false;
        RETURN_IF_ERROR(AppendValue(out, item));
      }
      out.push_back(']');
      return absl::OkStatus();
    }
    default:
      out += "null";
      return absl::OkStatus();
  }
}

absl::Status AppendStruct(std::string& out, const google::protobuf::Struct& value) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, item] : value.fields()) {
    if (!HasKind(item)) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, key);
    out.push_back(':');
    RETURN_IF_ERROR(AppendValue(out, item));
  }
  out.push_back('}');
  return absl::OkStatus();
}

void ToValue(const Json& json, google::protobuf::Value* out);

void ToStruct(const Json& object, google::protobuf::Struct* out) {
  auto* fields = out->mutable_fields();
  for (const auto& [key, item] : object.items()) ToValue(item, &(*fields)[key]);
}

void ToValue(const Json& json, google::protobuf::Value* out) {
  switch (json.type()) {
    case Json::value_t::boolean: out->set_bool_value(json.get<bool>()); break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: out->set_number_value(json.get<double>()); break;
    case Json::value_t::string: out->set_string_value(json.get_ref<const std::string&>()); break;
    case Json::value_t::array: {
      google::protobuf::ListValue* list = out->mutable_list_value();
      for (const Json& item : json) ToValue(item, list->add_values());
      break;
    }
    case Json::value_t::object: ToStruct(json, out->mutable_struct_value()); break;
    default: out->set_null_value(google::protobuf::NULL_VALUE);
  }
}

}  // namespace

absl::StatusOr<std::string> StructToJson(const google::protobuf::Struct& value) {
  std::string out;
  RETURN_IF_ERROR(AppendStruct(out, value));
  return out;
}

absl::Status JsonToStruct(std::string_view json, google::protobuf::Struct* out) {
  Json object = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) return Corrupt(out->GetTypeName(), json);
  ToStruct(object, out);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ChangesToJson(
    const google::protobuf::RepeatedPtrField<v1::FieldChange>& changes) {
  std::string out = "[";
  for (const v1::FieldChange& change : changes) {
    if (out.size() > 1) out.push_back(',');
    out += "{";
    // The FieldChange mapping: "path" unless empty, then the values present.
    bool first = true;
    auto key = [&](std::string_view name) {
      if (!first) out.push_back(',');
      first = false;
      AppendJsonString(out, name);
      out.push_back(':');
    };
    if (!change.path().empty()) {
      key("path");
      AppendJsonString(out, change.path());
    }
    if (change.has_before() && HasKind(change.before())) {
      key("before");
      RETURN_IF_ERROR(AppendValue(out, change.before()));
    }
    if (change.has_after() && HasKind(change.after())) {
      key("after");
      RETURN_IF_ERROR(AppendValue(out, change.after()));
    }
    out += "}";
  }
  out += "]";
  return out;
}

std::string IdsJson(const std::vector<int64_t>& ids) {
  return absl::StrCat("[", absl::StrJoin(ids, ","), "]");
}

}  // namespace cadastre::store
