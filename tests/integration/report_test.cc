// The GDPR reports against the real server, over REST and gRPC: the
// personal data inventory and the trace of the multi-hop pipeline of the
// lineage tests (source -> raw -> curated -> warehouse -> dashboard, with a
// join, an aggregation, a hashing step and a leaked e-mail address),
// exactly; their CSV, quoting included; bad input; the access report still
// to be built.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "rest_routes.h"
#include "rpc_transport.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

using nlohmann::json;

constexpr char kCrm[] = "postgres://crm:5432";
constexpr char kLake[] = "s3://lake";
constexpr char kDwh[] = "warehouse";
constexpr char kBi[] = "bi";
constexpr char kTime[] = "2026-01-01T00:00:00Z";

// The export job's SQL holds what CSV must quote: a comma, double quotes
// and a line break.
constexpr char kExportSql[] = "SELECT email AS \"contact_email\",\n  'x, y' FROM lake.customers";
constexpr char kExportCode[] = "https://git.example.com/etl/export_contacts.py";

// One input field of a column lineage facet.
struct Source {
  std::string ns, dataset, field, type = "DIRECT", subtype = "IDENTITY";
  bool masking = false;
};
using FieldMap = std::vector<std::pair<std::string, std::vector<Source>>>;

json InputFields(const std::vector<Source>& sources) {
  json fields = json::array();
  for (const Source& s : sources) {
    fields.push_back(
        {{"namespace", s.ns},
         {"name", s.dataset},
         {"field", s.field},
         {"transformations",
          json::array({{{"type", s.type}, {"subtype", s.subtype}, {"masking", s.masking}}})}});
  }
  return fields;
}

std::string RunId(int n) {
  char id[40];
  std::snprintf(id, sizeof id, "01890000-0000-7000-8000-%012d", n);
  return id;
}

// A COMPLETE event of airflow job `job` (run RunId(run)) reading `inputs`
// and writing `output` with the given column lineage.
json RunEvent(const std::string& job, int run,
              const std::vector<std::pair<std::string, std::string>>& inputs,
              const std::pair<std::string, std::string>& output, const FieldMap& fields,
              const std::vector<Source>& dataset_level = {},
              const json& job_facets = json::object()) {
  json columns = json::object();
  json schema = json::array();
  for (const auto& [name, sources] : fields) {
    columns[name] = {{"inputFields", InputFields(sources)}};
    schema.push_back({{"name", name}, {"type", "string"}});
  }
  json in = json::array();
  for (const auto& [ns, name] : inputs) in.push_back({{"namespace", ns}, {"name", name}});
  return {{"eventType", "COMPLETE"},
          {"eventTime", kTime},
          {"producer", "https://example.com/report-test"},
          {"run", {{"runId", RunId(run)}}},
          {"job", {{"namespace", "airflow"}, {"name", job}, {"facets", job_facets}}},
          {"inputs", in},
          {"outputs",
           json::array({{{"namespace", output.first},
                         {"name", output.second},
                         {"facets",
                          {{"schema", {{"fields", schema}}},
                           {"columnLineage",
                            {{"fields", columns}, {"dataset", InputFields(dataset_level)}}}}}}})}};
}

