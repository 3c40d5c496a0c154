// Search against the real server, over REST and gRPC, on a fixed catalog:
// exact names rank first, misspelt words and prefixes find what was meant,
// facets count right (and ignore their own filter), hidden assets are
// never returned nor counted, highlights are escaped, the index follows
// every write (API, OpenLineage ingestion, deletes, renames of columns),
// Marquez's /search answers its own shape, and bad input names its field.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "rest_routes.h"
#include "rpc_transport.h"
#include "server_process.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

using nlohmann::json;

constexpr char kCrm[] = "postgres://crm:5432";
constexpr char kHr[] = "postgres://hr:5432";

json Column(const std::string& name, const std::string& description = "",
            std::vector<std::string> tags = {}, std::vector<std::string> terms = {}) {
  return {{"name", name},
          {"type", "varchar"},
          {"description", description},
          {"tags", tags},
          {"glossaryTerms", terms}};
}

json Dataset(const std::string& domain, const std::string& description, json fields,
             const std::string& owner = "team:crm", std::vector<std::string> tags = {}) {
  return {{"description", description},
          {"domain", domain},
          {"fields", std::move(fields)},
          {"tags", tags},
          {"owners", json::array({{{"name", owner}, {"type", "TEAM"}}})}};
}

// The catalog every read-only test searches. Written as root.
std::string Seed(RpcTransport& root) {
  std::string errors;
  auto must = [&](std::string_view rpc, const json& request) {
    CallResult result = root.Call(rpc, request);
    if (result.code != "OK") {
      errors += std::string(rpc) + " " + request.dump() + ": " + result.code + " " + result.message + "\n";
    }
    return result.body;
  };
  must("CatalogService.PutTag", {{"name", "PII"}, {"tag", json::object()}});
  must("CatalogService.PutTag", {{"name", "PII.Email"}, {"tag", json::object()}});
  must("CatalogService.PutTag", {{"name", "Finance"}, {"tag", json::object()}});
  must("GlossaryService.PutTerm",
       {{"name", "Customer"}, {"term", {{"definition", "A person or company that buys from us."}}}});
  must("GlossaryService.PutTerm",
       {{"name", "Revenue"}, {"term", {{"definition", "Income from sales, before costs."}}}});
  must("CatalogService.PutNamespace", {{"name", kCrm}, {"namespace", json::object()}});
  must("CatalogService.PutNamespace", {{"name", kHr}, {"namespace", json::object()}});
  auto put = [&](const char* ns, const std::string& name, const json& dataset) {
    must("CatalogService.PutDataset", {{"namespace", ns}, {"name", name}, {"dataset", dataset}});
  };
  put(kCrm, "public.customers",
      Dataset("sales", "Everyone who ever bought something, one row per customer.",
              json::array({Column("customer_id", "Surrogate key", {}, {"Customer"}),
                           Column("email", "Where receipts go", {"PII.Email"}),
                           Column("full_name", "", {"PII"})})));
  put(kCrm, "public.orders",
      Dataset("sales", "Orders as placed in the web shop.",
              json::array({Column("order_id"), Column("customer_id", "", {}, {"Customer"}),
                           Column("amount", "Order total", {"Finance"}, {"Revenue"})})));
  // Says "orders" more often than the orders table itself does.
  put(kCrm, "order_archive_notes",
      Dataset("sales", "orders orders orders: notes about old orders and orders returned",
              json::array({Column("note")}), "team:support"));
  put(kCrm, "invoiceLineItems",
      Dataset("finance", "Invoice lines <b>bold</b> & more",
              json::array({Column("lineAmount", "", {"Finance"})}), "team:finance",
              {"Finance"}));
  // Hidden from callers scoped to "sales".
  put(kHr, "salaries_secret",
      Dataset("hr", "Salaries per employee; customer contacts of HR.",
              json::array({Column("employee_email", "", {"PII.Email"}), Column("salary")}),
              "team:hr"));
  // A job with SQL, through OpenLineage.
  const json event = {
      {"eventType", "COMPLETE"},
      {"eventTime", "2026-01-01T00:00:00Z"},
      {"producer", "https://example.com/search-test"},
      {"run", {{"runId", "01890000-0000-7000-8000-000000000001"}}},
      {"job",
       {{"namespace", "airflow"},
        {"name", "load_daily_revenue"},
        {"facets", {{"sql", {{"query", "INSERT INTO revenue SELECT sum(amount) FROM orders"}}}}}}},
      {"inputs", json::array({{{"namespace", kCrm}, {"name", "public.orders"}}})},
      {"outputs", json::array()}};
  must("LineageService.IngestLineage", {{"event", event.dump()}});
  must("AccessService.PutPrincipal",
       {{"name", "sales-analyst"},
        {"principal", {{"kind", "user"}, {"roles", {"analyst"}}, {"domains", {"sales"}}}}});
  return errors;
}

