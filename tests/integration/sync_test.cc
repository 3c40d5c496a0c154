// Sync against the real server (docs/sync.md): the modes' rules, a dry run
// that answers exactly what the import then does, idempotent imports,
// export → import as a no-op, external ids (and renames through them),
// lineage records as the whole truth of a job's output, bad records skipped
// or refusing the whole import, permissions, the change feed over REST and
// its gRPC stream, and a 50,000-record import.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "cadastre/v1/sync.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "rpc_transport.h"
#include "server_process.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

using nlohmann::json;

constexpr char kCrm[] = "postgres://crm:5432";
constexpr char kDwh[] = "dwh";

json Doc(json datasets, json extra = json::object()) {
  json doc = {{"formatVersion", 1}, {"datasets", std::move(datasets)}};
  for (auto& [key, value] : extra.items()) doc[key] = value;
  return doc;
}

json Customers() {
  return {
      {"namespace", kCrm},
      {"name", "public.customers"},
      {"description", "One row per customer."},
      {"domain", "sales"},
      {"owners", json::array({{{"name", "crm-team"}, {"type", "TEAM"}}})},
      {"tags", {"Tier.Gold"}},
      {"customProperties", {{"retention", "7y"}}},
      {"columns", json::array({{{"name", "id"}, {"type", "bigint"}, {"description", "Key"}},
                               {{"name", "email"}, {"type", "text"}, {"tags", {"PII.Email"}}}})}};
}

json DimCustomer() {
  return {{"namespace", kDwh},
          {"name", "dim_customer"},
          {"columns", json::array({{{"name", "customer_id"}}, {{"name", "email_hash"}}})}};
}

json Edge(const std::string& job, const std::string& source_field,
          const std::string& target_field) {
  return {
      {"job", {{"namespace", "sync"}, {"name", job}}},
      {"source", {{"namespace", kCrm}, {"dataset", "public.customers"}, {"field", source_field}}},
      {"target", {{"namespace", kDwh}, {"dataset", "dim_customer"}, {"field", target_field}}}};
}

class SyncTest : public SuiteServerTest<SyncTest>,
                 public ::testing::WithParamInterface<std::string> {
 public:
  static ServerOptions Options() {
    ServerOptions options;
    options.max_body_bytes = 64 << 20;  // the 50,000-record document
    return options;
  }

 protected:
  std::unique_ptr<RpcTransport> Transport(const std::string& token = "") {
    return GetParam() == "rest" ? MakeRestTransport(server(), token)
                                : MakeGrpcTransport(server(), token);
  }

  CallResult Call(std::string_view rpc, const json& request, const std::string& token = "") {
    return Transport(token)->Call(rpc, request);
  }

  // An import that must be answered OK.
  json Import(const json& doc, json options = json::object(), const std::string& token = "") {
    options["document"] = doc.dump();
    CallResult result = Call("SyncService.Import", options, token);
    EXPECT_EQ(result.transport_error, "");
    EXPECT_EQ(result.code, "OK") << result.message << result.raw;
    return result.body;
  }

  json Dataset(const std::string& ns, const std::string& name) {
    CallResult result = Call("CatalogService.GetDataset", {{"namespace", ns}, {"name", name}});
    EXPECT_EQ(result.code, "OK") << ns << " " << name << ": " << result.message;
    return result.body;
  }

  json Export(json request = json::object()) {
    CallResult result = Call("SyncService.Export", request);
    EXPECT_EQ(result.code, "OK") << result.message;
    return result.body;
  }

  std::string Cursor() {
    std::string cursor;
    while (true) {
      CallResult page = Call("SyncService.ListChanges", {{"cursor", cursor}, {"limit", 1000}});
      EXPECT_EQ(page.code, "OK") << page.message;
      if (page.code != "OK" || page.body["changes"].empty()) return cursor;
      cursor = page.body["nextCursor"].get<std::string>();
    }
  }

  static json FieldNamed(const json& dataset, const std::string& name) {
    for (const json& field : dataset["fields"]) {
      if (field["name"] == name) return field;
    }
    return nullptr;
  }

  static std::set<std::string> Actions(const json& response) {
    std::set<std::string> out;
    for (const json& r : response["results"]) {
      out.insert(r["record"].get<std::string>() + " " + r["action"].get<std::string>());
    }
    return out;
  }
};