class ReportTest : public SuiteServerTest<ReportTest>,
                   public ::testing::WithParamInterface<std::string> {
 public:
  static void SetUpTestSuite() {
    SuiteServerTest<ReportTest>::SetUpTestSuite();
    if (server().IsRunning()) seed_error_ = Seed();
  }

 protected:
  void SetUp() override {
    SuiteServerTest<ReportTest>::SetUp();
    ASSERT_EQ(seed_error_, "");
  }

  CallResult Call(std::string_view rpc, const json& request) {
    std::unique_ptr<RpcTransport> transport =
        GetParam() == "rest" ? MakeRestTransport(server()) : MakeGrpcTransport(server());
    CallResult result = transport->Call(rpc, request);
    EXPECT_EQ(result.transport_error, "") << rpc << " " << request.dump();
    return result;
  }

  // The report, without what changes from call to call.
  json Report(std::string_view rpc, const json& request) {
    CallResult result = Call(rpc, request);
    EXPECT_EQ(result.code, "OK") << result.message;
    json body = result.body;
    EXPECT_TRUE(body.contains("generatedAt")) << body.dump();
    body.erase("generatedAt");
    // The audit chain as the report found it: intact, and not empty (the
    // seeding is in it). Its counts change with every call.
    const json chain = body.value("auditChain", json::object());
    EXPECT_EQ(chain.value("ok", false), true) << chain.dump();
    EXPECT_GT(std::stoll(chain.value("records", "0")), 0) << chain.dump();
    EXPECT_EQ(chain.value("firstBrokenSeq", ""), "0") << chain.dump();
    body["auditChain"] = {{"ok", chain.value("ok", false)}};
    return body;
  }

  // The CSV text of a report: REST's body, or the export of gRPC's answer.
  std::string Csv(std::string_view rpc, const std::string& query, json request) {
    if (GetParam() == "rest") {
      const RestRoute* route = FindRestRoute(rpc);
      auto res = server().HttpClient()->Get(
          ("/api/v1" + std::string(route->path_template) + "?" + query).c_str());
      EXPECT_TRUE(res);
      if (!res) return "";
      EXPECT_EQ(res->status, 200) << res->body;
      EXPECT_EQ(res->get_header_value("Content-Type"), "text/csv; charset=utf-8");
      return res->body;
    }
    request["format"] = "csv";
    CallResult result = Call(rpc, request);
    EXPECT_EQ(result.code, "OK") << result.message;
    // Nothing but the export is set: every other field prints its default.
    for (const auto& [key, value] : result.body.items()) {
      if (key == "export") continue;
      EXPECT_TRUE(value == json::array() || value == "" || value == 0 || value == false)
          << key << ": " << value.dump();
    }
    EXPECT_EQ(result.body["export"]["contentType"], "text/csv; charset=utf-8");
    return Base64Decode(result.body["export"]["data"].get<std::string>());
  }

 private:
  // The pipeline of tests/unit/lineage_service_test.cc, plus a dataset
  // with a domain, owners and source system, a classification of a whole
  // dataset, and a job with SQL and a code location.
  static std::string Seed() {
    std::unique_ptr<RpcTransport> admin = MakeRestTransport(server());
    std::string errors;
    auto must = [&](std::string_view rpc, const json& request) {
      CallResult result = admin->Call(rpc, request);
      if (result.code != "OK" || !result.transport_error.empty()) {
        errors += std::string(rpc) + ": " + result.code + " " + result.message +
                  result.transport_error + "\n";
      }
    };
    must("CatalogService.PutTag", {{"name", "PII"}, {"tag", json::object()}});
    for (const char* tag : {"PII.Email", "PII.Name"}) {
      must("CatalogService.PutTag", {{"name", tag}, {"tag", {{"propagate", true}}}});
    }
    must("CatalogService.PutNamespace", {{"name", kCrm}, {"namespace", json::object()}});
    json customers = {
        {"domain", "sales"},
        {"sourceName", "crm-postgres"},
        {"owners",
         {{{"name", "crm-team"}, {"type", "TEAM"}, {"role", "OWNER"}},
          {{"name", "dora"}, {"type", "USER"}, {"role", "STEWARD"}}}},
        {"fields",
         {{{"name", "id"}}, {{"name", "email"}}, {{"name", "name"}}, {{"name", "country"}}}}};
    must("CatalogService.PutDataset",
         {{"namespace", kCrm}, {"name", "customers"}, {"dataset", customers}});

    json events = json::array();
    events.push_back(RunEvent("ingest_customers", 1, {{kCrm, "customers"}}, {kLake, "customers"},
                              {{"id", {{kCrm, "customers", "id"}}},
                               {"email", {{kCrm, "customers", "email"}}},
                               {"name", {{kCrm, "customers", "name"}}},
                               {"country", {{kCrm, "customers", "country"}}}}));
    events.push_back(RunEvent("ingest_orders", 2, {{kCrm, "orders"}}, {kLake, "orders"},
                              {{"customer_id", {{kCrm, "orders", "customer_id"}}},
                               {"amount", {{kCrm, "orders", "amount"}}}}));
    events.push_back(
        RunEvent("curate_customers", 3, {{kLake, "customers"}}, {kDwh, "curated.customers"},
                 {{"customer_id", {{kLake, "customers", "id"}}},
                  {"email_hash", {{kLake, "customers", "email", "DIRECT", "TRANSFORMATION", true}}},
                  {"name", {{kLake, "customers", "name"}}},
                  {"country", {{kLake, "customers", "country"}}}}));
    events.push_back(RunEvent("export_contacts", 4, {{kLake, "customers"}},
                              {kDwh, "curated.contacts"},
                              {{"contact_email", {{kLake, "customers", "email"}}}}, {},
                              {{"sql",
                                {{"_producer", "https://example.com"},
                                 {"_schemaURL", "https://example.com/sql"},
                                 {"query", kExportSql}}},
                               {"sourceCodeLocation",
                                {{"_producer", "https://example.com"},
                                 {"_schemaURL", "https://example.com/scl"},
                                 {"type", "git"},
                                 {"url", kExportCode}}}}));
    events.push_back(
        RunEvent("build_sales", 5, {{kDwh, "curated.customers"}, {kLake, "orders"}},
                 {kDwh, "marts.sales_by_country"},
                 {{"country", {{kDwh, "curated.customers", "country"}}},
                  {"total_amount", {{kLake, "orders", "amount", "DIRECT", "AGGREGATION"}}},
                  {"contact_key", {{kDwh, "curated.customers", "email_hash"}}}},
                 {{kDwh, "curated.customers", "customer_id", "INDIRECT", "JOIN"},
                  {kLake, "orders", "customer_id", "INDIRECT", "JOIN"}}));
    events.push_back(RunEvent("refresh_dashboard", 6, {{kDwh, "marts.sales_by_country"}},
                              {kBi, "dashboards.sales"},
                              {{"country", {{kDwh, "marts.sales_by_country", "country"}}},
                               {"revenue", {{kDwh, "marts.sales_by_country", "total_amount"}}}}));
    must("LineageService.IngestLineage", {{"event", events.dump()}});

    auto tag_field = [&](const char* ns, const char* dataset, const char* field, const char* tag) {
      must("CatalogService.TagField",
           {{"namespace", ns}, {"dataset", dataset}, {"field", field}, {"tag", tag}});
    };
    tag_field(kCrm, "customers", "email", "PII.Email");
    tag_field(kCrm, "customers", "name", "PII.Name");
    tag_field(kLake, "customers", "email", "PII.Email");  // a steward classified the raw copy
    // The contacts export is personal data as a whole.
    must("CatalogService.TagDataset",
         {{"namespace", kDwh}, {"dataset", "curated.contacts"}, {"tag", "PII"}});
    return errors;
  }

  static inline std::string seed_error_;
};

