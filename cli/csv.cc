#include "csv.h"

#include "absl/strings/str_cat.h"

namespace cadastre::cli {

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted = "\"";
  for (const char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string record;
  for (size_t i = 0; i < fields.size(); i++) {
    if (i > 0) record += ',';
    record += CsvField(fields[i]);
  }
  record += "\r\n";
  return record;
}

absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRow> rows;
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    // One record: fields up to an unquoted line break or the end.
    while (true) {
      std::string field;
      if (i < text.size() && text[i] == '"') {
        const int opened = line;
        i++;
        while (true) {
          if (i >= text.size()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "line ", opened, ": unbalanced quotes: the quoted field opened here never closes"));
          }
          const char c = text[i++];
          if (c == '"') {
            if (i < text.size() && text[i] == '"') {
              field += '"';
              i++;
              continue;
            }
            break;
          }
          if (c == '\n') line++;
          field += c;
        }
        if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          return absl::InvalidArgumentError(absl::StrCat(
              "line ", line, ": unexpected text after a closing quote (a quote inside a quoted field is "
              "written twice: \"\")"));
        }
      } else {
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') {
            return absl::InvalidArgumentError(absl::StrCat(
                "line ", line, ": a quote inside an unquoted field (quote the whole field and write the "
                "quote twice: \"a \"\"b\"\"\")"));
          }
          field += text[i++];
        }
      }
      row.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == ',') {
        i++;
        continue;
      }
      break;  // a line break or the end
    }
    if (i < text.size() && text[i] == '\r') {
      i++;
      if (i < text.size() && text[i] != '\n') {
        return absl::InvalidArgumentError(absl::StrCat("line ", line, ": a lone carriage return"));
      }
    }
    if (i < text.size() && text[i] == '\n') i++;
    line++;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace cadastre::cli