INSTANTIATE_TEST_SUITE_P(Transports, SyncTest, ::testing::Values("rest", "grpc"));

TEST_P(SyncTest, ADryRunAnswersExactlyWhatTheImportDoesAndChangesNothing) {
  const json doc =
      Doc(json::array({Customers(), DimCustomer()}),
          {{"glossaryTerms", json::array({{{"name", "Customer"}, {"definition", "Buys."}}})},
           {"lineage", json::array({Edge("mask_email", "email", "email_hash")})}});
  const std::string before = Cursor();
  json dry = Import(doc, {{"dryRun", true}});
  EXPECT_TRUE(dry["dryRun"].get<bool>());
  EXPECT_EQ(dry["created"], 4);
  EXPECT_EQ(dry["failed"], 0);
  EXPECT_EQ(Cursor(), before) << "a dry run wrote history";
  EXPECT_EQ(
      Call("CatalogService.GetDataset", {{"namespace", kCrm}, {"name", "public.customers"}}).code,
      "NOT_FOUND");

  json real = Import(doc);
  EXPECT_FALSE(real["dryRun"].get<bool>());
  dry.erase("dryRun");
  real.erase("dryRun");
  EXPECT_EQ(dry, real);
  json customers = Dataset(kCrm, "public.customers");
  EXPECT_EQ(customers["description"], "One row per customer.");
  EXPECT_EQ(FieldNamed(customers, "email")["tags"], json({"PII.Email"}));
  // The lineage edge is in the graph: the target column lists its input.
  json dim = Dataset(kDwh, "dim_customer");
  ASSERT_EQ(dim["columnLineage"].size(), 1u) << dim.dump();
  EXPECT_EQ(dim["columnLineage"][0]["inputFields"][0]["field"], "email");
}

TEST_P(SyncTest, ImportingTheSameDocumentAgainChangesNothing) {
  const json doc = Doc(json::array({Customers(), DimCustomer()}),
                       {{"lineage", json::array({Edge("mask_email", "email", "email_hash")})}});
  Import(doc);
  const std::string cursor = Cursor();
  for (const char* mode : {"DIFF", "FULL", "APPEND"}) {
    json again = Import(doc, {{"mode", mode}});
    EXPECT_EQ(again["unchanged"], 3) << mode << again.dump();
    EXPECT_TRUE(again["results"].empty()) << mode << again.dump();
  }
  EXPECT_EQ(Cursor(), cursor) << "an unchanged import wrote history";
}

TEST_P(SyncTest, DiffMergesAttributesAndSetsTheRelationsARecordGives) {
  Import(Doc(json::array({Customers()})));
  json record = {{"namespace", kCrm},
                 {"name", "public.customers"},
                 {"tags", {"Tier.Silver"}},
                 {"customProperties", {{"tier", "2"}}},
                 {"columns", json::array({{{"name", "email"}, {"description", "Where receipts go"}},
                                          {{"name", "created_at"}, {"type", "timestamp"}}})}};
  json result = Import(Doc(json::array({record})));
  EXPECT_EQ(result["updated"], 1);
  json d = Dataset(kCrm, "public.customers");
  EXPECT_EQ(d["description"], "One row per customer.") << "an attribute left out is kept";
  EXPECT_EQ(d["tags"], json({"Tier.Silver"})) << "a relation given is set";
  EXPECT_EQ(d["customProperties"], json({{"retention", "7y"}, {"tier", "2"}}));
  EXPECT_EQ(FieldNamed(d, "email")["description"], "Where receipts go");
  EXPECT_EQ(FieldNamed(d, "email")["tags"], json({"PII.Email"})) << "tags left out are kept";
  EXPECT_FALSE(FieldNamed(d, "id").is_null()) << "an unlisted column stays";
  EXPECT_EQ(FieldNamed(d, "created_at")["ordinalPosition"], 3);
  // The result says what changed, attribute by attribute.
  std::set<std::string> paths;
  for (const json& change : result["results"][0]["changes"]) paths.insert(change["path"]);
  EXPECT_TRUE(paths.count("tags") && paths.count("fields[email].description") &&
              paths.count("fields[created_at]") && paths.count("customProperties.tier"))
      << result.dump();
}

