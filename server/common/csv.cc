#include "server/common/csv.h"

namespace cadastre {

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void CsvWriter::Row(const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); i++) {
    if (i > 0) text_.push_back(',');
    text_ += CsvField(fields[i]);
  }
  text_ += "\r\n";
}

}  // namespace cadastre
