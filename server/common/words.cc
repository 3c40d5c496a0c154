#include "server/common/words.h"

#include <algorithm>
#include <cctype>

namespace cadastre {
namespace {

bool IsWordByte(unsigned char c) { return c >= 0x80 || std::isalnum(c) != 0; }

enum class Kind { kLower, kUpper, kDigit, kOther };

Kind KindOf(unsigned char c) {
  if (std::islower(c)) return Kind::kLower;
  if (std::isupper(c)) return Kind::kUpper;
  if (std::isdigit(c)) return Kind::kDigit;
  return Kind::kOther;
}

}  // namespace

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (unsigned char c : text) {
    if (IsWordByte(c)) {
      word.push_back(c < 0x80 ? static_cast<char>(std::tolower(c)) : static_cast<char>(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::string IdentifierWords(std::string_view identifier) {
  std::string out;
  bool split = false;  // whether any word boundary inside a token was found
  size_t i = 0;
  while (i < identifier.size()) {
    unsigned char c = identifier[i];
    if (!IsWordByte(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
      ++i;
      continue;
    }
    if (!out.empty() && out.back() != ' ' && i > 0) {
      Kind prev = KindOf(identifier[i - 1]);
      Kind here = KindOf(c);
      Kind next = i + 1 < identifier.size() ? KindOf(identifier[i + 1]) : Kind::kOther;
      // aB, a1, 1a, and the last capital of a run before a lower-case
      // letter (HTTPServer: HTTP | Server).
      bool boundary = (prev == Kind::kLower && here == Kind::kUpper) ||
                      (prev != Kind::kDigit && here == Kind::kDigit && prev != Kind::kOther) ||
                      (prev == Kind::kDigit && here != Kind::kDigit && here != Kind::kOther) ||
                      (prev == Kind::kUpper && here == Kind::kUpper && next == Kind::kLower);
      if (boundary) {
        out.push_back(' ');
        split = true;
      }
    }
    out.push_back(static_cast<char>(c));
    ++i;
  }
  if (!split) return "";
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

int EditDistance(std::string_view a, std::string_view b, int max) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > max) return max + 1;
  // Three rows of the dynamic-programming table: two back for swaps.
  std::vector<int> before(m + 1), previous(m + 1), current(m + 1);
  for (int j = 0; j <= m; ++j) previous[j] = j;
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_min = current[0];
    for (int j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int best = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, before[j - 2] + 1);
      }
      current[j] = best;
      row_min = std::min(row_min, best);
    }
    if (row_min > max) return max + 1;
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return std::min(previous[m], max + 1);
}

}  // namespace cadastre