json Ref(const std::string& ns, const std::string& dataset, const std::string& field) {
  return {{"namespace", ns}, {"dataset", dataset}, {"field", field}};
}

std::string F(const std::string& ns, const std::string& dataset, const std::string& field) {
  return "datasetField:" + ns + ":" + dataset + ":" + field;
}

// What Report() leaves of the audit chain's state when it is intact.
const json kIntactAuditLog = {{"ok", true}};

// One column of the inventory; `domain` and the rest come from its dataset.
// (Lists are vectors: a braced list of one json would be that json.)
json Column(const json& column, const std::string& domain, const json& owners,
            const std::string& source, const std::vector<json>& own_tags,
            const std::vector<json>& inherited, const std::vector<json>& consumers,
            const std::vector<json>& finals) {
  return {{"column", column},       {"domain", domain},        {"owners", owners},
          {"sourceSystem", source}, {"ownTags", own_tags},     {"inherited", inherited},
          {"consumers", consumers}, {"finalConsumers", finals}};
}

json Inherited(const std::string& tag, const std::vector<std::string>& path) {
  return {{"tag", tag}, {"from", path.front()}, {"path", path}};
}

json Dataset(const std::string& ns, const std::string& name) {
  return {{"namespace", ns}, {"name", name}};
}

TEST_P(ReportTest, InventoryListsEveryPersonalColumnWithItsConsumers) {
  const json owners = json::parse(R"([{"name": "crm-team", "type": "TEAM", "role": "OWNER"},
                                      {"name": "dora", "type": "USER", "role": "STEWARD"}])");
  const json nobody = json::array();
  const std::vector<json> none;
  const json contacts = Dataset(kDwh, "curated.contacts");
  const json marts = Dataset(kDwh, "marts.sales_by_country");
  const json curated = Dataset(kDwh, "curated.customers");
  const json expected = {
      {"principal", "admin"},
      {"columns",
       {
           // Classified at the source.
           Column(Ref(kCrm, "customers", "email"), "sales", owners, "crm-postgres", {"PII.Email"},
                  none,
                  {Ref(kLake, "customers", "email"), Ref(kDwh, "curated.customers", "email_hash"),
                   Ref(kDwh, "curated.contacts", "contact_email"),
                   Ref(kDwh, "marts.sales_by_country", "contact_key")},
                  {contacts, marts}),
           Column(Ref(kCrm, "customers", "name"), "sales", owners, "crm-postgres", {"PII.Name"},
                  none, {Ref(kLake, "customers", "name"), Ref(kDwh, "curated.customers", "name")},
                  {curated}),
           // Classified by a steward and inherited too.
           Column(Ref(kLake, "customers", "email"), "", nobody, kLake, {"PII.Email"},
                  {Inherited("PII.Email",
                             {F(kCrm, "customers", "email"), F(kLake, "customers", "email")})},
                  {Ref(kDwh, "curated.customers", "email_hash"),
                   Ref(kDwh, "curated.contacts", "contact_email"),
                   Ref(kDwh, "marts.sales_by_country", "contact_key")},
                  {contacts, marts}),
           Column(Ref(kLake, "customers", "name"), "", nobody, kLake, none,
                  {Inherited("PII.Name",
                             {F(kCrm, "customers", "name"), F(kLake, "customers", "name")})},
                  {Ref(kDwh, "curated.customers", "name")}, {curated}),
           // The leak: classified through its dataset, and inherited through
           // lineage from each carrier upstream, nearest first.
           Column(Ref(kDwh, "curated.contacts", "contact_email"), "", nobody, kDwh, none,
                  {Inherited("PII", {"dataset:warehouse:curated.contacts",
                                     F(kDwh, "curated.contacts", "contact_email")}),
                   Inherited("PII.Email", {F(kLake, "customers", "email"),
                                           F(kDwh, "curated.contacts", "contact_email")}),
                   Inherited("PII.Email",
                             {F(kCrm, "customers", "email"), F(kLake, "customers", "email"),
                              F(kDwh, "curated.contacts", "contact_email")})},
                  none, none),
           // The hash is masked, so email_hash and contact_key inherit nothing.
           Column(
               Ref(kDwh, "curated.customers", "name"), "", nobody, kDwh, none,
               {Inherited("PII.Name", {F(kCrm, "customers", "name"), F(kLake, "customers", "name"),
                                       F(kDwh, "curated.customers", "name")})},
               none, none),
       }},
      {"datasetCount", 4},
      {"truncated", false},
      {"auditChain", kIntactAuditLog}};
  json report = Report("ReportService.GetPersonalDataReport", {{"view", "FULL"}});
  EXPECT_EQ(report, expected) << report.dump(2);
  // The default (BASIC) view: the same, without the paths (printed empty).
  json basic = expected;
  for (json& column : basic["columns"]) {
    for (json& tag : column["inherited"]) tag["path"] = json::array();
  }
  report = Report("ReportService.GetPersonalDataReport", json::object());
  EXPECT_EQ(report, basic) << report.dump(2);

  // A narrower classification: only what is or inherits PII.Email.
  json email = Report("ReportService.GetPersonalDataReport", {{"tag", "PII.Email"}});
  std::vector<std::string> columns;
  for (const json& column : email["columns"]) {
    columns.push_back(column["column"]["dataset"].get<std::string>() + "." +
                      column["column"]["field"].get<std::string>());
  }
  EXPECT_EQ(columns, (std::vector<std::string>{"customers.email", "customers.email",
                                               "curated.contacts.contact_email"}));
  EXPECT_EQ(email["datasetCount"], 3);
  EXPECT_EQ(email["columns"][2]["inherited"].size(), 2u);  // not the dataset's PII
}

