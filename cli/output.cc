#include "output.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"

namespace cadastre::cli {

Style Style::ForFd(int fd) {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  const bool dumb = term != nullptr && std::strcmp(term, "dumb") == 0;
  return Style(isatty(fd) == 1 && (no_color == nullptr || *no_color == '\0') && !dumb);
}

std::string Style::Wrap(const char* code, const std::string& text) const {
  if (!color_ || text.empty()) return text;
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); i++) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {  // skip an ANSI escape up to its final letter
      while (i < text.size() && !std::isalpha(static_cast<unsigned char>(text[i]))) i++;
      continue;
    }
    if ((c & 0xc0) != 0x80) width++;  // not a UTF-8 continuation byte
  }
  return width;
}

namespace {

std::string Pad(const std::string& text, size_t width) {
  const size_t shown = DisplayWidth(text);
  return shown >= width ? text : text + std::string(width - shown, ' ');
}

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

}  // namespace

void Table::Print(std::ostream& out, const Style& style) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); i++) widths[i] = DisplayWidth(headers_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < widths.size(); i++) {
      widths[i] = std::max(widths[i], DisplayWidth(OrDash(row[i])));
    }
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (size_t i = 0; i < widths.size(); i++) {
      const std::string cell = i < cells.size() ? (header ? cells[i] : OrDash(cells[i])) : "-";
      const bool last = i + 1 == widths.size();
      text += last ? cell : Pad(cell, widths[i]) + "  ";
    }
    out << (header ? style.Bold(text) : text) << "\n";
  };
  line(headers_, true);
  for (const auto& row : rows_) line(row, false);
}

void KeyValues::Print(std::ostream& out, const Style& style) const {
  size_t width = 0;
  for (const auto& [key, value] : rows_) width = std::max(width, DisplayWidth(key));
  for (const auto& [key, value] : rows_) {
    out << style.Bold(Pad(key, width)) << "  " << OrDash(value) << "\n";
  }
}

void PrintJson(std::ostream& out, const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out << json;
  if (json.empty() || json.back() != '\n') out << "\n";
}

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(time.seconds()),
                          absl::UTCTimeZone());
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string Shorten(const std::string& text, size_t max) {
  std::string line = text.substr(0, text.find('\n'));
  const bool cut_line = line.size() < text.size();
  if (DisplayWidth(line) <= max && !cut_line) return line;
  // Cut at a character boundary.
  size_t count = 0, i = 0;
  for (; i < line.size(); i++) {
    if ((static_cast<unsigned char>(line[i]) & 0xc0) != 0x80) {
      if (count == max - 1) break;
      count++;
    }
  }
  return line.substr(0, i) + "…";
}

}  // namespace cadastre::cli
