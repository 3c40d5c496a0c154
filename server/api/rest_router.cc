#include "server/api/rest_router.h"
#include "server/common/strings.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "server/common/status.h"

namespace cadastre::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(Absl(path), '/')) out.emplace_back(part);
  // "/a/b" splits into "", "a", "b"; a trailing slash adds one more "".
  if (!out.empty() && out.front().empty()) out.erase(out.begin());
  return out;
}

bool IsParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

absl::StatusOr<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? HexValue(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return InvalidField("path", "malformed percent-encoding");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

void Router::Add(Route route) {
  segments_.push_back(SplitPath(route.pattern));
  routes_.push_back(std::move(route));
}

absl::StatusOr<RouteMatch> Router::Match(std::string_view method,
                                         std::string_view raw_path) const {
  std::vector<std::string> raw = SplitPath(raw_path);
  std::vector<std::string> decoded;
  decoded.reserve(raw.size());
  for (const std::string& segment : raw) {
    ASSIGN_OR_RETURN(std::string value, PercentDecode(segment));
    decoded.push_back(std::move(value));
  }
  bool path_known = false;
  for (size_t r = 0; r < routes_.size(); r++) {
    const std::vector<std::string>& pattern = segments_[r];
    if (pattern.size() != decoded.size()) continue;
    RouteMatch match;
    bool ok = true;
    for (size_t i = 0; i < pattern.size() && ok; i++) {
      if (IsParam(pattern[i])) {
        if (decoded[i].empty()) ok = false;
        match.path_params[pattern[i].substr(1, pattern[i].size() - 2)] = decoded[i];
      } else {
        ok = pattern[i] == decoded[i];
      }
    }
    if (!ok) continue;
    path_known = true;
    if (routes_[r].method != method) continue;
    match.route = &routes_[r];
    return match;
  }
  if (path_known) {
    return absl::UnimplementedError(
        absl::StrCat("method ", Absl(method), " is not allowed on ", Absl(raw_path)));
  }
  return absl::NotFoundError(absl::StrCat("no route for ", Absl(method), " ", Absl(raw_path)));
}

}  // namespace cadastre::api
