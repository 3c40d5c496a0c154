#include "server/openlineage/json_fields.h"

#include <cctype>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::openlineage::internal {
namespace {

std::string_view TypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    default:
      return "a number";
  }
}

absl::Status WrongType(std::string_view path, std::string_view wanted, const json& value) {
  return InvalidField(path,
                      absl::StrCat("must be ", Absl(wanted), ", not ", Absl(TypeName(value))));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// "YYYY-MM-DDTHH:MM:SS" with exactly these widths: absl::ParseTime alone
// would also take "2024-8-6" or a signed, longer year.
bool HasRfc3339Prefix(std::string_view s) {
  static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < kShape.size()) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    const char want = kShape[i];
    const char got = s[i];
    if (want == 'd' ? !IsDigit(got) : (want == 'T' ? (got != 'T' && got != 't') : got != want)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Member(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  return absl::StrCat(Absl(path), ".", Absl(key));
}

std::string Element(std::string_view path, std::size_t index) {
  return absl::StrCat(Absl(path), "[", index, "]");
}

const json* Find(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

absl::Status ExpectObject(const json& value, std::string_view path) {
  if (value.is_object()) return absl::OkStatus();
  return WrongType(path, "an object", value);
}

absl::StatusOr<const json*> FindObject(const json& object, std::string_view key,
                                       std::string_view path) {
  const json* value = Find(object, key);
  if (value != nullptr && !value->is_object()) {
    return WrongType(Member(path, key), "an object", *value);
  }
  return value;
}

absl::StatusOr<const json*> FindArray(const json& object, std::string_view key,
                                      std::string_view path) {
  const json* value = Find(object, key);
  if (value != nullptr && !value->is_array()) {
    return WrongType(Member(path, key), "an array", *value);
  }
  return value;
}

absl::Status ReadString(const json& object, std::string_view key, std::string_view path,
                        std::string* out) {
  const json* value = Find(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) return WrongType(Member(path, key), "a string", *value);
  *out = value->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadString(const json& object, std::string_view key, std::string_view path,
                        std::optional<std::string>* out) {
  const json* value = Find(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_string()) return WrongType(Member(path, key), "a string", *value);
  *out = value->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadBool(const json& object, std::string_view key, std::string_view path, bool* out) {
  const json* value = Find(object, key);
  if (value == nullptr) return absl::OkStatus();
  if (!value->is_boolean()) return WrongType(Member(path, key), "a boolean", *value);
  *out = value->get<bool>();
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequireString(const json& object, std::string_view key,
                                          std::string_view path, bool non_empty) {
  const std::string where = Member(path, key);
  const json* value = Find(object, key);
  if (value == nullptr) return InvalidField(where, "is required");
  if (!value->is_string()) return WrongType(where, "a string", *value);
  std::string text = value->get<std::string>();
  if (non_empty && text.empty()) return InvalidField(where, "must not be empty");
  return text;
}

absl::StatusOr<absl::Time> ParseTimestamp(const json& value, std::string_view path) {
  if (!value.is_string()) return WrongType(path, "an RFC 3339 date-time string", value);
  const std::string& text = value.get_ref<const std::string&>();
  absl::Time time;
  std::string error;
  // ParseTime skips surrounding white space and knows "infinite-future";
  // RFC 3339 has neither.
  const bool has_space = text.find_first_of(" \t\r\n\f\v") != std::string::npos;
  // RFC 3339 wants an offset, but the Python client's own examples send
  // none ("2021-11-03T10:53:52.427343"): such a time is read as UTC.
  const bool parsed =
      absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S%Ez", text, &time, &error) ||
      absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*S", text, absl::UTCTimeZone(), &time, &error);
  if (has_space || !HasRfc3339Prefix(text) || !parsed || time == absl::InfiniteFuture() ||
      time == absl::InfinitePast()) {
    return InvalidField(path, absl::StrCat("\"", text,
                                           "\" is not an RFC 3339 date-time "
                                           "(e.g. 2024-08-06T13:26:54.34Z)"));
  }
  return time;
}

std::optional<std::string> NormalizeUuid(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_here ? out[i] != '-' : !IsHex(out[i])) return std::nullopt;
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  }
  return out;
}

absl::StatusOr<std::string> RequireUuid(const json& object, std::string_view key,
                                        std::string_view path) {
  ASSIGN_OR_RETURN(std::string text, RequireString(object, key, path, /*non_empty=*/true));
  std::optional<std::string> uuid = NormalizeUuid(text);
  if (!uuid) {
    return InvalidField(Member(path, key), absl::StrCat("\"", text, "\" is not a UUID"));
  }
  return *uuid;
}

std::string ToUpper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace cadastre::openlineage::internal
