// The cache of values derived from one state of the server: a value is
// found only at the stamp it was derived at, a newer stamp empties the
// cache, an older one is never kept, and the bound holds.
#include "server/common/stamped_cache.h"

#include <gtest/gtest.h>

namespace cadastre {
namespace {

std::shared_ptr<const std::string> Value(const std::string& text) {
  return std::make_shared<const std::string>(text);
}

TEST(StampedCacheTest, AValueIsFoundOnlyAtTheStampItWasDerivedAt) {
  StampedCache<std::string> cache(100);
  cache.Put("k", {2, 5}, Value("v"), 1);
  ASSERT_NE(cache.Find("k", {2, 5}), nullptr);
  EXPECT_EQ(*cache.Find("k", {2, 5}), "v");
  EXPECT_EQ(cache.Find("other", {2, 5}), nullptr);
  EXPECT_EQ(cache.Find("k", {4, 5}), nullptr);  // the store moved
  EXPECT_EQ(cache.Find("k", {2, 6}), nullptr);  // the second count moved
}

TEST(StampedCacheTest, ANewerStampEmptiesTheCacheAndAnOlderOneIsNotKept) {
  StampedCache<std::string> cache(100);
  cache.Put("a", {2, 0}, Value("old"), 1);
  cache.Put("b", {4, 0}, Value("new"), 1);
  EXPECT_EQ(cache.Find("a", {2, 0}), nullptr);
  EXPECT_EQ(cache.Find("a", {4, 0}), nullptr);
  ASSERT_NE(cache.Find("b", {4, 0}), nullptr);

  // A read that began before the last write finishes after it: its value
  // neither replaces nor joins the newer ones.
  cache.Put("late", {2, 0}, Value("stale"), 1);
  EXPECT_EQ(cache.Find("late", {2, 0}), nullptr);
  EXPECT_EQ(cache.Find("late", {4, 0}), nullptr);
  cache.Put("mixed", {6, 0}, Value("x"), 1);   // newer store,
  cache.Put("mixed2", {4, 1}, Value("y"), 1);  // but older second count
  EXPECT_NE(cache.Find("mixed", {6, 0}), nullptr);
  EXPECT_EQ(cache.Find("mixed2", {4, 1}), nullptr);
}

TEST(StampedCacheTest, WhenFullValuesWaitForTheNextStamp) {
  StampedCache<std::string> cache(10);
  cache.Put("a", {2, 0}, Value("a"), 6);
  cache.Put("b", {2, 0}, Value("b"), 6);  // 12 > 10: not kept
  EXPECT_NE(cache.Find("a", {2, 0}), nullptr);
  EXPECT_EQ(cache.Find("b", {2, 0}), nullptr);
  // The same key again costs nothing more and keeps the first value.
  cache.Put("a", {2, 0}, Value("again"), 6);
  EXPECT_EQ(*cache.Find("a", {2, 0}), "a");
  cache.Put("b", {4, 0}, Value("b"), 6);
  EXPECT_NE(cache.Find("b", {4, 0}), nullptr);
}

}  // namespace
}  // namespace cadastre