// A hop of the pipeline, as the trace shows it.
json Hop(const json& source, const json& target, const std::string& job, int run,
         const std::string& type, const std::string& subtype, bool masking,
         const std::string& sql = "", const std::string& code = "") {
  auto id = [](const json& ref) {
    return ref["field"] == "" ? "dataset:" + ref["namespace"].get<std::string>() + ":" +
                                    ref["dataset"].get<std::string>()
                              : F(ref["namespace"], ref["dataset"], ref["field"]);
  };
  return {{"source", source},
          {"target", target},
          {"job", {{"namespace", "airflow"}, {"name", job}}},
          {"jobVersion", RunId(run)},
          {"codeLocation", code},
          {"sql", sql},
          {"transformation",
           {{"type", type}, {"subtype", subtype}, {"description", ""}, {"masking", masking}}},
          {"firstSeen", kTime},
          {"lastSeen", kTime},
          {"sourceId", id(source)},
          {"targetId", id(target)}};
}

TEST_P(ReportTest, TraceOfAColumnGivesEveryPathFromSourceToConsumer) {
  const json crm_email = Ref(kCrm, "customers", "email");
  const json lake_email = Ref(kLake, "customers", "email");
  const json ingest =
      Hop(crm_email, lake_email, "ingest_customers", 1, "DIRECT", "IDENTITY", false);
  const json hash = Hop(lake_email, Ref(kDwh, "curated.customers", "email_hash"),
                        "curate_customers", 3, "DIRECT", "TRANSFORMATION", true);
  const json key = Hop(Ref(kDwh, "curated.customers", "email_hash"),
                       Ref(kDwh, "marts.sales_by_country", "contact_key"), "build_sales", 5,
                       "DIRECT", "IDENTITY", false);
  const json leak = Hop(lake_email, Ref(kDwh, "curated.contacts", "contact_email"),
                        "export_contacts", 4, "DIRECT", "IDENTITY", false, kExportSql, kExportCode);
  const json expected = {{"principal", "admin"},
                         {"traced", {crm_email}},
                         {"paths", {{{"hops", {ingest, hash, key}}}, {{"hops", {ingest, leak}}}}},
                         {"hopCount", 4},
                         {"truncated", false},
                         {"auditChain", kIntactAuditLog}};
  json report = Report("ReportService.GetTraceReport",
                       {{"namespace", kCrm}, {"dataset", "customers"}, {"field", "email"}});
  EXPECT_EQ(report, expected) << report.dump(2);

  // Traced from the middle, the same paths: they run from source to end.
  json middle = Report("ReportService.GetTraceReport",
                       {{"namespace", kLake}, {"dataset", "customers"}, {"field", "email"}});
  EXPECT_EQ(middle["paths"], expected["paths"]);
  EXPECT_EQ(middle["hopCount"], 4);

  // Traced by classification: every column carrying PII.Email, and the
  // paths through any of them, each once.
  json by_tag = Report("ReportService.GetTraceReport", {{"tag", "PII.Email"}});
  EXPECT_EQ(by_tag["traced"],
            json({crm_email, lake_email, Ref(kDwh, "curated.contacts", "contact_email")}));
  EXPECT_EQ(by_tag["paths"], expected["paths"]);
  EXPECT_EQ(by_tag["hopCount"], 4);
}

