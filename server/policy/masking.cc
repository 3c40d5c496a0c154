// MaskValue and DecideMask; the SQL side of masking.h is in masking_sql.cc.
#include "server/policy/masking.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "server/common/strings.h"
#include "server/policy/crypto.h"

namespace cadastre::policy {
namespace {

using nlohmann::json;

// How masked characters are written.
enum class MaskStyle {
  kClasses,  // MASK: X for upper case, x for lower case, n for digits
  kAllX,     // MASK_SHOW_*: x for all of them (Ranger's 'x', 'x', 'x')
};

constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence that starts at s[i] (no
// overlongs, surrogates or code points past U+10FFFF), or 0 when none does.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto continuation = [&](size_t k, unsigned char lo, unsigned char hi) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return continuation(i + 1, 0x80, 0xBF) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return continuation(i + 1, lo, hi) && continuation(i + 2, 0x80, 0xBF) &&
                   continuation(i + 3, 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

char MaskAscii(char c, MaskStyle style) {
  const bool all_x = style == MaskStyle::kAllX;
  if (c >= 'A' && c <= 'Z') return all_x ? 'x' : 'X';
  if (c >= 'a' && c <= 'z') return 'x';
  if (c >= '0' && c <= '9') return all_x ? 'x' : 'n';
  if (c == '\0') return 'x';
  return c;
}

// Masks `text` code point by code point, keeping the first `keep_first` and
// the last `keep_last` of them as they are.
std::string MaskText(std::string_view text, MaskStyle style, size_t keep_first, size_t keep_last) {
  struct Unit {
    size_t start;
    size_t length;  // 0: an ill-formed byte
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    units.push_back({i, length});
    i += std::max<size_t>(length, 1);
  }
  std::string out;
  out.reserve(text.size());
  for (size_t k = 0; k < units.size(); ++k) {
    const Unit& unit = units[k];
    const bool keep = k < keep_first || k + keep_last >= units.size();
    if (unit.length == 0) {
      out += keep ? kReplacementCharacter : "x";
    } else if (unit.length > 1) {
      out += keep ? text.substr(unit.start, unit.length) : "x";
    } else {
      out += keep ? text[unit.start] : MaskAscii(text[unit.start], style);
    }
  }
  return out;
}

// The text a number or boolean is masked and hashed through (masking.h).
std::string CanonicalText(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_float()) {
    const double d = value.get<double>();
    // JSON's "100.0" and "100" are the same number and PostgreSQL prints
    // both as "100"; beyond 1e15 both switch to exponents ("1e+15").
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 1e15) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%.0f", d);
      return buffer;
    }
  }
  return value.dump();  // integers; other floats in their shortest round-trip form
}

// Strings, finite numbers and booleans; anything else is masked as null.
bool IsMaskableScalar(const json& value) {
  if (value.is_number_float()) return std::isfinite(value.get<double>());
  return value.is_string() || value.is_number() || value.is_boolean();
}

std::string ScalarText(const json& value) {
  return value.is_string() ? value.get_ref<const std::string&>() : CanonicalText(value);
}

// Reads `n` ASCII digits at s[*i], advancing *i; nullopt if they are not there.
std::optional<int> ReadDigits(std::string_view s, size_t* i, int n) {
  if (*i + n > s.size()) return std::nullopt;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  *i += n;
  return v;
}

bool ReadChar(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// The year of an ISO-8601 date or date-time (masking.h), or nullopt.
std::optional<int> IsoYear(std::string_view s) {
  size_t i = 0;
  const std::optional<int> year = ReadDigits(s, &i, 4);
  if (!year || *year == 0 || !ReadChar(s, &i, '-')) return std::nullopt;
  const std::optional<int> month = ReadDigits(s, &i, 2);
  if (!month || *month < 1 || *month > 12 || !ReadChar(s, &i, '-')) return std::nullopt;
  const std::optional<int> day = ReadDigits(s, &i, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[*month - 1] + (*month == 2 && IsLeapYear(*year) ? 1 : 0);
  if (!day || *day < 1 || *day > days) return std::nullopt;
  if (i == s.size()) return year;

  if (!ReadChar(s, &i, 'T') && !ReadChar(s, &i, 't') && !ReadChar(s, &i, ' ')) {
    return std::nullopt;
  }
  const std::optional<int> hour = ReadDigits(s, &i, 2);
  if (!hour || *hour > 23 || !ReadChar(s, &i, ':')) return std::nullopt;
  const std::optional<int> minute = ReadDigits(s, &i, 2);
  if (!minute || *minute > 59) return std::nullopt;
  if (ReadChar(s, &i, ':')) {
    const std::optional<int> second = ReadDigits(s, &i, 2);
    if (!second || *second > 59) return std::nullopt;
    if (ReadChar(s, &i, '.')) {
      const size_t start = i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == start) return std::nullopt;
    }
  }
  if (ReadChar(s, &i, 'Z') || ReadChar(s, &i, 'z')) return i == s.size() ? year : std::nullopt;
  if (ReadChar(s, &i, '+') || ReadChar(s, &i, '-')) {
    const std::optional<int> offset_hours = ReadDigits(s, &i, 2);
    if (!offset_hours || *offset_hours > 23) return std::nullopt;
    const bool colon = ReadChar(s, &i, ':');
    if (colon || i < s.size()) {
      const std::optional<int> offset_minutes = ReadDigits(s, &i, 2);
      if (!offset_minutes || *offset_minutes > 59) return std::nullopt;
    }
  }
  return i == s.size() ? year : std::nullopt;
}

// The column tag `policy_tag` covers (itself or a descendant); the smallest
// when several; nullopt when none.
std::optional<std::string> CoveredTag(std::string_view policy_tag,
                                      const std::vector<std::string>& column_tags) {
  std::optional<std::string> found;
  if (policy_tag.empty()) return found;
  for (const std::string& tag : column_tags) {
    const bool covers = tag == policy_tag || (absl::StartsWith(Absl(tag), Absl(policy_tag)) &&
                                              tag[policy_tag.size()] == '.');
    if (covers && (!found || tag < *found)) found = tag;
  }
  return found;
}

size_t TagDepth(std::string_view tag) { return std::count(tag.begin(), tag.end(), '.') + 1; }

// True when `a` wins over `b` (masking.h: priority, specificity, name).
bool Outranks(const v1::MaskingPolicy& a, const v1::MaskingPolicy& b) {
  if (a.priority() != b.priority()) return a.priority() > b.priority();
  const size_t depth_a = TagDepth(a.tag());
  const size_t depth_b = TagDepth(b.tag());
  if (depth_a != depth_b) return depth_a > depth_b;
  return a.name() < b.name();
}

}  // namespace

json MaskValue(v1::MaskType type, const json& value, std::string_view hash_key) {
  if (value.is_null()) return nullptr;
  switch (type) {
    case v1::MASK_NONE:
      return value;
    case v1::MASK:
      if (!IsMaskableScalar(value)) return nullptr;
      return MaskText(ScalarText(value), MaskStyle::kClasses, 0, 0);
    case v1::MASK_SHOW_FIRST_4:
      if (!IsMaskableScalar(value)) return nullptr;
      return MaskText(ScalarText(value), MaskStyle::kAllX, 4, 0);
    case v1::MASK_SHOW_LAST_4:
      if (!IsMaskableScalar(value)) return nullptr;
      return MaskText(ScalarText(value), MaskStyle::kAllX, 0, 4);
    case v1::MASK_HASH:
      if (!IsMaskableScalar(value)) return nullptr;
      return absl::BytesToHexString(HmacSha256(hash_key, ScalarText(value)));
    case v1::MASK_DATE_SHOW_YEAR: {
      if (!value.is_string()) return nullptr;
      const std::optional<int> year = IsoYear(value.get_ref<const std::string&>());
      if (!year) return nullptr;
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "%04d-01-01", *year);
      return buffer;
    }
    default:  // MASK_NULL, CUSTOM, MASK_TYPE_UNSPECIFIED and unknown values
      return nullptr;
  }
}

MaskDecision DecideMask(const std::vector<v1::MaskingPolicy>& policies,
                        const std::vector<std::string>& column_tags,
                        const std::vector<std::string>& caller_roles) {
  const v1::MaskingPolicy* winner = nullptr;
  std::string winner_tag;
  for (const v1::MaskingPolicy& policy : policies) {
    std::optional<std::string> tag = CoveredTag(policy.tag(), column_tags);
    if (tag && (winner == nullptr || Outranks(policy, *winner))) {
      winner = &policy;
      winner_tag = std::move(*tag);
    }
  }
  if (winner == nullptr) return {};

  MaskDecision decision{winner->mask_type(), winner->name(), winner_tag};
  if (decision.type == v1::MASK_TYPE_UNSPECIFIED || !v1::MaskType_IsValid(decision.type)) {
    decision.type = v1::MASK_NULL;
  }
  for (const std::string& role : winner->unmasked_roles()) {
    if (std::find(caller_roles.begin(), caller_roles.end(), role) != caller_roles.end()) {
      decision.type = v1::MASK_NONE;
    }
  }
  return decision;
}

}  // namespace cadastre::policy
