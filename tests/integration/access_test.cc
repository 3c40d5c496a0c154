// Access control against the real server, over REST and gRPC: what each
// built-in role may do in and out of its scope, and that a dataset outside
// the caller's scope leaks nowhere (errors, listings, counts, namespaces,
// lineage, glossary, jobs). docs/access-control.md states the rules.
#include <array>
#include <functional>
#include <set>
#include <tuple>

#include "access_fixture.h"

namespace cadastre::testing {
namespace {

constexpr char kMissing[] = "matrix.nothing_here";

// One row of the matrix: a call about `dataset`, and the HTTP status each
// of kMatrixPrincipals gets for the in-scope (grid.north) and the
// out-of-scope (grid.south) dataset. Calls that name no dataset have
// north == south.
struct MatrixRow {
  std::string what;
  std::string rpc;
  std::function<json(const std::string& dataset)> request;
  std::array<int, 8> north;
  std::array<int, 8> south;
  // The call whose answer about a missing dataset a 404 must equal; empty:
  // `rpc` itself (a PUT would create the dataset, so it compares with GET).
  std::string missing_rpc = "";
  std::function<json(const std::string& dataset)> missing_request = nullptr;
};

json DatasetRequest(const std::string& dataset) { return {{"namespace", kNs}, {"name", dataset}}; }
json FieldRequest(const std::string& dataset, const char* key, const char* value) {
  return {{"namespace", kNs}, {"dataset", dataset}, {"field", "email"}, {key, value}};
}

std::vector<MatrixRow> MatrixRows(const std::string& transport) {
  constexpr int A = 200, C = 201, F = 403, N = 404;
  auto put_dataset = [](const std::string& dataset) {
    json request = DatasetRequest(dataset);
    request["dataset"] =
        DatasetBody(dataset == kMatrixNorth ? "grid.north" : "grid.south", "edited by the matrix");
    return request;
  };
  auto unscoped_only = [](auto request) {
    return MatrixRow{"", "", request, {A, F, F, F, F, F, F, F}, {A, F, F, F, F, F, F, F}};
  };
  // One row per call. The columns are kMatrixPrincipals: root, then admin,
  // steward, engineer, analyst, data_scientist, auditor and pipeline of
  // grid.north.
  // clang-format off
  std::vector<MatrixRow> rows = {
      {"read", "CatalogService.GetDataset", DatasetRequest,
       {A, A, A, A, A, A, A, N}, {A, N, N, N, N, N, N, N}},
      {"history", "CatalogService.ListDatasetVersions", DatasetRequest,
       {A, A, A, A, A, A, A, N}, {A, N, N, N, N, N, N, N}},
      // A body outside the caller's scope is refused before the name is
      // looked at, so a hidden dataset answers like a free name: 403.
      {"write", "CatalogService.PutDataset", put_dataset,
       {A, A, A, A, F, F, F, N}, {A, F, F, F, F, F, F, F},
       "CatalogService.GetDataset", DatasetRequest},
      {"classify", "CatalogService.TagField",
       [](const std::string& d) { return FieldRequest(d, "tag", "PII"); },
       {A, A, A, F, F, F, F, F}, {A, N, N, F, F, F, F, F}},
      {"glossary link", "GlossaryService.LinkTerm",
       [](const std::string& d) { return FieldRequest(d, "term", "AccMatrixTerm"); },
       {A, A, A, F, F, F, F, F}, {A, N, N, F, F, F, F, F}},
      {"lineage graph", "LineageService.GetLineage",
       [](const std::string& d) { return FieldRequest(d, "direction", "BOTH"); },
       {A, A, A, A, A, A, A, N}, {A, N, N, N, N, N, N, N}},
      {"ingest", "LineageService.IngestLineage",
       [](const std::string& d) {
         return json{{"event", RunEvent("matrix.reader", {EventDataset(kNs, d)}, {})}};
       },
       {C, C, F, C, F, F, F, C}, {C, C, F, C, F, F, F, C}},
      {"create a classification", "CatalogService.PutTag",
       [](const std::string&) { return json{{"name", "MatrixTag"}, {"tag", json::object()}}; },
       {A, A, A, F, F, F, F, F}, {A, A, A, F, F, F, F, F}},
      {"create a term", "GlossaryService.PutTerm",
       [](const std::string&) { return json{{"name", "MatrixTerm"}, {"term", json::object()}}; },
       {A, A, A, F, F, F, F, F}, {A, A, A, F, F, F, F, F}},
      // Own-dataset READ_METADATA counts as held somewhere: a pipeline may
      // read the (global) masking policies.
      {"read masking policies", "AccessService.ListMaskingPolicies",
       [](const std::string&) { return json::object(); },
       {A, A, A, A, A, A, A, A}, {A, A, A, A, A, A, A, A}},
  };
  // clang-format on
  auto add_unscoped_only = [&](std::string what, std::string rpc, json request) {
    MatrixRow row = unscoped_only([request](const std::string&) { return request; });
    row.what = std::move(what);
    row.rpc = std::move(rpc);
    rows.push_back(row);
  };
  add_unscoped_only("raw lineage events", "LineageService.ListLineageEvents", json::object());
  add_unscoped_only("list principals", "AccessService.ListPrincipals", json::object());
  add_unscoped_only("manage principals", "AccessService.PutPrincipal",
                    {{"name", "matrix-made-" + transport}, {"principal", {{"kind", "user"}}}});
  add_unscoped_only("list every grant", "AccessService.ListGrants", json::object());
  add_unscoped_only(
      "manage masking policies", "AccessService.PutMaskingPolicy",
      {{"name", "matrix-mask"}, {"policy", {{"tag", "PII"}, {"maskType", "MASK_NULL"}}}});
  return rows;
}

// An answer with `name` written as "<name>", to compare the errors about two
// datasets.
std::string Anonymous(const std::string& text, const std::string& name) {
  return ReplaceAll(text, name, "<name>");
}

TEST_P(AccessTest, EachRoleGetsExactlyItsPermissionsInAndOutOfScope) {
  for (const MatrixRow& row : MatrixRows(GetParam())) {
    std::map<std::string, CallResult> north_answers;
    for (const std::string dataset : {kMatrixNorth, kMatrixSouth}) {
      const bool north = dataset == kMatrixNorth;
      for (size_t i = 0; i < kMatrixPrincipals.size(); ++i) {
        const std::string& who = kMatrixPrincipals[i];
        const int expected = north ? row.north[i] : row.south[i];
        SCOPED_TRACE(row.what + " (" + row.rpc + ") by " + who + " on " + dataset);
        const CallResult got = As(who, row.rpc, row.request(dataset));
        EXPECT_EQ(StatusOf(got), Expected(expected)) << got.code << ": " << got.message;
        if (north) north_answers[who] = got;

        if (expected == 404) {
          // Exactly what the caller hears about a dataset that does not exist.
          const CallResult missing =
              As(who, row.missing_rpc.empty() ? row.rpc : row.missing_rpc,
                 (row.missing_request ? row.missing_request : row.request)(kMissing));
          EXPECT_EQ(missing.code, "NOT_FOUND") << missing.message;
          EXPECT_EQ(got.code, missing.code);
          EXPECT_EQ(got.field, missing.field);
          EXPECT_EQ(Anonymous(got.message, dataset), Anonymous(missing.message, kMissing));
          EXPECT_EQ(Anonymous(got.raw, dataset), Anonymous(missing.raw, kMissing));
        }
        if (!north && expected == 403 && row.north[i] == 403) {
          // A refusal says nothing about where the dataset lies.
          EXPECT_EQ(got.message, north_answers[who].message);
        }
      }
    }
  }
}

// ------------------------------------------------------------------- no leak

// Whether `answer` names anything of grid.south (dataset names, domain).
bool NamesTheSouth(const json& answer) { return answer.dump().find("south") != std::string::npos; }

TEST_P(AccessTest, ListingsCountsAndNamespacesShowOnlyWhatTheCallerSees) {
  // Namespaces: the one that holds only grid.south datasets is not there.
  const CallResult namespaces = As("m-analyst", "CatalogService.ListNamespaces", {{"limit", 1000}});
  ASSERT_EQ(namespaces.code, "OK") << namespaces.message;
  std::set<std::string> names;
  for (const json& ns : namespaces.body["namespaces"]) names.insert(ns["name"].get<std::string>());
  EXPECT_TRUE(names.count(kNs));
  EXPECT_FALSE(names.count(kSouthNs));
  EXPECT_EQ(namespaces.body["totalCount"], names.size());
  const CallResult all = As("root", "CatalogService.ListNamespaces", {{"limit", 1000}});
  EXPECT_GT(all.body["totalCount"].get<int>(), namespaces.body["totalCount"].get<int>());

  // ... and answers like a namespace that does not exist, for every way in.
  const std::string nowhere = "postgres://nowhere:5432";
  for (const auto& [rpc, request] : std::vector<std::pair<std::string, json>>{
           {"CatalogService.GetNamespace", {{"name", kSouthNs}}},
           {"CatalogService.ListDatasets", {{"namespace", kSouthNs}}},
           {"CatalogService.GetDataset", {{"namespace", kSouthNs}, {"name", kOnlySouth}}}}) {
    SCOPED_TRACE(rpc);
    const CallResult hidden = As("m-analyst", rpc, request);
    json missing_request = request;
    missing_request[rpc == "CatalogService.GetNamespace" ? "name" : "namespace"] = nowhere;
    const CallResult missing = As("m-analyst", rpc, missing_request);
    EXPECT_EQ(hidden.code, "NOT_FOUND");
    EXPECT_EQ(hidden.field, missing.field);
    EXPECT_EQ(Anonymous(hidden.message, kSouthNs), Anonymous(missing.message, nowhere));
    EXPECT_EQ(Anonymous(hidden.raw, kSouthNs), Anonymous(missing.raw, nowhere));
  }

  // Datasets: the visible ones, counted as such, page by page, and each as
  // the admin sees it.
  const CallResult mine = As("m-analyst", "CatalogService.ListDatasets", {{"namespace", kNs}});
  const CallResult every = As("root", "CatalogService.ListDatasets", {{"namespace", kNs}});
  ASSERT_EQ(mine.code, "OK") << mine.message;
  std::vector<json> expected;
  for (const json& dataset : every.body["datasets"]) {
    if (dataset["domain"] == "grid.north") expected.push_back(dataset);
  }
  ASSERT_GE(expected.size(), 3u);
  EXPECT_EQ(mine.body["datasets"], json(expected));
  EXPECT_EQ(mine.body["totalCount"], expected.size());
  EXPECT_FALSE(NamesTheSouth(mine.body));
  const CallResult page = As("m-analyst", "CatalogService.ListDatasets",
                             {{"namespace", kNs}, {"limit", 1}, {"offset", 1}});
  ASSERT_EQ(page.body["datasets"].size(), 1u);
  EXPECT_EQ(page.body["datasets"][0], expected[1]);
  EXPECT_EQ(page.body["totalCount"], expected.size());
}

TEST_P(AccessTest, LineageShowsAHiddenDatasetAsARedactedNode) {
  struct Walk {
    std::string what;
    json request;
    std::string first, last;  // the visible ends' node ids
  };
  const std::string prefix = std::string("datasetField:") + kNs + ":";
  const std::vector<Walk> walks = {
      {"columns downstream",
       {{"namespace", kNs},
        {"dataset", "leak.src"},
        {"field", "email"},
        {"direction", "DOWNSTREAM"}},
       prefix + "leak.src:email",
       prefix + "leak.dst:email_hash"},
      {"columns upstream",
       {{"namespace", kNs},
        {"dataset", "leak.dst"},
        {"field", "email_hash"},
        {"direction", "UPSTREAM"}},
       prefix + "leak.dst:email_hash",
       prefix + "leak.src:email"},
      {"datasets downstream",
       {{"namespace", kNs},
        {"dataset", "leak.src"},
        {"direction", "DOWNSTREAM"},
        {"granularity", "DATASET"}},
       std::string("dataset:") + kNs + ":leak.src",
       std::string("dataset:") + kNs + ":leak.dst"},
  };
  for (const Walk& walk : walks) {
    SCOPED_TRACE(walk.what);
    const CallResult seen = As("m-analyst", "LineageService.GetLineage", walk.request);
    ASSERT_EQ(seen.code, "OK") << seen.message;
    EXPECT_FALSE(NamesTheSouth(seen.body)) << seen.body.dump();
    EXPECT_EQ(seen.body.dump().find("acc.step"), std::string::npos) << "a job touching it is named";
    std::map<std::string, json> nodes;
    for (const json& node : seen.body["nodes"]) nodes[node["id"].get<std::string>()] = node;
    ASSERT_EQ(nodes.size(), 3u) << seen.body.dump();
    EXPECT_EQ(nodes[walk.first]["depth"], 0);
    EXPECT_EQ(nodes[walk.last]["depth"], 2);
    ASSERT_TRUE(nodes.count("redacted:1")) << seen.body.dump();
    const json& redacted = nodes["redacted:1"];
    EXPECT_EQ(redacted["redacted"], true);
    EXPECT_EQ(redacted["depth"], 1);
    EXPECT_EQ(redacted.value("ref", json::object()).value("namespace", ""), "");
    EXPECT_EQ(redacted.value("ref", json::object()).value("dataset", ""), "");
    EXPECT_EQ(nodes[walk.first].value("redacted", false), false);
    // Both edges run through the redacted node and name no job.
    ASSERT_EQ(seen.body["edges"].size(), 2u) << seen.body.dump();
    for (const json& edge : seen.body["edges"]) {
      EXPECT_TRUE(edge["source"] == "redacted:1" || edge["target"] == "redacted:1") << edge.dump();
      EXPECT_EQ(edge.value("job", json::object()).value("name", ""), "") << edge.dump();
    }

    // The admin sees the same walk with names: the test would notice a leak.
    const CallResult full = As("root", "LineageService.GetLineage", walk.request);
    EXPECT_TRUE(NamesTheSouth(full.body)) << full.body.dump();
  }

  // Paths through it, Marquez's graphs, impact, and a dataset's inherited
  // classifications and column lineage name no hidden dataset either.
  const std::string src = std::string("dataset:") + kNs + ":leak.src";
  const std::string dst_field = std::string("datasetField:") + kNs + ":leak.dst:email_hash";
  for (const auto& [rpc, request] : std::vector<std::pair<std::string, json>>{
           {"LineageService.GetLineagePaths",
            {{"from", {{"namespace", kNs}, {"dataset", "leak.src"}, {"field", "email"}}},
             {"to", {{"namespace", kNs}, {"dataset", "leak.dst"}, {"field", "email_hash"}}}}},
           {"LineageService.GetMarquezLineage", {{"nodeId", src}}},
           {"LineageService.GetMarquezColumnLineage", {{"nodeId", dst_field}}},
           {"LineageService.GetImpact",
            {{"namespace", kNs}, {"dataset", "leak.src"}, {"field", "email"}}},
           {"LineageService.ListPersonalDataLeaks", json::object()},
           {"LineageService.ListPersonalDataLeaks", {{"view", "FULL"}}},
           {"CatalogService.GetDataset", {{"namespace", kNs}, {"name", "leak.dst"}}},
           {"CatalogService.GetDataset",
            {{"namespace", kNs}, {"name", "leak.dst"}, {"view", "FULL"}}}}) {
    SCOPED_TRACE(rpc);
    const CallResult seen = As("m-analyst", rpc, request);
    ASSERT_EQ(seen.code, "OK") << seen.message;
    EXPECT_FALSE(NamesTheSouth(seen.body)) << seen.body.dump();
    EXPECT_TRUE(NamesTheSouth(As("root", rpc, request).body)) << "root should see the south";
    // Dataset reads are kept for the next caller (docs/lineage.md): what
    // root was just shown is still not shown to the analyst.
    EXPECT_FALSE(NamesTheSouth(As("m-analyst", rpc, request).body));
  }

  // Marquez's graph: src -> job -> [redacted] -> job -> dst, the jobs next
  // to the hidden dataset unnamed as well.
  const CallResult marquez = As("m-analyst", "LineageService.GetMarquezLineage", {{"nodeId", src}});
  std::map<std::string, std::string> types;
  for (const json& node : marquez.body["graph"]) types[node["id"]] = node["type"];
  EXPECT_EQ(marquez.body.dump().find("acc.step"), std::string::npos) << marquez.body.dump();
  EXPECT_EQ(types, (std::map<std::string, std::string>{
                       {src, "DATASET"},
                       {std::string("dataset:") + kNs + ":leak.dst", "DATASET"},
                       {"redacted:1", "DATASET"},
                       {"redacted:job:1", "JOB"},
                       {"redacted:job:2", "JOB"}}))
      << marquez.body.dump();
  EXPECT_NE(As("root", "LineageService.GetMarquezLineage", {{"nodeId", src}})
                .body.dump()
                .find("acc.step"),
            std::string::npos);

  const CallResult impact = As("m-analyst", "LineageService.GetImpact",
                               {{"namespace", kNs}, {"dataset", "leak.src"}, {"field", "email"}});
  EXPECT_EQ(impact.body["datasetCount"], 1) << impact.body.dump();
  EXPECT_EQ(impact.body["columns"],
            json::parse(R"([{"namespace":")" + std::string(kNs) +
                        R"(","dataset":"leak.dst","field":"email_hash"}])"));
  const CallResult leaks = As("m-analyst", "LineageService.ListPersonalDataLeaks", json::object());
  ASSERT_EQ(leaks.body["leaks"].size(), 1u) << leaks.body.dump();
  EXPECT_EQ(leaks.body["leaks"][0]["column"]["dataset"], "leak.dst");
  const CallResult destination =
      As("m-analyst", "CatalogService.GetDataset", {{"namespace", kNs}, {"name", "leak.dst"}});
  const json& inherited = destination.body["fields"][1]["inheritedTags"];
  ASSERT_EQ(inherited.size(), 1u) << destination.body.dump();
  EXPECT_EQ(inherited[0]["tag"], "PII.Email");
  EXPECT_EQ(inherited[0]["from"], std::string("datasetField:") + kNs + ":leak.src:email");
}