TEST_P(ReportTest, TraceOfADatasetFollowsEachColumnToItsEnd) {
  json report =
      Report("ReportService.GetTraceReport", {{"namespace", kCrm}, {"dataset", "customers"}});
  std::vector<std::string> paths;
  for (const json& path : report["paths"]) {
    std::string text = path["hops"][0]["sourceId"];
    for (const json& hop : path["hops"]) text += " -> " + hop["targetId"].get<std::string>();
    paths.push_back(text);
  }
  // Columns in their dataset's order (id, email, name, country); the join
  // key ends in a dependency of the whole sales dataset.
  EXPECT_EQ(paths, (std::vector<std::string>{
                       F(kCrm, "customers", "id") + " -> " + F(kLake, "customers", "id") + " -> " +
                           F(kDwh, "curated.customers", "customer_id") +
                           " -> dataset:warehouse:marts.sales_by_country",
                       F(kCrm, "customers", "email") + " -> " + F(kLake, "customers", "email") +
                           " -> " + F(kDwh, "curated.customers", "email_hash") + " -> " +
                           F(kDwh, "marts.sales_by_country", "contact_key"),
                       F(kCrm, "customers", "email") + " -> " + F(kLake, "customers", "email") +
                           " -> " + F(kDwh, "curated.contacts", "contact_email"),
                       F(kCrm, "customers", "name") + " -> " + F(kLake, "customers", "name") +
                           " -> " + F(kDwh, "curated.customers", "name"),
                       F(kCrm, "customers", "country") + " -> " + F(kLake, "customers", "country") +
                           " -> " + F(kDwh, "curated.customers", "country") + " -> " +
                           F(kDwh, "marts.sales_by_country", "country") + " -> " +
                           F(kBi, "dashboards.sales", "country")}))
      << report.dump(2);
  EXPECT_EQ(report["hopCount"], 13);
  const json& join = report["paths"][0]["hops"][2];
  EXPECT_EQ(join["target"], Ref(kDwh, "marts.sales_by_country", ""));
  EXPECT_EQ(join["transformation"]["type"], "INDIRECT");
  EXPECT_EQ(join["transformation"]["subtype"], "JOIN");
}

