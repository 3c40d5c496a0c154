// REST requests that must be refused: malformed JSON, wrong types, unknown
// fields and enum values, invalid names, oversized bodies, bad paging. After
// each one the test checks that nothing changed and the server still lives.

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "json_match.h"
#include "rest_fixture.h"
#include "rest_routes.h"

namespace cadastre::testing {
namespace {

// ------------------------------------------------------- bad JSON bodies

TEST_F(RestTest, MalformedJsonIsRejectedAndChangesNothing) {
  const auto watch = Seed("rest-malformed");
  const std::string path = DatasetPath("rest-malformed", "orders");
  for (const std::string body :
       {R"({"fields": [)", "not json", R"({"description": "x",})",
        R"({"description": "x"} trailing)", "[]", R"("a string")", "42",
        R"({"description": "unterminated)", R"({"description": 'single'})",
        R"({"fields": [{"name": "id"}}])"}) {
    ExpectRejected("PUT", path, body, 400, "INVALID_ARGUMENT", {"body"}, watch);
  }
  // JSON text must be UTF-8 (RFC 8259).
  ExpectRejected("PUT", path, "{\"description\": \"a\xff\xfe b\"}", 400,
                 "INVALID_ARGUMENT", {"body", "description"}, watch);
}

TEST_F(RestTest, WrongJsonTypesAreRejectedAndChangeNothing) {
  const auto watch = Seed("rest-types");
  const std::string path = DatasetPath("rest-types", "orders");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"description": 5})", "description"},
      {R"({"description": {"text": "x"}})", "description"},
      {R"({"fields": "id"})", "fields"},
      {R"({"fields": [{"name": 1}]})", "fields[0].name"},
      {R"({"fields": [{"name": "id", "nullable": 1}]})",
       "fields[0].nullable"},
      {R"({"fields": [{"name": "id", "ordinalPosition": "first"}]})",
       "fields[0].ordinalPosition"},
      {R"({"tags": "PII"})", "tags"},
      {R"({"tags": [1]})", "tags[0]"},
      {R"({"customProperties": ["tier"]})", "customProperties"},
      {R"({"customProperties": {"tier": 1}})", "customProperties.tier"},
      {R"({"owners": {"name": "alice"}})", "owners"},
      {R"({"type": 3.5})", "type"},
  };
  for (const auto& [body, json_path] : cases) {
    ExpectRejected("PUT", path, body, 400, "INVALID_ARGUMENT",
                   {"body", json_path}, watch);
  }
  // And on a namespace, a tag and a term.
  ExpectRejected("PUT", NamespacePath("rest-types"), R"({"ownerName": 7})",
                 400, "INVALID_ARGUMENT", {"body", "ownerName"}, watch);
  ExpectRejected("PUT", "/api/v1/tags/RestTypes", R"({"propagate": "yes"})",
                 400, "INVALID_ARGUMENT", {"body", "propagate"}, watch);
  ExpectRejected("PUT", "/api/v1/glossary/terms/RestTypes",
                 R"({"synonyms": "x"})", 400, "INVALID_ARGUMENT",
                 {"body", "synonyms"}, watch);
}

TEST_F(RestTest, UnknownJsonFieldsAreRejectedAndChangeNothing) {
  const auto watch = Seed("rest-unknown");
  const std::string path = DatasetPath("rest-unknown", "orders");
  ExpectRejected("PUT", path, R"({"description": "x", "bogus": 1})", 400,
                 "INVALID_ARGUMENT", {"body", "bogus"}, watch);
  ExpectRejected("PUT", path, R"({"fields": [{"name": "id", "colour": "red"}]})",
                 400, "INVALID_ARGUMENT", {"body", "fields[0].colour"}, watch);
  ExpectRejected("PUT", path,
                 R"({"owners": [{"name": "alice", "email": "a@x"}]})", 400,
                 "INVALID_ARGUMENT", {"body", "owners[0].email"}, watch);
  ExpectRejected("PUT", "/api/v1/tags/RestUnknown", R"({"colour": "red"})", 400,
                 "INVALID_ARGUMENT", {"body", "colour"}, watch);
}

