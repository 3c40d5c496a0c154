#include "server/catalog/proto_json.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/common/status.h"

namespace cadastre {
namespace {

// protobuf names a bad value's path by proto field names
// ("fields[0].ordinal_position"); the API speaks JSON names.
std::string JsonPath(std::string_view proto_path) {
  std::string out;
  bool upper = false;
  for (char c : proto_path) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

bool IsIntegerText(const std::string& text) {
  size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (size_t i = start; i < text.size(); i++) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

// protobuf's parser reports "(fields[0].type): invalid value …" for a bad
// value and "fields[0].descriptio: Cannot find field." for an unknown one.
// Split that into the JSON path and the reason, so the error names the
// field once.
std::pair<std::string, std::string> SplitParserMessage(std::string_view message) {
  if (!message.empty() && message.front() == '(') {
    auto close = message.find("): ");
    if (close != std::string_view::npos && close > 1) {
      return {JsonPath(message.substr(1, close - 1)), std::string(message.substr(close + 3))};
    }
  }
  constexpr std::string_view kUnknown = ": Cannot find field.";
  auto at = message.find(kUnknown);
  if (at != std::string_view::npos && at > 0) {
    return {JsonPath(message.substr(0, at)), "unknown field"};
  }
  return {"body", std::string(message)};
}

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

absl::Status CheckValue(const nlohmann::json& value, const FieldDescriptor* field,
                        const std::string& path);

// protobuf's JSON parser is lenient where an API must not be: it takes an
// object for a list and "yes" for a bool. This walks the JSON beside the
// message's descriptor and refuses any value of the wrong JSON type,
// naming its path. Values protobuf understands better (enum names,
// timestamps) are left to protobuf.
absl::Status CheckObject(const nlohmann::json& object, const Descriptor* descriptor,
                         const std::string& path) {
  const std::string full_name = descriptor->full_name();
  if (full_name == "google.protobuf.Struct" || full_name == "google.protobuf.Value") {
    return absl::OkStatus();  // free JSON
  }
  if (!object.is_object()) return InvalidField(path.empty() ? "body" : path, "must be an object");
  for (const auto& [key, value] : object.items()) {
    const FieldDescriptor* field = descriptor->FindFieldByCamelcaseName(key);
    if (field == nullptr) field = descriptor->FindFieldByName(key);
    const std::string child = path.empty() ? key : absl::StrCat(path, ".", key);
    if (field == nullptr) return InvalidField(child, "unknown field");
    RETURN_IF_ERROR(CheckValue(value, field, child));
  }
  return absl::OkStatus();
}

absl::Status CheckScalar(const nlohmann::json& value, const FieldDescriptor* field,
                         const std::string& path) {
  if (value.is_null()) return absl::OkStatus();  // null means "default"
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (!value.is_string()) return InvalidField(path, "must be a string");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!value.is_boolean()) return InvalidField(path, "must be true or false");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      // The proto3 JSON mapping writes 64-bit integers as strings.
      if (value.is_number_integer()) return absl::OkStatus();
      if (value.is_string() && IsIntegerText(value.get<std::string>())) return absl::OkStatus();
      return InvalidField(path, "must be an integer");
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      if (!value.is_number() && !value.is_string()) return InvalidField(path, "must be a number");
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM:
      if (!value.is_string() && !value.is_number_integer()) {
        return InvalidField(path, "must be one of the documented names");
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const std::string type = field->message_type()->full_name();
      if (type == "google.protobuf.Timestamp" || type == "google.protobuf.Duration") {
        if (!value.is_string()) return InvalidField(path, "must be an RFC 3339 string");
        return absl::OkStatus();
      }
      return CheckObject(value, field->message_type(), path);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckValue(const nlohmann::json& value, const FieldDescriptor* field,
                        const std::string& path) {
  if (value.is_null()) return absl::OkStatus();
  if (field->is_map()) {
    if (!value.is_object()) return InvalidField(path, "must be an object");
    const FieldDescriptor* map_value = field->message_type()->FindFieldByName("value");
    for (const auto& [key, item] : value.items()) {
      RETURN_IF_ERROR(CheckScalar(item, map_value, absl::StrCat(path, ".", key)));
    }
    return absl::OkStatus();
  }
  if (field->is_repeated()) {
    if (!value.is_array()) return InvalidField(path, "must be a list");
    for (size_t i = 0; i < value.size(); i++) {
      RETURN_IF_ERROR(CheckScalar(value[i], field, absl::StrCat(path, "[", i, "]")));
    }
    return absl::OkStatus();
  }
  return CheckScalar(value, field, path);
}

}  // namespace

absl::Status FromJson(std::string_view json, google::protobuf::Message* message) {
  // nlohmann first: it tells "not JSON" apart from "JSON of the wrong shape",
  // and protobuf's parser accepts some non-JSON (comments, trailing commas).
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return InvalidField("body", "malformed JSON");
  }
  if (!parsed.is_object()) {
    return InvalidField("body", "must be a JSON object");
  }
  RETURN_IF_ERROR(CheckObject(parsed, message->GetDescriptor(), ""));
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (status.ok()) return absl::OkStatus();
  auto [field, reason] = SplitParserMessage(
      std::string_view(status.message().data(), status.message().size()));
  return InvalidField(field, reason);
}

}  // namespace cadastre
