// Writing CSV (RFC 4180): a field with a comma, quote, CR or LF is quoted,
// its quotes doubled; rows end with CRLF.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cadastre {

inline void AppendCsvField(std::string* out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

inline void AppendCsvRow(std::string* out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendCsvField(out, fields[i]);
  }
  out->append("\r\n");
}

}  // namespace cadastre
