// The CLI's CSV reader and writer (cli/csv.h) and the sync document's CSV
// form (cli/sync_document.h): quoting, round trips, and bad input named by line.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "csv.h"
#include "sync_document.h"

namespace cadastre::cli {
namespace {

using Json = nlohmann::json;

std::vector<std::vector<std::string>> Fields(const std::vector<CsvRow>& rows) {
  std::vector<std::vector<std::string>> fields;
  for (const CsvRow& row : rows) fields.push_back(row.fields);
  return fields;
}

TEST(CsvWriter, QuotesOnlyWhatMustBeQuoted) {
  EXPECT_EQ(CsvField("plain text"), "plain text");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\r"), "\"cr\r\"");
  EXPECT_EQ(CsvRecord({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST(CsvReader, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  const auto rows = ParseCsv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nlast,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Fields(*rows), (std::vector<std::vector<std::string>>{
                               {"a", "b", "c"}, {"x, y", "say \"hi\"", "two\nlines"}, {"last", "", ""}}));
  EXPECT_EQ((*rows)[0].line, 1);
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_EQ((*rows)[2].line, 4);  // the quoted line break counts
}

TEST(CsvReader, AcceptsLfCrlfNoFinalBreakAndAByteOrderMark) {
  const auto rows = ParseCsv("\xEF\xBB\xBFh1,h2\nv1,v2");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Fields(*rows), (std::vector<std::vector<std::string>>{{"h1", "h2"}, {"v1", "v2"}}));
  const auto empty = ParseCsv("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(CsvReader, RoundTripsWhatTheWriterWrites) {
  const std::vector<std::vector<std::string>> records = {
      {"namespace", "dataset", "column"},
      {"postgres://crm:5432", "public.customers", "a \"quoted\", comma\r\nand lines\n"},
      {"", "ünïcødé ✓", "|||"},
  };
  std::string text;
  for (const auto& record : records) text += CsvRecord(record);
  const auto rows = ParseCsv(text);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Fields(*rows), records);
}

TEST(CsvReader, NamesTheLineOfBadInput) {
  auto unbalanced = ParseCsv("a,b\nc,\"open\nmore\n");
  ASSERT_FALSE(unbalanced.ok());
  EXPECT_EQ(unbalanced.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(unbalanced.status().message(),
            "line 2: unbalanced quotes: the quoted field opened here never closes");

  auto stray = ParseCsv("a,b\nc,d\"e\n");
  ASSERT_FALSE(stray.ok());
  EXPECT_TRUE(absl::StartsWith(stray.status().message(), "line 2: a quote inside an unquoted field"))
      << stray.status();

  auto after = ParseCsv("a,b\n\"x\nx\"y,z\n");
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(absl::StartsWith(after.status().message(), "line 3: unexpected text after a closing quote"))
      << after.status();
}

constexpr char kDocument[] = R"({
  "formatVersion": 1,
  "datasets": [
    {"namespace": "postgres://crm:5432", "name": "public.customers", "description": "not in CSV",
     "columns": [
       {"name": "id", "type": "bigint", "glossaryTerms": ["Customer", "Key"]},
       {"name": "email", "type": "text", "description": "Where \"invoices\" go,\nline two",
        "tags": ["PII.Email", "Contact"]}
     ]},
    {"namespace": "warehouse", "name": "empty"},
    {"namespace": "warehouse", "name": "curated.customers", "columns": [{"name": "email_hash"}]}
  ]
})";

TEST(SyncCsv, ExportsOneRowPerColumnWithListsJoined) {
  EXPECT_EQ(DocumentToCsv(Json::parse(kDocument)),
            "namespace,dataset,column,type,description,tags,glossaryTerms\r\n"
            "postgres://crm:5432,public.customers,id,bigint,,,Customer|Key\r\n"
            "postgres://crm:5432,public.customers,email,text,\"Where \"\"invoices\"\" go,\nline two\","
            "PII.Email|Contact,\r\n"
            "warehouse,curated.customers,email_hash,,,,\r\n");
}

TEST(SyncCsv, RowsBecomeADiffDocumentOfTheNamedColumns) {
  const std::string csv = DocumentToCsv(Json::parse(kDocument));
  const auto document = CsvToDocument(csv, "cols.csv");
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_EQ(*document, Json::parse(R"({
    "formatVersion": 1,
    "datasets": [
      {"namespace": "postgres://crm:5432", "name": "public.customers", "columns": [
        {"name": "id", "type": "bigint", "description": "", "tags": [], "glossaryTerms": ["Customer", "Key"]},
        {"name": "email", "type": "text", "description": "Where \"invoices\" go,\nline two",
         "tags": ["PII.Email", "Contact"], "glossaryTerms": []}]},
      {"namespace": "warehouse", "name": "curated.customers", "columns": [
        {"name": "email_hash", "type": "", "description": "", "tags": [], "glossaryTerms": []}]}
    ]})"));
  // And back: the same CSV.
  EXPECT_EQ(DocumentToCsv(*document), csv);
}

TEST(SyncCsv, AHeaderSubsetTouchesOnlyThoseAttributes) {
  const auto document = CsvToDocument(
      "dataset,column,namespace,description\n"
      "public.customers,email,postgres://crm:5432,Billing address\n"
      "\n"
      "public.orders,id,postgres://crm:5432,\n"
      "public.customers,id,postgres://crm:5432, spaces kept \n",
      "d.csv");
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_EQ(*document, Json::parse(R"({"formatVersion": 1, "datasets": [
    {"namespace": "postgres://crm:5432", "name": "public.customers", "columns": [
      {"name": "email", "description": "Billing address"}, {"name": "id", "description": " spaces kept "}]},
    {"namespace": "postgres://crm:5432", "name": "public.orders", "columns": [
      {"name": "id", "description": ""}]}]})"));
}

TEST(SyncCsv, ListCellsAreTrimmedAndEmptyItemsDropped) {
  const auto document = CsvToDocument("namespace,dataset,column,tags\nns,d,c, PII.Email || Finance |\n", "t.csv");
  ASSERT_TRUE(document.ok()) << document.status();
  EXPECT_EQ((*document)["datasets"][0]["columns"][0]["tags"], Json::parse(R"(["PII.Email", "Finance"])"));
}

TEST(SyncCsv, BadFilesAreNamedByLine) {
  auto error = [](const std::string& csv) {
    const auto document = CsvToDocument(csv, "f.csv");
    EXPECT_FALSE(document.ok()) << csv;
    EXPECT_EQ(document.status().code(), absl::StatusCode::kInvalidArgument);
    return std::string(document.status().message());
  };
  EXPECT_EQ(error(""),
            "f.csv: empty; the first line must be the header "
            "namespace,dataset,column,type,description,tags,glossaryTerms");
  EXPECT_EQ(error("namespace,dataset,colum\n"),
            "f.csv: line 1: unknown header \"colum\" (expected "
            "namespace,dataset,column,type,description,tags,glossaryTerms, or a subset with namespace, "
            "dataset and column)");
  EXPECT_EQ(error("namespace,dataset,type\n"),
            "f.csv: line 1: the header lacks \"column\" (expected "
            "namespace,dataset,column,type,description,tags,glossaryTerms)");
  EXPECT_EQ(error("namespace,dataset,column,tags,tags\n"), "f.csv: line 1: the header names \"tags\" twice");
  EXPECT_EQ(error("namespace,dataset,column\nns,d\n"), "f.csv: line 2: 2 fields, but the header has 3");
  EXPECT_EQ(error("namespace,dataset,column\nns,,c\n"), "f.csv: line 2: the dataset is empty");
  EXPECT_EQ(error("namespace,dataset,column\nns,d,c\nns,d,x\nns,d,c\n"),
            "f.csv: line 4: column c of ns d is already on line 2");
  EXPECT_EQ(error("namespace,dataset,column,description\nns,d,c,\"never closed\nns,d,x,y\n"),
            "f.csv: line 2: unbalanced quotes: the quoted field opened here never closes");
}

TEST(SyncDocument, CanonicalOrderFollowsTheSchema) {
  const Json document = Json::parse(R"({
    "lineage": [{"type": "DIRECT", "target": {"field": "f", "dataset": "d", "namespace": "n"},
                 "source": {"field": "a", "namespace": "n", "dataset": "s"}, "job": {"name": "j", "namespace": "x"}}],
    "datasets": [{"columns": [{"tags": [], "name": "c"}], "name": "d", "namespace": "n",
                  "customProperties": {"z": "1", "a": "2"}, "zExtra": true}],
    "formatVersion": 1})");
  EXPECT_EQ(DocumentText(document),
            R"({
  "formatVersion": 1,
  "datasets": [
    {
      "namespace": "n",
      "name": "d",
      "customProperties": {
        "a": "2",
        "z": "1"
      },
      "columns": [
        {
          "name": "c",
          "tags": []
        }
      ],
      "zExtra": true
    }
  ],
  "lineage": [
    {
      "job": {
        "namespace": "x",
        "name": "j"
      },
      "source": {
        "namespace": "n",
        "dataset": "s",
        "field": "a"
      },
      "target": {
        "namespace": "n",
        "dataset": "d",
        "field": "f"
      },
      "type": "DIRECT"
    }
  ]
}
)");
}

TEST(SyncDocument, StructNumbersThatAreWholeBecomeIntegers) {
  google::protobuf::Struct document;
  (*document.mutable_fields())["formatVersion"].set_number_value(1);
  (*document.mutable_fields())["ratio"].set_number_value(0.5);
  (*document.mutable_fields())["flag"].set_bool_value(true);
  auto& list = *(*document.mutable_fields())["datasets"].mutable_list_value();
  (*list.add_values()->mutable_struct_value()->mutable_fields())["name"].set_string_value("d");
  EXPECT_EQ(JsonOfStruct(document).dump(), R"({"datasets":[{"name":"d"}],"flag":true,"formatVersion":1,"ratio":0.5})");
}

}  // namespace
}  // namespace cadastre::cli