// A classification inherited from a column the caller may not see names no
// origin, though a caller who sees it read the same dataset first (reads
// are kept for the next caller; docs/lineage.md) and though a write
// changed what is inherited in between.
TEST_P(AccessTest, AnInheritedClassificationFromAHiddenColumnNamesNoOrigin) {
  const json read = {{"namespace", kNs}, {"name", "leak.dst"}};
  auto from_of = [&](const std::string& who) {
    const CallResult dst = As(who, "CatalogService.GetDataset", read);
    EXPECT_EQ(dst.code, "OK") << dst.message;
    std::set<std::string> from;
    for (const json& tag : dst.body["fields"][1]["inheritedTags"]) from.insert(tag["from"]);
    return from;
  };
  const std::string src = std::string("datasetField:") + kNs + ":leak.src:email";
  const std::string mid = std::string("datasetField:") + kNs + ":leak.mid_south:email";
  EXPECT_EQ(from_of("root"), std::set<std::string>{src});
  EXPECT_EQ(from_of("m-analyst"), std::set<std::string>{src});

  ASSERT_EQ(
      As("root", "CatalogService.PutTag", {{"name", "AccTrace"}, {"tag", {{"propagate", true}}}})
          .code,
      "OK");
  ASSERT_EQ(As("root", "CatalogService.TagField",
               {{"namespace", kNs},
                {"dataset", "leak.mid_south"},
                {"field", "email"},
                {"tag", "AccTrace"}})
                .code,
            "OK");
  EXPECT_EQ(from_of("root"), (std::set<std::string>{src, mid}));
  EXPECT_EQ(from_of("m-analyst"), (std::set<std::string>{src, "redacted:1"}));
  EXPECT_EQ(from_of("root"), (std::set<std::string>{src, mid}));
}