class SearchTest : public SuiteServerTest<SearchTest>,
                   public ::testing::WithParamInterface<std::string> {
 public:
  static void SetUpTestSuite() {
    SuiteServerTest<SearchTest>::SetUpTestSuite();
    if (!server().IsRunning()) return;
    auto root = MakeRestTransport(server());
    seed_error_ = Seed(*root);
    CallResult token = root->Call("AccessService.CreateToken", {{"principal", "sales-analyst"}});
    analyst_token_ = token.body.value("token", "");
  }

 protected:
  void SetUp() override {
    SuiteServerTest<SearchTest>::SetUp();
    ASSERT_EQ(seed_error_, "");
    ASSERT_NE(analyst_token_, "");
  }

  std::unique_ptr<RpcTransport> Transport(const std::string& token = "") {
    return GetParam() == "rest" ? MakeRestTransport(server(), token)
                                : MakeGrpcTransport(server(), token);
  }

  json Search(const json& request, const std::string& token = "") {
    CallResult result = Transport(token)->Call("SearchService.Search", request);
    EXPECT_EQ(result.code, "OK") << request.dump() << ": " << result.message << result.transport_error;
    return result.body;
  }

  CallResult Refused(std::string_view rpc, const json& request) {
    CallResult result = Transport()->Call(rpc, request);
    EXPECT_EQ(result.code, "INVALID_ARGUMENT") << request.dump() << ": " << result.body.dump();
    if (GetParam() == "rest") {
      EXPECT_EQ(result.http_status, 400);
    }
    return result;
  }

  CallResult Root(std::string_view rpc, const json& request) {
    CallResult result = Transport()->Call(rpc, request);
    EXPECT_EQ(result.code, "OK") << rpc << " " << request.dump() << ": " << result.message;
    return result;
  }

  std::string Unique(const std::string& name) const { return name + "_" + GetParam(); }

  static std::vector<std::string> Names(const json& response) {
    std::vector<std::string> names;
    for (const json& hit : response["results"]) names.push_back(hit.value("qualifiedName", ""));
    return names;
  }

  static std::map<std::string, int> Facet(const json& response, const std::string& name) {
    std::map<std::string, int> values;
    for (const json& facet : response["facets"]) {
      if (facet.value("name", "") != name) continue;
      for (const json& value : facet["values"]) values[value["value"]] = value.value("count", 0);
    }
    return values;
  }

  static bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }

  static inline std::string seed_error_;
  static inline std::string analyst_token_;
};

INSTANTIATE_TEST_SUITE_P(Transports, SearchTest, ::testing::Values("rest", "grpc"));

const std::string kCustomers = std::string(kCrm) + ".public.customers";
const std::string kOrders = std::string(kCrm) + ".public.orders";
const std::string kArchive = std::string(kCrm) + ".order_archive_notes";
const std::string kSecret = std::string(kHr) + ".salaries_secret";

TEST_P(SearchTest, AnExactNameRanksFirstAheadOfWordierMatches) {
  json response = Search({{"q", "orders"}});
  std::vector<std::string> names = Names(response);
  ASSERT_FALSE(names.empty()) << response.dump();
  // "orders" is the last segment of public.orders; the archive says
  // "orders" five times and must still come after it.
  EXPECT_EQ(names.front(), kOrders) << response.dump(1);
  EXPECT_EQ(response["results"][0]["match"], "exact");
  EXPECT_EQ(response["results"][0]["type"], "DATASET");
  EXPECT_EQ(response["results"][0]["nodeId"], std::string("dataset:") + kCrm + ":public.orders");
  EXPECT_TRUE(Contains(names, kArchive));

  // The qualified name, in any case, is exact too.
  json qualified = Search({{"q", "POSTGRES://CRM:5432.public.Customers"}});
  ASSERT_FALSE(qualified["results"].empty());
  EXPECT_EQ(qualified["results"][0]["qualifiedName"], kCustomers);
  EXPECT_EQ(qualified["results"][0]["match"], "exact");
}

