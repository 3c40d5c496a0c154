#include "server/catalog/history.h"

#include <gtest/gtest.h>

#include "google/protobuf/util/json_util.h"

namespace cadastre::catalog {
namespace {

v1::Dataset Make(const char* json) {
  v1::Dataset d;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &d).ok()) << json;
  return d;
}

std::vector<std::string> Paths(const std::vector<v1::FieldChange>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(c.path());
  return out;
}

TEST(Diff, NothingChangedIsEmpty) {
  v1::Dataset a = Make(R"({"description":"x","fields":[{"name":"a","type":"int"}]})");
  EXPECT_TRUE(Diff(&a, a).empty());
}

TEST(Diff, CreationListsEverySetAttribute) {
  v1::Dataset a = Make(R"({"description":"x","domain":"crm"})");
  EXPECT_EQ(Paths(Diff(nullptr, a)), (std::vector<std::string>{"description", "domain"}));
}

TEST(Diff, FieldsAreMatchedByNameNotPosition) {
  v1::Dataset before = Make(R"({"fields":[{"name":"a","type":"int"},{"name":"b","type":"text"}]})");
  v1::Dataset after = Make(
      R"({"fields":[{"name":"b","type":"text","tags":["PII"]},{"name":"a","type":"bigint"},{"name":"c"}]})");
  auto changes = Diff(&before, after);
  EXPECT_EQ(Paths(changes),
            (std::vector<std::string>{"fields[a].type", "fields[b].tags", "fields[c]"}));
  EXPECT_EQ(changes[0].before().string_value(), "int");
  EXPECT_EQ(changes[0].after().string_value(), "bigint");
  EXPECT_FALSE(changes[1].has_before());
  EXPECT_FALSE(changes[2].has_before());
}

TEST(Diff, MapsAndRemovals) {
  v1::Dataset before = Make(R"({"description":"x","customProperties":{"tier":"gold"}})");
  v1::Dataset after = Make(R"({"customProperties":{"tier":"silver","sla":"1d"}})");
  auto changes = Diff(&before, after);
  EXPECT_EQ(Paths(changes),
            (std::vector<std::string>{"customProperties.tier", "customProperties.sla", "description"}));
  EXPECT_FALSE(changes[2].has_after());
}

}  // namespace
}  // namespace cadastre::catalog

namespace cadastre::catalog {
namespace {

TEST(Diff, LastMapEntryAndLastFieldRemovedReadLikeAnyRemoval) {
  v1::Dataset before = Make(R"({"customProperties":{"tier":"gold"},"fields":[{"name":"a"}]})");
  v1::Dataset after = Make(R"({})");
  auto changes = Diff(&before, after);
  EXPECT_EQ(Paths(changes), (std::vector<std::string>{"customProperties.tier", "fields[a]"}));
  EXPECT_EQ(changes[0].before().string_value(), "gold");
  EXPECT_FALSE(changes[0].has_after());
  // And back: each entry is its own change, not one whole map.
  EXPECT_EQ(Paths(Diff(&after, before)),
            (std::vector<std::string>{"customProperties.tier", "fields[a]"}));
}

}  // namespace
}  // namespace cadastre::catalog