TEST_P(AccessTest, GlossaryTermsAndJobsLeaveHiddenDatasetsOut) {
  const CallResult term = As("m-analyst", "GlossaryService.GetTerm", {{"name", "AccMeter"}});
  ASSERT_EQ(term.code, "OK") << term.message;
  EXPECT_EQ(term.body["columns"], json::parse(R"([{"namespace":")" + std::string(kNs) +
                                              R"(","dataset":"leak.src","field":"id"}])"));
  EXPECT_EQ(As("root", "GlossaryService.GetTerm", {{"name", "AccMeter"}}).body["columns"].size(),
            2u);
  const CallResult terms = As("m-analyst", "GlossaryService.ListTerms", json::object());
  EXPECT_FALSE(NamesTheSouth(terms.body)) << terms.body.dump();

  const CallResult job =
      As("m-analyst", "LineageService.GetJob", {{"namespace", kJobNs}, {"name", "acc.step2"}});
  ASSERT_EQ(job.code, "OK") << job.message;
  EXPECT_EQ(job.body["inputs"], json::array());
  EXPECT_EQ(job.body["outputs"],
            json::parse(R"([{"namespace":")" + std::string(kNs) + R"(","name":"leak.dst"}])"));
  const CallResult jobs = As("m-analyst", "LineageService.ListJobs", {{"namespace", kJobNs}});
  ASSERT_EQ(jobs.code, "OK") << jobs.message;
  EXPECT_FALSE(NamesTheSouth(jobs.body)) << jobs.body.dump();
  EXPECT_TRUE(NamesTheSouth(As("root", "LineageService.ListJobs", {{"namespace", kJobNs}}).body));
}