TEST_P(SearchTest, AMisspeltWordStillFindsItsDataset) {
  json response = Search({{"q", "custmers "}});  // the space: not a prefix being typed
  std::vector<std::string> names = Names(response);
  ASSERT_FALSE(names.empty()) << response.dump();
  EXPECT_EQ(names.front(), kCustomers) << response.dump(1);
  EXPECT_EQ(response["results"][0]["match"], "fuzzy");
  ASSERT_FALSE(response["corrections"].empty());
  EXPECT_EQ(response["corrections"][0], "custmers -> customers");

  // Two letters swapped in a column name.
  json column = Search({{"q", "emial "}, {"type", "FIELD"}});
  std::set<std::string> columns;
  for (const json& hit : column["results"]) columns.insert(hit.value("qualifiedName", ""));
  EXPECT_TRUE(columns.count(kCustomers + ".email")) << column.dump(1);
}

TEST_P(SearchTest, TheWordBeingTypedMatchesAsAPrefix) {
  std::vector<std::string> names = Names(Search({{"q", "custo"}, {"type", "DATASET"}}));
  EXPECT_TRUE(Contains(names, kCustomers));
  // camelCase names are split into words: "line" finds invoiceLineItems.
  names = Names(Search({{"q", "line"}, {"type", "DATASET"}}));
  EXPECT_TRUE(Contains(names, std::string(kCrm) + ".invoiceLineItems"));
}

TEST_P(SearchTest, JobsAreFoundByTheirSqlAndTermsByTheirDefinition) {
  json jobs = Search({{"q", "sum"}, {"type", "JOB"}});
  ASSERT_EQ(jobs["results"].size(), 1u) << jobs.dump(1);
  EXPECT_EQ(jobs["results"][0]["name"], "load_daily_revenue");
  EXPECT_EQ(jobs["results"][0]["nodeId"], "job:airflow:load_daily_revenue");
  bool text_highlight = false;
  for (const json& h : jobs["results"][0]["highlights"]) {
    if (h["field"] == "text" && h["snippet"].get<std::string>().find("<mark>sum</mark>") != std::string::npos) {
      text_highlight = true;
    }
  }
  EXPECT_TRUE(text_highlight) << jobs.dump(1);

  json terms = Search({{"q", "income"}, {"type", "GLOSSARY_TERM"}});
  ASSERT_EQ(terms["results"].size(), 1u) << terms.dump(1);
  EXPECT_EQ(terms["results"][0]["name"], "Revenue");
}

TEST_P(SearchTest, FacetsCountWhatMatchesAndIgnoreTheirOwnFilter) {
  // The trailing space: "customer" is a whole word, not a prefix of
  // "customers". It is in the customers and salaries_secret descriptions,
  // in the orders' and customers' column customer_id, and the term's name.
  json all = Search({{"q", "customer "}});
  std::map<std::string, int> types = Facet(all, "type");
  EXPECT_EQ(types, (std::map<std::string, int>{{"DATASET", 3}, {"FIELD", 2}, {"GLOSSARY_TERM", 1}}))
      << all.dump(1);
  EXPECT_EQ(all["totalCount"], 6);
  EXPECT_EQ(all["results"][0]["name"], "Customer");  // the exact name
  EXPECT_EQ(Facet(all, "domain"), (std::map<std::string, int>{{"sales", 4}, {"hr", 1}}));

  json fields = Search({{"q", "customer "}, {"type", "FIELD"}});
  EXPECT_EQ(fields["totalCount"], 2);
  EXPECT_EQ(fields["results"].size(), 2u);
  // The type facet still counts the other types.
  EXPECT_EQ(Facet(fields, "type"), types);
  // The other facets count only the columns now.
  EXPECT_EQ(Facet(fields, "term"), (std::map<std::string, int>{{"Customer", 2}}));
  EXPECT_EQ(Facet(fields, "domain"), (std::map<std::string, int>{{"sales", 2}}));

  // tag=PII holds PII.Email; browsing, with no words.
  json pii = Search({{"tag", "PII"}, {"type", "FIELD"}});
  std::set<std::string> names;
  for (const json& hit : pii["results"]) names.insert(hit.value("qualifiedName", ""));
  EXPECT_EQ(names, (std::set<std::string>{kCustomers + ".email", kCustomers + ".full_name",
                                          kSecret + ".employee_email"}))
      << pii.dump(1);
  // The tag facet ignores the tag filter: Finance columns are counted.
  EXPECT_EQ(Facet(pii, "tag"),
            (std::map<std::string, int>{{"Finance", 2}, {"PII", 1}, {"PII.Email", 2}}));

  json owned = Search({{"q", "orders"}, {"owner", "team:support"}});
  EXPECT_EQ(Names(owned), std::vector<std::string>{kArchive});
  EXPECT_EQ(Facet(owned, "owner")["team:support"], 1);
  EXPECT_EQ(Facet(owned, "owner")["team:crm"], Facet(Search({{"q", "orders"}}), "owner")["team:crm"]);
  EXPECT_GT(Facet(owned, "owner")["team:crm"], 0);

  // "amount": the orders table and its column (sales), invoiceLineItems
  // and its lineAmount (finance), and the job's SQL (no domain).
  json sales = Search({{"q", "amount "}, {"domain", "sales"}});
  EXPECT_EQ(sales["totalCount"], 2) << sales.dump(1);
  for (const json& hit : sales["results"]) EXPECT_EQ(hit["domain"], "sales");
  EXPECT_EQ(Facet(sales, "domain"), (std::map<std::string, int>{{"sales", 2}, {"finance", 2}}));
}

