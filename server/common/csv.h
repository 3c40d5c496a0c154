// CSV as RFC 4180 writes it: fields separated by commas, records ended by
// CRLF, and a field that holds a comma, a double quote, CR or LF enclosed in
// double quotes with each double quote doubled. Nothing else is escaped, so
// any text (SQL with newlines, names with quotes) reads back unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cadastre {

// `field` as one CSV field: quoted when RFC 4180 requires it, as is otherwise.
std::string CsvField(std::string_view field);

// Builds a CSV document record by record.
class CsvWriter {
 public:
  // Appends one record; every record of a document should have as many
  // fields as the header.
  void Row(const std::vector<std::string>& fields);

  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

}  // namespace cadastre
