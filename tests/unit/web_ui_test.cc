#include "server/web/web_ui.h"

#include <gtest/gtest.h>

namespace cadastre::web {
namespace {

TEST(WebUi, ServesThePageAtTheRoot) {
  const Asset* page = FindAsset("/");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_NE(page->content.find("/ui/app.js"), std::string_view::npos);
  EXPECT_EQ(FindAsset("/index.html"), page);
  EXPECT_EQ(page->cache_control, "no-cache");
}

TEST(WebUi, ServesModulesStylesAndTheGraphLibrary) {
  const Asset* app = FindAsset("/ui/app.js");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->content_type, "text/javascript; charset=utf-8");
  ASSERT_NE(FindAsset("/ui/pages/lineage.js"), nullptr);
  const Asset* css = FindAsset("/ui/app.css");
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(css->content_type, "text/css; charset=utf-8");
  const Asset* cytoscape = FindAsset("/ui/vendor/cytoscape.esm.min.mjs");
  ASSERT_NE(cytoscape, nullptr);
  EXPECT_EQ(cytoscape->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(cytoscape->content.size(), 100000u);
  ASSERT_NE(FindAsset("/ui/vendor/cytoscape-dagre.min.mjs"), nullptr);
}

TEST(WebUi, EtagsAreQuotedAndDifferPerFile) {
  const Asset* app = FindAsset("/ui/app.js");
  const Asset* css = FindAsset("/ui/app.css");
  ASSERT_NE(app, nullptr);
  ASSERT_NE(css, nullptr);
  EXPECT_EQ(app->etag.front(), '"');
  EXPECT_EQ(app->etag.back(), '"');
  EXPECT_NE(app->etag, css->etag);
}

TEST(WebUi, OnlyEmbeddedNamesMatch) {
  EXPECT_EQ(FindAsset("/ui/"), nullptr);
  EXPECT_EQ(FindAsset("/ui/nope.js"), nullptr);
  EXPECT_EQ(FindAsset("/ui/../api/v1/me"), nullptr);
  EXPECT_EQ(FindAsset("/ui//app.js"), nullptr);
  EXPECT_EQ(FindAsset("/api/v1/me"), nullptr);
  EXPECT_EQ(FindAsset("/healthz"), nullptr);
}

TEST(WebUi, TheUiOwnsOnlyItsPaths) {
  EXPECT_TRUE(IsUiPath("/"));
  EXPECT_TRUE(IsUiPath("/index.html"));
  EXPECT_TRUE(IsUiPath("/ui/app.js"));
  EXPECT_FALSE(IsUiPath("/api/v1/me"));
  EXPECT_FALSE(IsUiPath("/healthz"));
  EXPECT_FALSE(IsUiPath("/metrics"));
  EXPECT_FALSE(IsUiPath("/uix"));
}

TEST(WebUi, EveryAnswerCarriesAStrictContentSecurityPolicy) {
  std::string csp;
  for (const auto& [name, value] : SecurityHeaders()) {
    if (name == "Content-Security-Policy") csp = value;
  }
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
}

}  // namespace
}  // namespace cadastre::web