TEST_P(ReportTest, CsvHasOneRecordPerColumnOrHopQuotedAsRfc4180Says) {
  const std::string inventory = Csv("ReportService.GetPersonalDataReport",
                                    "format=csv&tag=PII.Email", {{"tag", "PII.Email"}});
  EXPECT_EQ(inventory,
            "namespace,dataset,field,domain,owners,source_system,own_tags,inherited_tags,"
            "consumers,final_consumers\r\n"
            "postgres://crm:5432,customers,email,sales,crm-team (OWNER); dora (STEWARD),"
            "crm-postgres,PII.Email,,"
            "datasetField:s3://lake:customers:email; "
            "datasetField:warehouse:curated.customers:email_hash; "
            "datasetField:warehouse:curated.contacts:contact_email; "
            "datasetField:warehouse:marts.sales_by_country:contact_key,"
            "dataset:warehouse:curated.contacts; dataset:warehouse:marts.sales_by_country\r\n"
            "s3://lake,customers,email,,,s3://lake,PII.Email,"
            "PII.Email from datasetField:postgres://crm:5432:customers:email,"
            "datasetField:warehouse:curated.customers:email_hash; "
            "datasetField:warehouse:curated.contacts:contact_email; "
            "datasetField:warehouse:marts.sales_by_country:contact_key,"
            "dataset:warehouse:curated.contacts; dataset:warehouse:marts.sales_by_country\r\n"
            "warehouse,curated.contacts,contact_email,,,warehouse,,"
            "PII.Email from datasetField:s3://lake:customers:email; "
            "PII.Email from datasetField:postgres://crm:5432:customers:email,,\r\n");

  const std::string trace =
      Csv("ReportService.GetTraceReport",
          "namespace=" + PercentEncode(kLake) + "&dataset=customers&field=email&format=csv",
          {{"namespace", kLake}, {"dataset", "customers"}, {"field", "email"}});
  const std::string header =
      "path,hop,source_namespace,source_dataset,source_field,target_namespace,target_dataset,"
      "target_field,job_namespace,job_name,job_version,code_location,sql,transformation_type,"
      "transformation_subtype,masking,first_seen,last_seen\r\n";
  const std::string t = std::string(",") + kTime + "," + kTime + "\r\n";
  EXPECT_EQ(trace,
            header +
                "1,1,postgres://crm:5432,customers,email,s3://lake,customers,email,airflow,"
                "ingest_customers," +
                RunId(1) + ",,,DIRECT,IDENTITY,false" + t +
                "1,2,s3://lake,customers,email,warehouse,curated.customers,email_hash,airflow,"
                "curate_customers," +
                RunId(3) + ",,,DIRECT,TRANSFORMATION,true" + t +
                "1,3,warehouse,curated.customers,email_hash,warehouse,marts.sales_by_country,"
                "contact_key,airflow,build_sales," +
                RunId(5) + ",,,DIRECT,IDENTITY,false" + t +
                "2,1,postgres://crm:5432,customers,email,s3://lake,customers,email,airflow,"
                "ingest_customers," +
                RunId(1) + ",,,DIRECT,IDENTITY,false" + t +
                "2,2,s3://lake,customers,email,warehouse,curated.contacts,contact_email,airflow,"
                "export_contacts," +
                RunId(4) + "," + kExportCode +
                ",\"SELECT email AS \"\"contact_email\"\",\n  'x, y' FROM lake.customers\","
                "DIRECT,IDENTITY,false" +
                t);
}

