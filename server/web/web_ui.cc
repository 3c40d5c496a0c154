#include "server/web/web_ui.h"

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <map>

#include "cadastre_web_files.h"

namespace cadastre::web {
namespace {

constexpr std::string_view kUiPrefix = "/ui/";

std::string_view ContentTypeOf(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},        {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},   {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},                    {".json", "application/json"},
      {".png", "image/png"},                        {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [suffix, type] : kTypes) {
    if (name.ends_with(suffix)) return type;
  }
  return "application/octet-stream";
}

// FNV-1a, 64 bits: a validator, not a security measure (the content is public).
std::string EtagOf(std::string_view content) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char etag[48];
  std::snprintf(etag, sizeof etag, "\"%016" PRIx64 "-%zx\"", hash, content.size());
  return etag;
}

const std::map<std::string, Asset, std::less<>>& Assets() {
  static const auto* assets = [] {
    auto* map = new std::map<std::string, Asset, std::less<>>();
    for (const EmbeddedFile& file : EmbeddedUiFiles()) {
      (*map)[std::string(file.name)] =
          Asset{file.content, ContentTypeOf(file.name), "no-cache", EtagOf(file.content)};
    }
    return map;
  }();
  return *assets;
}

}  // namespace

bool IsUiPath(std::string_view path) {
  return path == "/" || path == "/index.html" || path.starts_with(kUiPrefix);
}

const Asset* FindAsset(std::string_view path) {
  std::string_view name;
  if (path == "/" || path == "/index.html") {
    name = "index.html";
  } else if (path.starts_with(kUiPrefix)) {
    name = path.substr(kUiPrefix.size());
  } else {
    return nullptr;
  }
  const auto& assets = Assets();
  const auto it = assets.find(name);
  return it == assets.end() ? nullptr : &it->second;
}

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders() {
  static const auto* headers = new std::vector<std::pair<std::string, std::string>>{
      // Cytoscape's one <style> element is pre-empted by the page (see
      // web/ui/index.html), so no 'unsafe-inline' is needed anywhere.
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return *headers;
}

}  // namespace cadastre::web