TEST_P(AccessTest, RefusalsToDeleteSomethingInUseNameNoHiddenDependents) {
  for (const auto& [rpc, name, what] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"CatalogService.DeleteTag", "AccSouthOnly", "classification 'AccSouthOnly'"},
           {"GlossaryService.DeleteTerm", "AccSouthTerm", "glossary term 'AccSouthTerm'"}}) {
    SCOPED_TRACE(rpc);
    const CallResult scoped = As("m-steward", rpc, {{"name", name}});
    EXPECT_EQ(scoped.code, "FAILED_PRECONDITION");
    EXPECT_EQ(scoped.message, what + " is still in use");
    EXPECT_EQ(scoped.field, "name");
    const CallResult root = As("root", rpc, {{"name", name}});
    EXPECT_EQ(root.code, "FAILED_PRECONDITION");
    EXPECT_NE(root.message.find(kOnlySouth), std::string::npos) << root.message;
  }
}

TEST_P(AccessTest, RawLineageEventsNeedReadAccessEverywhere) {
  const std::string token = MakePrincipal(Unique("auditor-all"), {{"roles", {"auditor"}}});
  const CallResult everywhere =
      WithToken(token, "LineageService.ListLineageEvents", json::object());
  EXPECT_EQ(everywhere.code, "OK") << everywhere.message;
  EXPECT_TRUE(NamesTheSouth(everywhere.body));
  const CallResult scoped = As("m-auditor", "LineageService.ListLineageEvents", json::object());
  EXPECT_EQ(scoped.code, "PERMISSION_DENIED");
  EXPECT_EQ(scoped.message, "raw lineage events need read access to every dataset");
}