TEST_P(ReportTest, BadInputIsRefusedNamingTheField) {
  struct Case {
    std::string rpc;
    json request;
    std::string code, field;
  };
  const std::vector<Case> cases = {
      {"ReportService.GetPersonalDataReport", {{"format", "xml"}}, "INVALID_ARGUMENT", "format"},
      {"ReportService.GetPersonalDataReport", {{"tag", "PII..Email"}}, "INVALID_ARGUMENT", "tag"},
      {"ReportService.GetPersonalDataReport", {{"tag", "Nope"}}, "NOT_FOUND", "tag"},
      {"ReportService.GetTraceReport", json::object(), "INVALID_ARGUMENT", "namespace"},
      {"ReportService.GetTraceReport", {{"namespace", kCrm}}, "INVALID_ARGUMENT", "dataset"},
      {"ReportService.GetTraceReport",
       {{"tag", "PII"}, {"namespace", kCrm}, {"dataset", "customers"}},
       "INVALID_ARGUMENT",
       "tag"},
      {"ReportService.GetTraceReport",
       {{"namespace", kCrm}, {"dataset", "customers"}, {"format", "pdf"}},
       "INVALID_ARGUMENT",
       "format"},
      {"ReportService.GetTraceReport",
       {{"namespace", kCrm}, {"dataset", "nope"}},
       "NOT_FOUND",
       "dataset"},
      {"ReportService.GetTraceReport",
       {{"namespace", kCrm}, {"dataset", "customers"}, {"field", "nope"}},
       "NOT_FOUND",
       "field"},
      {"ReportService.GetTraceReport", {{"tag", "Nope"}}, "NOT_FOUND", "tag"},
  };
  for (const Case& c : cases) {
    CallResult result = Call(c.rpc, c.request);
    EXPECT_EQ(result.code, c.code) << c.rpc << " " << c.request.dump() << ": " << result.message;
    EXPECT_EQ(result.field, c.field) << c.rpc << " " << c.request.dump();
  }
}

// Who saw personal data: a sample read returns the customers' e-mails and
// names clear to the admin; the report lists those columns and not the
// others, with the audit record they came from.
TEST_P(ReportTest, TheAccessReportListsWhoSawPersonalColumns) {
  const std::string from = "2000-01-01T00:00:00Z";
  json sample = {{"rows", {{{"id", 1}, {"email", "zoe@example.com"}, {"name", "Zoe"},
                            {"country", "FR"}}}}};
  ASSERT_EQ(Call("SampleService.PutSample",
                 {{"namespace", kCrm}, {"dataset", "customers"}, {"sample", sample}})
                .code,
            "OK");
  ASSERT_EQ(Call("SampleService.GetSample", {{"namespace", kCrm}, {"dataset", "customers"}}).code,
            "OK");
  CallResult result =
      Call("ReportService.GetAccessReport", {{"principal", "admin"}, {"from", from}});
  ASSERT_EQ(result.code, "OK") << result.message;
  EXPECT_EQ(result.body["auditChain"]["ok"], true) << result.body.dump();
  // The last GetSample's rows: this transport's read.
  std::map<std::string, json> read;
  for (const json& access : result.body["accesses"]) {
    if (access["action"] == "SampleService.GetSample") read[access["column"]["field"]] = access;
  }
  ASSERT_EQ(read.size(), 2u) << result.body.dump();  // email and name; id and country are not PII
  EXPECT_EQ(read["email"]["access"], "CLEAR");
  EXPECT_EQ(read["email"]["decision"], "AUDIT_ALLOWED");
  EXPECT_EQ(read["name"]["access"], "CLEAR");
  EXPECT_EQ(read["email"]["column"]["namespace"], kCrm);
  // Reading metadata of a dataset holding PII is listed too, without a column.
  bool metadata = false;
  for (const json& access : result.body["accesses"]) {
    metadata |= access["access"] == "METADATA" && access["column"]["dataset"] == "customers" &&
                access["column"].value("field", "") == "";
  }
  EXPECT_TRUE(metadata) << result.body.dump();

  // Only the window asked for, and only the principal asked for.
  result = Call("ReportService.GetAccessReport", {{"principal", "nobody"}});
  ASSERT_EQ(result.code, "OK");
  EXPECT_EQ(result.body.value("accesses", json::array()).size(), 0u);
  result = Call("ReportService.GetAccessReport",
                {{"from", "2000-01-01T00:00:00Z"}, {"to", "2000-01-02T00:00:00Z"}});
  EXPECT_EQ(result.body.value("accesses", json::array()).size(), 0u);
  // Bad input names the field.
  result = Call("ReportService.GetAccessReport",
                {{"from", "2026-02-01T00:00:00Z"}, {"to", "2026-01-01T00:00:00Z"}});
  EXPECT_EQ(result.code, "INVALID_ARGUMENT");
  EXPECT_EQ(result.field, "to");
  result = Call("ReportService.GetAccessReport", {{"format", "xml"}});
  EXPECT_EQ(result.field, "format");
}

INSTANTIATE_TEST_SUITE_P(Transports, ReportTest, ::testing::Values("rest", "grpc"));

}  // namespace
}  // namespace cadastre::testing