TEST_P(SearchTest, HiddenAssetsAreNeverReturnedNorCounted) {
  // Root sees the HR dataset and its columns.
  json root = Search({{"q", "salaries"}});
  EXPECT_GE(root["totalCount"].get<int>(), 1);

  for (const json& request :
       {json{{"q", "salaries"}}, json{{"q", "salaries_secret"}}, json{{"q", "salary"}},
        json{{"q", "employee"}}, json{{"q", "salries "}}, json{{"namespace", kHr}},
        json{{"domain", "hr"}}, json{{"owner", "team:hr"}}}) {
    json hidden = Search(request, analyst_token_);
    SCOPED_TRACE(request.dump());
    EXPECT_EQ(hidden["totalCount"], 0) << hidden.dump(1);
    EXPECT_TRUE(hidden["results"].empty());
    for (const json& hit : hidden["results"]) EXPECT_NE(hit["namespace"], kHr) << hit.dump();
    // A correction names only words of the results shown, never one that
    // only the hidden dataset holds.
    for (const json& correction : hidden["corrections"]) {
      EXPECT_EQ(correction.get<std::string>().find("salaries"), std::string::npos) << hidden.dump(1);
    }
    // A facet may count visible assets its own filter left out, never the
    // hidden ones.
    for (const json& facet : hidden["facets"]) {
      for (const json& value : facet["values"]) {
        for (const char* secret : {"hr", "team:hr", kHr, "salaries_secret"}) {
          EXPECT_NE(value["value"], secret) << facet.dump();
        }
      }
    }
  }
  // Counts of a shared word leave the hidden dataset out: root counts
  // salaries_secret among "customer" datasets, the analyst does not.
  json analyst = Search({{"q", "customer "}}, analyst_token_);
  EXPECT_EQ(Facet(analyst, "type")["DATASET"], 2) << analyst.dump(1);
  EXPECT_EQ(Facet(analyst, "domain").count("hr"), 0u);
  // customers carries PII.Email (from its column email); salaries_secret's
  // is not counted.
  EXPECT_EQ(Facet(analyst, "tag")["PII.Email"], 1);
  for (const std::string& name : Names(analyst)) EXPECT_EQ(name.find(kHr), std::string::npos);

  CallResult marquez =
      Transport(analyst_token_)->Call("SearchService.MarquezSearch", {{"q", "salaries"}});
  EXPECT_EQ(marquez.code, "OK");
  EXPECT_EQ(marquez.body["totalCount"], 0) << marquez.body.dump();
}

TEST_P(SearchTest, HighlightsMarkTheWordsAndEscapeTheRest) {
  json response = Search({{"q", "invoice"}, {"type", "DATASET"}});
  ASSERT_EQ(response["results"].size(), 1u) << response.dump(1);
  const json& hit = response["results"][0];
  std::string description;
  for (const json& h : hit["highlights"]) {
    if (h["field"] == "description") description = h["snippet"];
  }
  EXPECT_EQ(description, "<mark>Invoice</mark> lines &lt;b&gt;bold&lt;/b&gt; &amp; more");
  EXPECT_EQ(hit["description"], "Invoice lines <b>bold</b> & more");  // the field itself is raw
  EXPECT_EQ(hit["owners"], json::array({"team:finance"}));
  EXPECT_EQ(hit["tags"], json::array({"Finance"}));
  EXPECT_EQ(hit["domain"], "finance");
}

