#include "server/catalog/validation.h"
#include "server/common/strings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    int extra;
    uint32_t cp;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; }
    else return false;
    if (i + extra >= s.size()) return false;
    for (int k = 1; k <= extra; k++) {
      unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
        (extra == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

}  // namespace

absl::Status ValidateName(std::string_view field, std::string_view value) {
  if (value.empty()) return InvalidField(field, "must not be empty");
  if (value.size() > kMaxNameBytes) {
    return InvalidField(field, absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
  }
  if (!IsValidUtf8(value)) return InvalidField(field, "must be valid UTF-8");
  if (HasControl(value)) return InvalidField(field, "must not contain control characters");
  if (absl::ascii_isspace(value.front()) || absl::ascii_isspace(value.back())) {
    return InvalidField(field, "must not begin or end with white space");
  }
  return absl::OkStatus();
}

absl::Status ValidateTagName(std::string_view field, std::string_view value) {
  if (value.empty()) return InvalidField(field, "must not be empty");
  if (value.size() > kMaxTagBytes) {
    return InvalidField(field, absl::StrCat("must be at most ", kMaxTagBytes, " bytes"));
  }
  for (absl::string_view segment : absl::StrSplit(Absl(value), '.')) {
    if (segment.empty()) {
      return InvalidField(field, "must be dot-separated segments such as PII.Email");
    }
    for (char c : segment) {
      if (!absl::ascii_isalnum(c) && c != '_' && c != '-') {
        return InvalidField(field, "segments may hold only letters, digits, '_' and '-'");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(std::string_view field, std::string_view value) {
  if (value.size() > kMaxTextBytes) {
    return InvalidField(field, absl::StrCat("must be at most ", kMaxTextBytes, " bytes"));
  }
  if (!IsValidUtf8(value)) return InvalidField(field, "must be valid UTF-8");
  return absl::OkStatus();
}

absl::StatusOr<store::Page> ValidatePage(std::optional<int> limit, int offset) {
  if (limit && (*limit < 1 || *limit > kMaxPageSize)) {
    return InvalidField("limit", absl::StrCat("must be between 1 and ", kMaxPageSize));
  }
  if (offset < 0) return InvalidField("offset", "must not be negative");
  return store::Page{limit.value_or(kDefaultPageSize), offset};
}

}  // namespace cadastre::catalog