TEST_P(SyncTest, AppendOnlyAdds) {
  Import(Doc(json::array({Customers()})));
  json record = {
      {"namespace", kCrm},
      {"name", "public.customers"},
      {"description", "Overwritten?"},
      {"displayName", "Customers"},
      {"tags", {"Tier.Silver"}},
      {"columns", json::array({{{"name", "email"}, {"tags", {"PII"}}}, {{"name", "phone"}}})}};
  Import(Doc(json::array({record, {{"namespace", kDwh}, {"name", "new_table"}}})),
         {{"mode", "APPEND"}});
  json d = Dataset(kCrm, "public.customers");
  EXPECT_EQ(d["description"], "One row per customer.") << "APPEND changed a set attribute";
  EXPECT_EQ(d["displayName"], "Customers") << "an empty attribute is filled";
  EXPECT_EQ(d["tags"], json({"Tier.Gold", "Tier.Silver"}));
  EXPECT_EQ(FieldNamed(d, "email")["tags"], json({"PII.Email", "PII"}));
  EXPECT_FALSE(FieldNamed(d, "phone").is_null());
  Dataset(kDwh, "new_table");
}

TEST_P(SyncTest, FullReplacesRecordsAndTreatsWhatIsMissingAsAsked) {
  json other = {{"namespace", kCrm}, {"name", "public.orders"}, {"description", "Orders"}};
  json gone = {{"namespace", kCrm}, {"name", "public.legacy"}};
  Import(Doc(json::array({Customers(), other, gone}),
             {{"glossaryTerms", json::array({{{"name", "Old"}},
                                             {{"name", "Kept"}},
                                             {{"name", "OldChild"}, {"parent", "Old"}}})}}));

  // KEEP (the default): nothing outside the document is touched; the
  // record replaces its dataset.
  json only_id = {{"namespace", kCrm},
                  {"name", "public.customers"},
                  {"columns", json::array({{{"name", "id"}, {"type", "bigint"}}})}};
  json kept = Import(Doc(json::array({only_id, other})), {{"mode", "FULL"}});
  EXPECT_EQ(kept["deprecated"], 0);
  EXPECT_EQ(kept["removed"], 0);
  json d = Dataset(kCrm, "public.customers");
  EXPECT_EQ(d["description"], "") << "FULL clears what the record leaves out";
  EXPECT_TRUE(d["tags"].empty());
  ASSERT_EQ(d["fields"].size(), 1u) << "FULL removes unlisted columns";
  Dataset(kCrm, "public.legacy");

  // DEPRECATE marks the missing dataset and, with the glossary in scope, terms.
  json scope = {{"scope", {{"namespaces", {kCrm}}, {"glossary", true}}},
                {"glossaryTerms", json::array({{{"name", "Kept"}}})}};
  json deprecated = Import(Doc(json::array({only_id, other}), scope),
                           {{"mode", "FULL"}, {"missing", "DEPRECATE"}});
  EXPECT_EQ(deprecated["deprecated"], 3) << deprecated.dump();
  EXPECT_EQ(Dataset(kCrm, "public.legacy")["customProperties"]["status"], "deprecated");
  EXPECT_EQ(Call("GlossaryService.GetTerm", {{"name", "Old"}}).body["status"], "DEPRECATED");
  EXPECT_EQ(Call("GlossaryService.GetTerm", {{"name", "Kept"}}).body["status"], "DRAFT");

  // REMOVE soft-deletes the dataset and deletes the terms (a child before
  // its parent, whatever their order).
  json removed =
      Import(Doc(json::array({only_id, other}), scope), {{"mode", "FULL"}, {"missing", "REMOVE"}});
  EXPECT_EQ(removed["removed"], 3) << removed.dump();
  EXPECT_EQ(removed["failed"], 0) << removed.dump();
  EXPECT_EQ(
      Call("CatalogService.GetDataset", {{"namespace", kCrm}, {"name", "public.legacy"}}).code,
      "NOT_FOUND");
  EXPECT_EQ(Call("GlossaryService.GetTerm", {{"name", "Old"}}).code, "NOT_FOUND");
  EXPECT_EQ(Call("GlossaryService.GetTerm", {{"name", "OldChild"}}).code, "NOT_FOUND");
  Dataset(kCrm, "public.orders");

  // `missing` belongs to FULL.
  CallResult wrong =
      Call("SyncService.Import",
           {{"document", Doc(json::array()).dump()}, {"mode", "DIFF"}, {"missing", "REMOVE"}});
  EXPECT_EQ(wrong.code, "INVALID_ARGUMENT");
  EXPECT_EQ(wrong.field, "missing");
}