// A PUT whose body lies outside the caller's scope is refused with 403 when
// the name is free, but a hidden dataset of that name answers 404 first:
// the two tell a hidden dataset from a missing one. Checking the body's
// scope before loading the existing dataset would answer 403 for both.
TEST_P(AccessTest, APutDoesNotTellAHiddenDatasetFromAMissingOne) {
  auto put = [&](const std::string& name) {
    return As("m-steward", "CatalogService.PutDataset",
              {{"namespace", kNs}, {"name", name}, {"dataset", DatasetBody("grid.south")}});
  };
  const CallResult hidden = put(kMatrixSouth);
  const CallResult missing = put(kMissing);
  EXPECT_EQ(hidden.code, missing.code);
  EXPECT_EQ(Anonymous(hidden.message, kMatrixSouth), Anonymous(missing.message, kMissing));
}

// --------------------------------------------------------- own datasets

TEST_P(AccessTest, APipelineEditsTheDatasetsItCreatedAndNoOthers) {
  const std::string ns = Unique("pipe-ns");
  ASSERT_EQ(
      As("root", "CatalogService.PutNamespace", {{"name", ns}, {"namespace", json::object()}}).code,
      "OK");
  auto put = [&](const std::string& who, const std::string& name, const json& body) {
    return As(who, "CatalogService.PutDataset",
              {{"namespace", ns}, {"name", name}, {"dataset", body}});
  };
  auto get = [&](const std::string& who, const std::string& name) {
    return As(who, "CatalogService.GetDataset", {{"namespace", ns}, {"name", name}});
  };

  const CallResult created = put("m-pipeline", "pipe.own", DatasetBody("grid.north", "v1"));
  ASSERT_EQ(created.code, "OK") << created.message;
  EXPECT_EQ(created.body["createdBy"], "m-pipeline");
  EXPECT_EQ(get("m-pipeline", "pipe.own").code, "OK");
  EXPECT_EQ(put("m-pipeline", "pipe.own", DatasetBody("grid.north", "v2")).code, "OK");

  // createdBy is the server's to say, and stays with the creator.
  json claimed = DatasetBody("grid.north", "v3");
  claimed["createdBy"] = "mallory";
  EXPECT_EQ(put("root", "pipe.own", claimed).body["createdBy"], "m-pipeline");
  EXPECT_EQ(put("m-pipeline", "pipe.own", DatasetBody("grid.north", "v4")).code, "OK");

  // Not out of its domains, neither moving its own dataset nor creating one;
  // a dataset without a domain is outside every domain.
  EXPECT_EQ(put("m-pipeline", "pipe.own", DatasetBody("grid.south")).code, "PERMISSION_DENIED");
  EXPECT_EQ(get("root", "pipe.own").body["domain"], "grid.north");
  EXPECT_EQ(put("m-pipeline", "pipe.south", DatasetBody("grid.south")).code, "PERMISSION_DENIED");
  EXPECT_EQ(put("m-pipeline", "pipe.nodomain", DatasetBody("")).code, "PERMISSION_DENIED");
  EXPECT_EQ(get("root", "pipe.south").code, "NOT_FOUND");

  // Someone else's dataset, even in its domain, is as good as missing.
  ASSERT_EQ(put("root", "pipe.roots", DatasetBody("grid.north")).code, "OK");
  const CallResult other = put("m-pipeline", "pipe.roots", DatasetBody("grid.north", "taken"));
  const CallResult missing = get("m-pipeline", "pipe.never");
  EXPECT_EQ(other.code, "NOT_FOUND");
  EXPECT_EQ(Anonymous(other.message, "pipe.roots"), Anonymous(missing.message, "pipe.never"));
  EXPECT_EQ(get("root", "pipe.roots").body["description"], "seeded");
  const CallResult listed = As("m-pipeline", "CatalogService.ListDatasets", {{"namespace", ns}});
  ASSERT_EQ(listed.body["datasets"].size(), 1u) << listed.body.dump();
  EXPECT_EQ(listed.body["datasets"][0]["name"], "pipe.own");
  EXPECT_EQ(listed.body["totalCount"], 1);
}

