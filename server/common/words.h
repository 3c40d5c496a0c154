// Words of names and queries, as the search index sees them: what FTS5's
// unicode61 tokenizer would make of a text (lower-case runs of letters and
// digits), plus the words hidden inside identifiers, and how far apart two
// words are for correcting a misspelling.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cadastre {

// Lower-case runs of ASCII letters and digits; any other byte of ASCII
// separates words, and bytes of multi-byte UTF-8 characters stay inside
// words (the tokenizer folds those itself).
std::vector<std::string> Words(std::string_view text);

// The words inside an identifier that the tokenizer would not split:
// "customerId" -> "customer Id", "HTTPServer2" -> "HTTP Server 2". Empty when
// there are none beyond what Words already finds.
std::string IdentifierWords(std::string_view identifier);

// The optimal-string-alignment distance between a and b (insertions,
// deletions, substitutions and swaps of two neighbours each cost one), or
// max + 1 when it is above max. Stops early once the bound is exceeded.
int EditDistance(std::string_view a, std::string_view b, int max);

}  // namespace cadastre