TEST_P(SyncTest, ExportThenImportIsANoOpInEveryMode) {
  Import(Doc(json::array({Customers(), DimCustomer()}),
             {{"externalSystem", "collibra"},
              {"glossaryTerms", json::array({{{"name", "Customer"},
                                              {"externalId", "t-1"},
                                              {"synonyms", {"Client"}},
                                              {"status", "APPROVED"}}})},
              {"lineage", json::array({Edge("mask_email", "email", "email_hash")})}}));
  ASSERT_EQ(Call("GlossaryService.LinkTerm", {{"namespace", kCrm},
                                              {"dataset", "public.customers"},
                                              {"field", "id"},
                                              {"term", "Customer"}})
                .code,
            "OK");
  const json request = {
      {"externalSystem", "collibra"}, {"includeGlossary", true}, {"includeLineage", true}};
  json exported = Export(request);
  EXPECT_EQ(exported.dump(), Export(request).dump()) << "two exports differ";
  EXPECT_EQ(exported["glossaryTerms"][0]["externalId"], "t-1");
  ASSERT_EQ(exported["lineage"].size(), 1u);
  const std::string cursor = Cursor();
  for (const char* mode : {"DIFF", "FULL", "APPEND"}) {
    json again = Import(
        exported, {{"mode", mode}, {"missing", std::string(mode) == "FULL" ? "REMOVE" : "KEEP"}});
    EXPECT_EQ(again["failed"], 0) << again.dump();
    EXPECT_TRUE(again["results"].empty()) << mode << ": " << again["results"].dump();
  }
  EXPECT_EQ(Cursor(), cursor);
}

TEST_P(SyncTest, ExternalIdsNameRecordsAndRenameDatasets) {
  json record = Customers();
  record["externalId"] = "a5e1-77";
  Import(Doc(json::array({record}), {{"externalSystem", "collibra"}}));
  // By id alone.
  json by_id = {{"externalId", "a5e1-77"}, {"description", "Renamed in Collibra"}};
  json updated = Import(Doc(json::array({by_id}), {{"externalSystem", "collibra"}}));
  EXPECT_EQ(updated["updated"], 1) << updated.dump();
  EXPECT_EQ(Dataset(kCrm, "public.customers")["description"], "Renamed in Collibra");
  // The same id with a new name renames the dataset.
  json renamed = {{"externalId", "a5e1-77"}, {"namespace", kCrm}, {"name", "public.clients"}};
  json result = Import(Doc(json::array({renamed}), {{"externalSystem", "collibra"}}));
  EXPECT_EQ(result["results"][0]["changes"][0]["path"], "name") << result.dump();
  EXPECT_EQ(
      Call("CatalogService.GetDataset", {{"namespace", kCrm}, {"name", "public.customers"}}).code,
      "NOT_FOUND");
  EXPECT_EQ(Dataset(kCrm, "public.clients")["description"], "Renamed in Collibra");
  EXPECT_EQ(Export({{"externalSystem", "collibra"}})["datasets"][0]["externalId"], "a5e1-77");
  // An unknown id without a name, and an id without a system, are bad records.
  CallResult unknown = Call(
      "SyncService.Import",
      {{"document",
        Doc(json::array({{{"externalId", "nope"}}}), {{"externalSystem", "collibra"}}).dump()}});
  EXPECT_EQ(unknown.code, "INVALID_ARGUMENT");
  EXPECT_EQ(unknown.field, "datasets[0].name");
  CallResult unscoped =
      Call("SyncService.Import", {{"document", Doc(json::array({record})).dump()}});
  EXPECT_EQ(unscoped.field, "datasets[0].externalId");
}

