// How the CLI prints: aligned tables and key/value blocks for people, the
// protobuf JSON mapping (the REST API's shapes) for programs. Colours only
// on a terminal, and never with NO_COLOR set.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace cadastre::cli {

enum class Format { kTable, kJson };

// ANSI styling, or none.
class Style {
 public:
  // On when `fd` is a terminal, NO_COLOR is unset and TERM is not "dumb".
  static Style ForFd(int fd);
  explicit Style(bool color) : color_(color) {}

  bool color() const { return color_; }
  std::string Bold(const std::string& text) const { return Wrap("1", text); }
  std::string Dim(const std::string& text) const { return Wrap("2", text); }
  std::string Red(const std::string& text) const { return Wrap("31", text); }
  std::string Green(const std::string& text) const { return Wrap("32", text); }
  std::string Yellow(const std::string& text) const { return Wrap("33", text); }
  std::string Cyan(const std::string& text) const { return Wrap("36", text); }

 private:
  std::string Wrap(const char* code, const std::string& text) const;
  bool color_;
};

// Columns padded to their widest cell (in characters, not bytes); an empty
// cell prints as "-". The header is bold on a terminal.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  void Print(std::ostream& out, const Style& style) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "Label     value" lines, labels padded alike; empty values print as "-".
class KeyValues {
 public:
  void Add(std::string key, std::string value) { rows_.emplace_back(std::move(key), std::move(value)); }
  void Print(std::ostream& out, const Style& style) const;

 private:
  std::vector<std::pair<std::string, std::string>> rows_;
};

// The message as indented JSON (camelCase names, defaults included), and a newline.
void PrintJson(std::ostream& out, const google::protobuf::Message& message);

// RFC 3339 in UTC ("2026-11-22T10:00:00Z"); "" when unset.
std::string FormatTime(const google::protobuf::Timestamp& time);
std::string Join(const std::vector<std::string>& parts, const std::string& separator = ", ");
template <typename Repeated>
std::string JoinAll(const Repeated& parts, const std::string& separator = ", ") {
  return Join(std::vector<std::string>(parts.begin(), parts.end()), separator);
}
// At most `max` characters, ending in "…" when cut; the first line only.
std::string Shorten(const std::string& text, size_t max);
// Characters (UTF-8 code points) on screen, ANSI escapes not counted.
size_t DisplayWidth(const std::string& text);

}  // namespace cadastre::cli
