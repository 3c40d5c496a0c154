// The web UI's files, embedded at build time (web/ui and the graph libraries
// it takes from npm; see server/web/CMakeLists.txt and docs/ui.md).
//
// They are served without a token, like /healthz: they hold no metadata.
// Everything the UI shows comes from /api/v1 calls that carry the signed-in
// principal's token and are authenticated, authorised and audited as usual.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cadastre::web {

struct Asset {
  std::string_view content;
  std::string_view content_type;   // with charset for text
  std::string_view cache_control;  // "no-cache": revalidate with the ETag
  std::string etag;                // quoted; changes whenever content does
};

// Whether the UI owns `path` (no query): "/", "/index.html" and "/ui/...".
// Every other path belongs to the API, /healthz and /metrics.
bool IsUiPath(std::string_view path);

// The file served at `path`: "/" and "/index.html" are the page, "/ui/<name>"
// the file web/ui/<name> (or a library, "/ui/vendor/<name>"). nullptr for any
// other path, including names with "..": only embedded names ever match.
const Asset* FindAsset(std::string_view path);

// Headers every UI answer carries, 404s included: a strict
// Content-Security-Policy (no inline script or style, no other origin),
// nosniff, no framing, no referrer.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

}  // namespace cadastre::web