TEST_P(SyncTest, ALineageGroupIsTheWholeTruthOfWhatItsJobWritesThere) {
  Import(Doc(json::array({Customers(), DimCustomer()}),
             {{"lineage", json::array({Edge("load", "email", "email_hash"),
                                       Edge("load", "id", "customer_id")})}}));
  // APPEND adds an edge and closes none.
  json appended =
      Import(Doc(json::array(), {{"lineage", json::array({Edge("load", "id", "email_hash")})}}),
             {{"mode", "APPEND"}});
  EXPECT_EQ(appended["created"], 1);
  EXPECT_EQ(appended["removed"], 0);
  // DIFF: the group names one edge, so the job's other two into dim_customer close.
  json diff =
      Import(Doc(json::array(), {{"lineage", json::array({Edge("load", "id", "customer_id")})}}));
  EXPECT_EQ(diff["removed"], 2) << diff.dump();
  EXPECT_EQ(diff["unchanged"], 1);
  json dim = Dataset(kDwh, "dim_customer");
  ASSERT_EQ(dim["columnLineage"].size(), 1u) << dim.dump();
  EXPECT_EQ(dim["columnLineage"][0]["name"], "customer_id");
  // A column that does not exist is a bad record.
  CallResult bad =
      Call("SyncService.Import",
           {{"document",
             Doc(json::array(), {{"lineage", json::array({Edge("load", "nope", "customer_id")})}})
                 .dump()}});
  EXPECT_EQ(bad.code, "INVALID_ARGUMENT");
  EXPECT_EQ(bad.field, "lineage[0].source");
}

TEST_P(SyncTest, BadRecordsAreSkippedOrRefuseTheWholeImport) {
  json good = DimCustomer();
  json bad_tag = Customers();
  bad_tag["columns"][1]["tags"] = {"not a tag!"};
  json bad_type = {{"namespace", kCrm}, {"name", "t"}, {"tags", "PII"}};
  json bad_term = {{"namespace", kCrm},
                   {"name", "u"},
                   {"columns", json::array({{{"name", "c"}, {"glossaryTerms", {"Nowhere"}}}})}};
  const json doc = Doc(json::array({good, bad_tag, bad_type, bad_term}));

  CallResult refused = Call("SyncService.Import", {{"document", doc.dump()}});
  EXPECT_EQ(refused.code, "INVALID_ARGUMENT");
  EXPECT_EQ(refused.field, "datasets[1].columns[1].tags[0]") << refused.message;
  EXPECT_NE(refused.message.find("3 of 4 records failed"), std::string::npos) << refused.message;
  EXPECT_NE(refused.message.find("datasets[2].tags: must be an array of strings"),
            std::string::npos)
      << refused.message;
  EXPECT_EQ(Call("CatalogService.GetDataset", {{"namespace", kDwh}, {"name", "dim_customer"}}).code,
            "NOT_FOUND")
      << "a refused import changed something";

  json skipped = Import(doc, {{"onError", "SKIP"}});
  EXPECT_EQ(skipped["created"], 1);
  EXPECT_EQ(skipped["failed"], 3);
  std::map<std::string, std::string> errors;
  for (const json& r : skipped["results"]) {
    if (r["action"] == "FAILED") errors[r["record"]] = r["error"];
  }
  EXPECT_EQ(errors["datasets[1]"].rfind("datasets[1].columns[1].tags[0]:", 0), 0u)
      << errors["datasets[1]"];
  EXPECT_EQ(errors["datasets[3]"],
            "datasets[3].columns[0].glossaryTerms[0]: unknown glossary term 'Nowhere'");
  Dataset(kDwh, "dim_customer");

  // A malformed document is refused as a whole, naming the member.
  for (const auto& [text, field] : std::vector<std::pair<std::string, std::string>>{
           {"not json", "document"},
           {"[]", "document"},
           {R"({"datasets": {}})", "datasets"},
           {R"({"dataset": []})", "dataset"},
           {R"({"formatVersion": 2})", "formatVersion"}}) {
    CallResult result = Call("SyncService.Import", {{"document", text}});
    EXPECT_EQ(result.code, "INVALID_ARGUMENT") << text;
    EXPECT_EQ(result.field, field) << text << ": " << result.message;
  }
}