TEST_P(SearchTest, TheIndexFollowsEveryWrite) {
  const std::string name = Unique("zebra_sightings");
  const std::string qualified = std::string(kCrm) + "." + name;
  auto found = [&](const std::string& q, const json& filters = json::object()) {
    json request = filters;
    request["q"] = q;
    return Contains(Names(Search(request)), qualified);
  };
  ASSERT_FALSE(found(name));
  Root("CatalogService.PutDataset",
       {{"namespace", kCrm},
        {"name", name},
        {"dataset", Dataset("sales", "Striped animals seen", json::array({Column("stripe_count")}))}});
  EXPECT_TRUE(found(name));
  EXPECT_TRUE(found("striped"));

  // A new description replaces the old words.
  Root("CatalogService.PutDataset",
       {{"namespace", kCrm},
        {"name", name},
        {"dataset", Dataset("sales", "Spotted animals seen", json::array({Column("spot_count")}))}});
  EXPECT_FALSE(found("striped "));
  EXPECT_TRUE(found("spotted"));
  // The removed column is gone, the new one is there.
  json columns = Search({{"namespace", kCrm}, {"type", "FIELD"}, {"q", name}, {"limit", 100}});
  std::set<std::string> fields;
  for (const json& hit : columns["results"]) {
    if (hit["dataset"] == name) fields.insert(hit["field"]);
  }
  EXPECT_EQ(fields, (std::set<std::string>{"spot_count"})) << columns.dump(1);

  // A tag on a column is searchable and filterable at once.
  Root("CatalogService.TagField",
       {{"namespace", kCrm}, {"dataset", name}, {"field", "spot_count"}, {"tag", "Finance"}});
  EXPECT_TRUE(found(name, {{"tag", "Finance"}, {"type", "DATASET"}}));

  // Deleted: gone; restored: back.
  Root("CatalogService.DeleteDataset", {{"namespace", kCrm}, {"name", name}});
  EXPECT_FALSE(found(name));
  Root("CatalogService.RestoreDataset", {{"namespace", kCrm}, {"name", name}});
  EXPECT_TRUE(found(name));

  // Through OpenLineage: a new output dataset and its job.
  const std::string output = Unique("giraffe_heights");
  const json event = {
      {"eventType", "COMPLETE"},
      {"eventTime", "2026-01-02T00:00:00Z"},
      {"producer", "https://example.com/search-test"},
      {"run", {{"runId", GetParam() == "rest" ? "01890000-0000-7000-8000-000000000011"
                                               : "01890000-0000-7000-8000-000000000012"}}},
      {"job", {{"namespace", "airflow"}, {"name", Unique("measure_giraffes")}}},
      {"inputs", json::array()},
      {"outputs",
       json::array({{{"namespace", kCrm},
                     {"name", output},
                     {"facets",
                      {{"schema", {{"fields", json::array({{{"name", "neck_length"}, {"type", "int"}}})}}}}}}})}};
  Root("LineageService.IngestLineage", {{"event", event.dump()}});
  std::vector<std::string> names = Names(Search({{"q", "neck"}}));
  EXPECT_TRUE(Contains(names, std::string(kCrm) + "." + output + ".neck_length"));
  names = Names(Search({{"q", "giraffes"}, {"type", "JOB"}}));
  EXPECT_TRUE(Contains(names, "airflow." + Unique("measure_giraffes")));

  // Glossary terms come and go.
  const std::string term = Unique("Wildebeest");
  Root("GlossaryService.PutTerm", {{"name", term}, {"term", {{"definition", "A gnu."}}}});
  const json terms = {{"q", term}, {"type", "GLOSSARY_TERM"}};
  EXPECT_EQ(Search(terms)["results"][0]["name"], term);
  Root("GlossaryService.DeleteTerm", {{"name", term}});
  EXPECT_EQ(Search(terms)["totalCount"], 0);
}