TEST_P(AccessTest, AScopedEditorCannotChangeANamespaceItDoesNotSee) {
  const std::string ns = Unique("south-ns");
  ASSERT_EQ(As("root", "CatalogService.PutNamespace",
               {{"name", ns}, {"namespace", {{"description", "the south's"}}}})
                .code,
            "OK");
  ASSERT_EQ(As("root", "CatalogService.PutDataset",
               {{"namespace", ns}, {"name", "s"}, {"dataset", DatasetBody("grid.south")}})
                .code,
            "OK");
  for (const std::string who : {"m-engineer", "m-steward", "m-pipeline"}) {
    SCOPED_TRACE(who);
    const CallResult put = As(who, "CatalogService.PutNamespace",
                              {{"name", ns}, {"namespace", {{"description", "taken over"}}}});
    EXPECT_EQ(put.code, "PERMISSION_DENIED") << put.body.dump();
    EXPECT_FALSE(NamesTheSouth(put.body));
  }
  EXPECT_EQ(As("root", "CatalogService.GetNamespace", {{"name", ns}}).body["description"],
            "the south's");
  // A new namespace is anyone's with EDIT_METADATA somewhere.
  EXPECT_EQ(As("m-engineer", "CatalogService.PutNamespace",
               {{"name", Unique("engineers-ns")}, {"namespace", json::object()}})
                .code,
            "OK");
}

INSTANTIATE_TEST_SUITE_P(Transports, AccessTest, ::testing::Values("rest", "grpc"),
                         [](const auto& transport) { return transport.param; });

}  // namespace
}  // namespace cadastre::testing