TEST_P(SyncTest, PermissionsAreThoseOfTheSingleCalls) {
  Import(Doc(
      json::array({Customers(), {{"namespace", kCrm}, {"name", "payroll"}, {"domain", "hr"}}})));
  ASSERT_EQ(
      Call("AccessService.PutPrincipal",
           {{"name", "sales-steward"},
            {"principal", {{"kind", "user"}, {"roles", {"steward"}}, {"domains", {"sales"}}}}})
          .code,
      "OK");
  ASSERT_EQ(Call("AccessService.PutPrincipal",
                 {{"name", "reader"}, {"principal", {{"kind", "user"}, {"roles", {"analyst"}}}}})
                .code,
            "OK");
  const std::string steward =
      Call("AccessService.CreateToken", {{"principal", "sales-steward"}}).body["token"];
  const std::string reader =
      Call("AccessService.CreateToken", {{"principal", "reader"}}).body["token"];

  CallResult denied =
      Call("SyncService.Import", {{"document", Doc(json::array({Customers()})).dump()}}, reader);
  EXPECT_EQ(denied.code, "PERMISSION_DENIED");

  // The steward edits sales but cannot touch (nor learn about) hr's payroll.
  json hidden = {{"namespace", kCrm}, {"name", "payroll"}, {"description", "mine now"}};
  json mine = {{"namespace", kCrm}, {"name", "public.customers"}, {"description", "Edited"}};
  json result = Import(Doc(json::array({mine, hidden})), {{"onError", "SKIP"}}, steward);
  EXPECT_EQ(result["updated"], 1);
  ASSERT_EQ(result["failed"], 1);
  EXPECT_EQ(result["results"][1]["errorCode"], "PERMISSION_DENIED");
  EXPECT_EQ(result["results"][1]["error"], "datasets[1]: permission denied");
  // Export and the change feed leave the hidden dataset out.
  CallResult exported = Call("SyncService.Export", json::object(), steward);
  ASSERT_EQ(exported.code, "OK");
  EXPECT_EQ(exported.body["datasets"].size(), 1u) << exported.body.dump();
  CallResult changes = Call("SyncService.ListChanges", {{"limit", 1000}}, steward);
  ASSERT_EQ(changes.code, "OK");
  for (const json& change : changes.body["changes"]) {
    EXPECT_EQ(change["name"].get<std::string>().find("payroll"), std::string::npos)
        << change.dump();
  }
}

TEST_P(SyncTest, TheChangeFeedResumesFromACursor) {
  const std::string start = Cursor();
  Import(Doc(json::array({Customers()})));
  CallResult page = Call("SyncService.ListChanges", {{"cursor", start}, {"limit", 2}});
  ASSERT_EQ(page.code, "OK");
  ASSERT_EQ(page.body["changes"].size(), 2u);
  const std::string next = page.body["nextCursor"];
  EXPECT_EQ(next, page.body["changes"][1]["cursor"]);
  CallResult rest = Call("SyncService.ListChanges", {{"cursor", next}, {"limit", 1000}});
  std::vector<std::string> types;
  for (const json& c : rest.body["changes"]) types.push_back(c["entityType"]);
  EXPECT_EQ(types.back(), "dataset");
  const json last = rest.body["changes"].back();
  EXPECT_EQ(last["operation"], "CREATE");
  EXPECT_EQ(last["namespace"], kCrm);
  EXPECT_EQ(last["name"], "public.customers");
  EXPECT_EQ(last["actor"], "admin");
  EXPECT_EQ(last["snapshot"]["description"], "One row per customer.");
  CallResult bad = Call("SyncService.ListChanges", {{"cursor", "yesterday"}});
  EXPECT_EQ(bad.code, "INVALID_ARGUMENT");
  EXPECT_EQ(bad.field, "cursor");
}