TEST_P(SearchTest, MarquezSearchAnswersMarquezsShape) {
  CallResult result = Root("SearchService.MarquezSearch", {{"q", "orders"}});
  const json& body = result.body;
  ASSERT_GE(body["results"].size(), 2u) << body.dump(1);
  EXPECT_EQ(body["results"][0]["type"], "DATASET");
  EXPECT_EQ(body["results"][0]["name"], "public.orders");
  EXPECT_EQ(body["results"][0]["namespace"], kCrm);
  EXPECT_EQ(body["results"][0]["nodeId"], std::string("dataset:") + kCrm + ":public.orders");
  EXPECT_TRUE(body["results"][0].contains("updatedAt"));
  for (const json& hit : body["results"]) {
    EXPECT_TRUE(hit["type"] == "DATASET" || hit["type"] == "JOB") << hit.dump();
  }
  EXPECT_EQ(body["totalCount"].get<size_t>(), body["results"].size());

  json jobs = Root("SearchService.MarquezSearch", {{"q", "revenue"}, {"filter", "JOB"}}).body;
  ASSERT_EQ(jobs["results"].size(), 1u) << jobs.dump(1);
  EXPECT_EQ(jobs["results"][0]["name"], "load_daily_revenue");

  json by_name =
      Root("SearchService.MarquezSearch", {{"q", "orders"}, {"sort", "NAME"}, {"limit", 1}}).body;
  ASSERT_EQ(by_name["results"].size(), 1u);
  EXPECT_EQ(by_name["results"][0]["name"], "load_daily_revenue");  // "l" < "o" < "p"
  EXPECT_GE(by_name["totalCount"].get<int>(), 3);
}

TEST_P(SearchTest, BadInputNamesTheFieldAndSearchNeedsAToken) {
  EXPECT_EQ(Refused("SearchService.Search", {{"q", "x"}, {"limit", 0}}).field, "limit");
  EXPECT_EQ(Refused("SearchService.Search", {{"q", "x"}, {"limit", 101}}).field, "limit");
  EXPECT_EQ(Refused("SearchService.Search", {{"q", "x"}, {"offset", -1}}).field, "offset");
  EXPECT_EQ(Refused("SearchService.Search", {{"q", std::string(501, 'a')}}).field, "q");
  if (GetParam() == "grpc") {
    EXPECT_EQ(Refused("SearchService.Search", {{"q", "x"}, {"type", 9}}).field, "type");
  } else {
    EXPECT_EQ(Refused("SearchService.Search", {{"q", "x"}, {"type", "TABLE"}}).field, "type");
  }
  EXPECT_EQ(Refused("SearchService.MarquezSearch", {{"q", ""}}).field, "q");
  EXPECT_EQ(Refused("SearchService.MarquezSearch", {{"q", "x"}, {"filter", "COLUMN"}}).field, "filter");
  EXPECT_EQ(Refused("SearchService.MarquezSearch", {{"q", "x"}, {"sort", "SIZE"}}).field, "sort");

  // What FTS5 would read as syntax is only words here.
  for (const char* q : {"\"", "orders\" OR \"x", "NEAR(a b)", "*", "a AND", "(", "col:val", "-x ^y"}) {
    CallResult result = Transport()->Call("SearchService.Search", {{"q", q}});
    EXPECT_EQ(result.code, "OK") << q << ": " << result.message;
  }

  CallResult anonymous = Transport("not-a-token")->Call("SearchService.Search", {{"q", "orders"}});
  EXPECT_EQ(anonymous.code, "UNAUTHENTICATED");
}

// The usage boost needs a server whose access counts nobody has read yet
// (they are refreshed once a minute).
TEST(SearchUsageTest, OftenReadDatasetsRankAboveEqualMatches) {
  ServerProcess server;
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  auto root = MakeRestTransport(server);
  ASSERT_EQ(root->Call("CatalogService.PutNamespace", {{"name", kCrm}, {"namespace", json::object()}}).code, "OK");
  for (const char* name : {"widgets_a", "widgets_b", "widgets_c"}) {
    CallResult put = root->Call(
        "CatalogService.PutDataset",
        {{"namespace", kCrm},
         {"name", name},
         {"dataset", Dataset("sales", "Widget counts per day", json::array({Column("n")}))}});
    ASSERT_EQ(put.code, "OK") << put.message;
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(root->Call("CatalogService.GetDataset", {{"namespace", kCrm}, {"name", "widgets_b"}}).code, "OK");
  }
  CallResult result = root->Call("SearchService.Search", {{"q", "widget counts"}, {"type", "DATASET"}});
  ASSERT_EQ(result.code, "OK") << result.message;
  ASSERT_EQ(result.body["results"].size(), 3u) << result.body.dump(1);
  EXPECT_EQ(result.body["results"][0]["name"], "widgets_b") << result.body.dump(1);
  // The five reads, plus the PUT that created it (int64: a string in JSON).
  EXPECT_EQ(result.body["results"][0]["accessCount"], "6");
  EXPECT_EQ(result.body["results"][1]["accessCount"], "1");
}

}  // namespace
}  // namespace cadastre::testing