TEST_F(RestTest, UnknownEnumValuesAreRejectedAndChangeNothing) {
  const auto watch = Seed("rest-enums");
  const std::string path = DatasetPath("rest-enums", "orders");
  ExpectRejected("PUT", path, R"({"type": "NOPE"})", 400, "INVALID_ARGUMENT",
                 {"body", "type"}, watch);
  ExpectRejected("PUT", path, R"({"type": "db_table"})", 400,
                 "INVALID_ARGUMENT", {"body", "type"}, watch);
  ExpectRejected("PUT", path, R"({"owners": [{"name": "a", "role": "KING"}]})",
                 400, "INVALID_ARGUMENT", {"body", "owners[0].role"}, watch);
  ExpectRejected("PUT", path, R"({"owners": [{"name": "a", "type": "ROBOT"}]})",
                 400, "INVALID_ARGUMENT", {"body", "owners[0].type"}, watch);
  ExpectRejected("PUT", "/api/v1/glossary/terms/RestEnums",
                 R"({"status": "FINAL"})", 400, "INVALID_ARGUMENT",
                 {"body", "status"}, watch);
}

// ------------------------------------------------------------------ names

TEST_F(RestTest, InvalidNamesAreRejectedAndChangeNothing) {
  const std::string ns = "rest-names";
  const auto watch = Seed(ns);
  const std::string long_name(1025, 'n');
  struct Case {
    std::string method, path, body, field;
  };
  std::vector<Case> cases;
  for (const std::string& bad : std::vector<std::string>{
           std::string(" orders"), std::string("orders "), std::string("ord\x07" "ers"),
        std::string("ord\ters"), std::string("ord\x7f" "ers"),
        std::string("line\nbreak"), std::string("\xc3\x28"),
        std::string("\xff"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"), long_name}) {
    cases.push_back({"PUT", DatasetPath(ns, bad), "{}", "name"});
    cases.push_back({"PUT", NamespacePath(bad), "{}", "name"});
    cases.push_back({"PUT", DatasetPath(bad, "orders"), "{}", "namespace"});
    cases.push_back({"PUT", "/api/v1/glossary/terms/" + PercentEncode(bad),
                     "{}", "name"});
  }
  for (const json& fields :
       {json::parse(R"([{"name": ""}])"), json::parse(R"([{"name": " id"}])"),
        json::parse(R"([{"name": "id "}])"),
        json::parse(R"([{"name": "i\u0001d"}])"),
        json{{{"name", "ok"}}, {{"name", long_name}}}}) {
    const std::string field =
        fields.size() == 2 ? "fields[1].name" : "fields[0].name";
    cases.push_back({"PUT", DatasetPath(ns, "orders"),
                     json{{"fields", fields}}.dump(), field});
  }
  for (const std::string& bad_tag : std::vector<std::string>{
           "PII..Email", ".PII", "PII.", "PII Email", "PII/Email", "PII:Email",
        "Zähler", "a.$", std::string(257, 't')}) {
    cases.push_back({"PUT", "/api/v1/tags/" + PercentEncode(bad_tag), "{}",
                     "name"});
  }
  for (const Case& c : cases) {
    ExpectRejected(c.method, c.path, c.body, 400, "INVALID_ARGUMENT", {c.field},
                   watch);
  }
}

TEST_F(RestTest, LongestValidNamesAreAccepted) {
  const std::string ns(1024, 'n');
  PutOk(NamespacePath(ns), json::object());
  std::string two_byte_name;  // 512 × "ä" = 1024 bytes, 512 characters
  for (int i = 0; i < 512; ++i) two_byte_name += "\xc3\xa4";
  PutOk(DatasetPath(ns, two_byte_name),
        {{"fields", {{{"name", std::string(1024, 'f')}}}}});
  const Reply got = Get(DatasetPath(ns, two_byte_name));
  ASSERT_EQ(got.status, 200) << got.Describe().substr(0, 300);
  EXPECT_EQ(got.parsed.value("name", ""), two_byte_name);
  PutOk("/api/v1/tags/" + std::string(256, 't'), json::object());
  // One byte more is too long, even when it is one character more.
  const Reply too_long =
      Send("PUT", DatasetPath(ns, two_byte_name + "a"), "{}");
  ExpectErrorBody(too_long, 400, "INVALID_ARGUMENT", {"name"});
}

TEST_F(RestTest, DuplicateFieldNamesAreRejectedAndChangeNothing) {
  const auto watch = Seed("rest-dupes");
  ExpectRejected(
      "PUT", DatasetPath("rest-dupes", "orders"),
      R"({"fields": [{"name": "id"}, {"name": "id", "type": "TEXT"}]})", 400,
      "INVALID_ARGUMENT", {"fields[1].name"}, watch);
  ExpectRejected("PUT", DatasetPath("rest-dupes", "orders"),
                 R"({"fields": [{"name": "a"}, {"name": "b"}, {"name": "a"}]})",
                 400, "INVALID_ARGUMENT", {"fields[2].name"}, watch);
}

TEST_F(RestTest, UnknownTagsAndTermsInTheBodyAreRejected) {
  const auto watch = Seed("rest-refs");
  const std::string path = DatasetPath("rest-refs", "orders");
  ExpectRejected("PUT", path, R"({"tags": ["NoSuchTag"]})", 400,
                 "INVALID_ARGUMENT", {"tags[0]"}, watch);
  ExpectRejected("PUT", path,
                 R"({"fields": [{"name": "id", "tags": ["NoSuchTag"]}]})", 400,
                 "INVALID_ARGUMENT", {"fields[0].tags[0]"}, watch);
  ExpectRejected(
      "PUT", path,
      R"({"fields": [{"name": "id"}, {"name": "e", "glossaryTerms": ["No Such Term"]}]})",
      400, "INVALID_ARGUMENT", {"fields[1].glossaryTerms[0]"}, watch);
}

// ------------------------------------------------------------- body limit

TEST_F(RestTest, BodyOverTheLimitIs413AndChangesNothing) {
  const auto watch = Seed("rest-limit");
  const std::string path = DatasetPath("rest-limit", "orders");
  // {"description":"xxx…"} of exactly `size` bytes.
  auto body_of_size = [](size_t size) {
    const std::string frame = R"({"description":""})";
    return R"({"description":")" + std::string(size - frame.size(), 'x') +
           R"("})";
  };
  ExpectRejected("PUT", path, body_of_size(kMaxBodyBytes + 1), 413,
                 "RESOURCE_EXHAUSTED", {}, watch);
  ExpectRejected("PUT", path, body_of_size(4 * kMaxBodyBytes), 413,
                 "RESOURCE_EXHAUSTED", {}, watch);
  // Exactly at the limit is allowed.
  const Reply at_limit = Send("PUT", path, body_of_size(kMaxBodyBytes));
  ASSERT_EQ(at_limit.status, 200) << at_limit.Describe().substr(0, 300);
  EXPECT_EQ(at_limit.parsed.value("description", "").size(),
            kMaxBodyBytes - std::string(R"({"description":""})").size());
}

// ---------------------------------------------------------------- paging

TEST_F(RestTest, BadPagingParametersAreRejected) {
  const auto watch = Seed("rest-paging");
  for (const std::string& list : std::vector<std::string>{
           "/api/v1/namespaces", NamespacePath("rest-paging") + "/datasets",
        DatasetPath("rest-paging", "orders") + "/versions"}) {
    for (const auto& [query, field] :
         std::vector<std::pair<std::string, std::string>>{
             {"limit=0", "limit"},
             {"limit=1001", "limit"},
             {"limit=-1", "limit"},
             {"limit=abc", "limit"},
             {"limit=99999999999999999999", "limit"},
             {"offset=-1", "offset"},
             {"offset=x", "offset"}}) {
      ExpectRejected("GET", list + "?" + query, "", 400, "INVALID_ARGUMENT",
                     {field}, watch);
    }
    const Reply ok = Get(list + "?limit=1000&offset=0");
    EXPECT_EQ(ok.status, 200) << list << ": " << ok.Describe();
  }
}

}  // namespace
}  // namespace cadastre::testing