// The gRPC stream sends the backlog, then a change as it commits.
TEST_P(SyncTest, WatchChangesStreamsNewChanges) {
  if (GetParam() != "grpc") GTEST_SKIP() << "a gRPC stream";
  auto stub = cadastre::v1::SyncService::NewStub(server().channel());
  grpc::ClientContext context;
  server().PrepareContext(&context);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  cadastre::v1::WatchChangesRequest request;
  request.set_cursor(Cursor());
  auto reader = stub->WatchChanges(&context, request);
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    Import(Doc(json::array({DimCustomer()})));
  });
  cadastre::v1::Change change;
  bool found = false;
  while (!found && reader->Read(&change)) {
    found = change.entity_type() == "dataset" && change.name() == "dim_customer";
  }
  writer.join();
  EXPECT_TRUE(found);
  context.TryCancel();
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED) << status.error_message();
}

TEST_P(SyncTest, FiftyThousandRecordsInOneImport) {
  if (GetParam() != "rest") GTEST_SKIP() << "one transport is enough for the size";
  // 24 edges into each of t1..t1999, and datasets enough to make 50,000.
  constexpr int kDatasets = 2024, kColumns = 25, kEdges = 1999 * 24;
  json datasets = json::array();
  for (int d = 0; d < kDatasets; d++) {
    json columns = json::array();
    for (int c = 0; c < kColumns; c++) {
      columns.push_back({{"name", "c" + std::to_string(c)}, {"type", "int"}});
    }
    datasets.push_back({{"namespace", "bulk"},
                        {"name", "t" + std::to_string(d)},
                        {"description", "table " + std::to_string(d)},
                        {"columns", columns}});
  }
  json lineage = json::array();
  for (int e = 0; e < kEdges; e++) {
    const int target = 1 + e / 24, column = e % 24;
    lineage.push_back(
        {{"job", {{"namespace", "bulk"}, {"name", "job" + std::to_string(target % 40)}}},
         {"source",
          {{"namespace", "bulk"},
           {"dataset", "t" + std::to_string(target - 1)},
           {"field", "c" + std::to_string(column)}}},
         {"target",
          {{"namespace", "bulk"},
           {"dataset", "t" + std::to_string(target)},
           {"field", "c" + std::to_string(column + 1)}}}});
  }
  const json doc = Doc(datasets, {{"lineage", lineage}});
  // Over plain HTTP with a generous read timeout: on a busy 2-core machine
  // one import can outlast the transports' 30 s.
  auto import = [&](const std::string& body) {
    auto client = server().HttpClient();
    client->set_read_timeout(600, 0);
    auto reply = client->Post("/api/v1/sync/import", body, "application/json");
    EXPECT_TRUE(reply) << httplib::to_string(reply.error());
    if (!reply) return json();
    EXPECT_EQ(reply->status, 200) << reply->body.substr(0, 500);
    return json::parse(reply->body, nullptr, false);
  };
  json first = import(doc.dump());
  EXPECT_EQ(first["records"], 50000);
  EXPECT_EQ(first["created"], 50000);
  json second = import(doc.dump());
  EXPECT_EQ(second["unchanged"], 50000);
  EXPECT_EQ(Dataset("bulk", "t1999")["columnLineage"].size(), 24u);

  json too_many = doc;
  too_many["datasets"].push_back({{"namespace", "bulk"}, {"name", "one_more"}});
  CallResult refused = Call("SyncService.Import", {{"document", too_many.dump()}});
  EXPECT_EQ(refused.code, "INVALID_ARGUMENT");
  EXPECT_EQ(refused.field, "document");
}

}  // namespace
}  // namespace cadastre::testing
