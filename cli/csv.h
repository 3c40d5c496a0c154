// A small RFC 4180 CSV reader and writer, for `cadastre export/import
// --format csv` (docs/sync.md "CSV").
//
// Writing: a field is quoted when it holds a comma, a quote, CR or LF (quotes
// doubled inside); records end in CRLF, as the server's CSV reports do.
// Reading: records end in CRLF or LF; quoted fields may hold commas, doubled
// quotes and line breaks; a UTF-8 byte order mark (spreadsheets write one) is
// skipped; a last record without a line break is accepted. Errors are
// INVALID_ARGUMENT naming the line (1-based, as an editor counts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cadastre::cli {

// `field`, quoted when it must be.
std::string CsvField(std::string_view field);
// The fields as one record, CRLF-terminated.
std::string CsvRecord(const std::vector<std::string>& fields);

struct CsvRow {
  int line = 0;  // where the record starts
  std::vector<std::string> fields;
};

// Every record of `text`. Fails on a quote inside an unquoted field, a
// character after a closing quote, and a quoted field that never closes.
// Does not check that records have the same number of fields (the caller
// knows what it expects and can name the line).
absl::StatusOr<std::vector<CsvRow>> ParseCsv(std::string_view text);

}  // namespace cadastre::cli
