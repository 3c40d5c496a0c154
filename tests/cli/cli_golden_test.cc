// The real `cadastre` binary against a real server seeded the same way each
// time: its stdout, stderr and exit code are compared with golden files in
// tests/cli/golden/ after normalising what changes between runs (times,
// ids, tokens, ports, temporary paths). CADASTRE_UPDATE_GOLDEN=1 rewrites
// them; review the diff before committing it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "cadastre/client.h"
#include "server_process.h"
#include "subprocess.h"

namespace cadastre::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = cadastre::v1;
using std::chrono::seconds;

constexpr char kLineage[] = R"([
 {"eventType": "COMPLETE", "eventTime": "2026-11-22T10:00:00Z", "producer": "https://example.com/etl",
  "run": {"runId": "01930000-0000-7000-8000-000000000001"},
  "job": {"namespace": "etl", "name": "curate_customers"},
  "inputs": [{"namespace": "postgres://crm:5432", "name": "public.customers"}],
  "outputs": [{"namespace": "warehouse", "name": "curated.customers", "facets": {"columnLineage": {"fields": {
    "customer_id": {"inputFields": [{"namespace": "postgres://crm:5432", "name": "public.customers", "field": "id",
      "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]},
    "email_hash": {"inputFields": [{"namespace": "postgres://crm:5432", "name": "public.customers", "field": "email",
      "transformations": [{"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": true}]}]},
    "email_domain": {"inputFields": [{"namespace": "postgres://crm:5432", "name": "public.customers", "field": "email",
      "transformations": [{"type": "DIRECT", "subtype": "TRANSFORMATION"}]}]}}}}}]},
 {"eventType": "COMPLETE", "eventTime": "2026-11-22T11:00:00Z", "producer": "https://example.com/etl",
  "run": {"runId": "01930000-0000-7000-8000-000000000002"},
  "job": {"namespace": "etl", "name": "count_by_domain"},
  "inputs": [{"namespace": "warehouse", "name": "curated.customers"}],
  "outputs": [{"namespace": "warehouse", "name": "reports.domains", "facets": {"columnLineage": {"fields": {
    "email_domain": {"inputFields": [{"namespace": "warehouse", "name": "curated.customers", "field": "email_domain",
      "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]},
    "customers": {"inputFields": [{"namespace": "warehouse", "name": "curated.customers", "field": "customer_id",
      "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION"}]}]}}}}}]}
])";

constexpr char kEventFile[] = R"({"eventType": "COMPLETE", "eventTime": "2026-11-23T08:00:00Z",
  "producer": "https://example.com/etl", "run": {"runId": "01930000-0000-7000-8000-000000000003"},
  "job": {"namespace": "etl", "name": "load_orders"},
  "inputs": [{"namespace": "postgres://crm:5432", "name": "public.orders"}],
  "outputs": [{"namespace": "warehouse", "name": "curated.orders"}]})";

class CliGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    tmp_ = server_.data_dir().parent_path() / "cli";
    fs::create_directories(tmp_ / "home");
    Seed();
  }

  void Seed() {
    sdk::ClientOptions options;
    options.target = Target();
    options.token = server_.token();
    auto client = *sdk::Client::Connect(options);
    auto ok = [](const auto& result) { ASSERT_TRUE(result.ok()) << result.status(); };
    v1::PutNamespaceRequest ns;
    ns.set_name("postgres://crm:5432");
    ok(client->Call(&v1::CatalogService::Stub::PutNamespace, ns));
    v1::PutTagRequest tag;
    tag.set_name("PII.Email");
    tag.mutable_tag()->set_description("An e-mail address");
    tag.mutable_tag()->set_propagate(true);
    ok(client->Call(&v1::CatalogService::Stub::PutTag, tag));
    v1::PutDatasetRequest put;
    put.set_namespace_("postgres://crm:5432");
    put.set_name("public.customers");
    v1::Dataset& dataset = *put.mutable_dataset();
    dataset.set_description("One row per customer");
    dataset.set_domain("crm.core");
    dataset.set_source_name("crm");
    (*dataset.mutable_custom_properties())["tier"] = "gold";
    v1::Owner& owner = *dataset.add_owners();
    owner.set_name("crm-team");
    owner.set_type(v1::TEAM);
    v1::Field* id = dataset.add_fields();
    id->set_name("id");
    id->set_type("bigint");
    id->set_nullable(false);
    v1::Field* email = dataset.add_fields();
    email->set_name("email");
    email->set_type("text");
    email->set_description("Where invoices go");
    email->add_tags("PII.Email");
    ok(client->Call(&v1::CatalogService::Stub::PutDataset, put));
    v1::PutTermRequest term;
    term.set_name("Customer");
    term.mutable_term()->set_definition("A person or company that bought at least once");
    term.mutable_term()->set_status(v1::APPROVED);
    term.mutable_term()->add_synonyms("Client");
    ok(client->Call(&v1::GlossaryService::Stub::PutTerm, term));
    v1::LinkTermRequest link;
    link.set_namespace_("postgres://crm:5432");
    link.set_dataset("public.customers");
    link.set_field("id");
    link.set_term("Customer");
    ok(client->Call(&v1::GlossaryService::Stub::LinkTerm, link));
    v1::IngestLineageRequest ingest;
    ingest.set_event(kLineage);
    ok(client->Call(&v1::LineageService::Stub::IngestLineage, ingest));
    v1::PutPrincipalRequest alice;
    alice.set_name("alice");
    alice.mutable_principal()->set_kind("user");
    alice.mutable_principal()->add_roles("analyst");
    alice.mutable_principal()->add_domains("crm");
    ok(client->Call(&v1::AccessService::Stub::PutPrincipal, alice));
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(server_.grpc_port()); }

  std::vector<std::string> Env(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> env = {PathEntry(), "HOME=" + (tmp_ / "home").string(), "LANG=C.UTF-8",
                                    "CADASTRE_SERVER=" + Target(), "CADASTRE_TOKEN=" + server_.token()};
    for (const std::string& entry : extra) {
      const std::string name = entry.substr(0, entry.find('=') + 1);
      std::erase_if(env, [&](const std::string& e) { return e.rfind(name, 0) == 0; });
      if (entry.size() > name.size()) env.push_back(entry);  // "NAME=" alone unsets
    }
    return env;
  }

  ProcessResult Run(const std::vector<std::string>& args, const std::vector<std::string>& env_extra = {},
                    const std::string& input = "") const {
    std::vector<std::string> argv = {CADASTRE_CLI_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, Env(env_extra), std::chrono::seconds(30), input);
  }

  std::string Normalise(std::string text) const {
    auto replace = [&](const std::string& from, const std::string& to) {
      for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    };
    replace(tmp_.string(), "<TMP>");
    replace(CADASTRE_CLI_DATA_DIR, "<DATA>");
    replace(server_.token(), "<ADMIN_TOKEN>");
    replace(Target(), "127.0.0.1:<PORT>");
    replace("127.0.0.1:" + std::to_string(server_.http_port()), "127.0.0.1:<HTTP_PORT>");
    const std::pair<const char*, const char*> patterns[] = {
        {R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)", "<TIME>"},
        {R"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", "<UUID>"},
        {R"(\b[0-9a-f]{64}\b)", "<HASH>"},
        {R"(\b[0-9a-f]{16}\b)", "<ID>"},
        {R"(cad_[A-Za-z0-9_\-]+)", "<TOKEN>"},
        // gRPC's words for a refused connection vary ("Connection refused",
        // "tcp handshaker shutdown").
        {R"(failed to connect to all addresses; last error: [^;\n]*)", "failed to connect <DETAIL>"},
    };
    for (const auto& [pattern, to] : patterns) text = std::regex_replace(text, std::regex(pattern), to);
    return text;
  }

  // Runs the CLI and compares what it did with golden/<name>.txt.
  void ExpectGolden(const std::string& name, const std::vector<std::string>& args,
                    int expected_exit, const std::vector<std::string>& env_extra = {},
                    const std::string& input = "") {
    const ProcessResult result = Run(args, env_extra, input);
    ASSERT_FALSE(result.timed_out) << name;
    std::string actual = "$ cadastre";
    for (const std::string& arg : args) actual += " " + arg;
    actual += "\n" + result.out;
    if (!result.err.empty()) actual += "--- stderr\n" + result.err;
    actual += "--- exit " + std::to_string(result.exit_code) + "\n";
    actual = Normalise(actual);
    EXPECT_EQ(result.exit_code, expected_exit) << actual;

    const fs::path golden = fs::path(CADASTRE_GOLDEN_DIR) / (name + ".txt");
    if (std::getenv("CADASTRE_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(golden, std::ios::binary) << actual;
      return;
    }
    std::ifstream in(golden, std::ios::binary);
    ASSERT_TRUE(in) << golden << " is missing; run with CADASTRE_UPDATE_GOLDEN=1. Output:\n" << actual;
    const std::string expected((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(actual, expected) << "golden " << golden;
  }

  ServerProcess server_;
  fs::path tmp_;
};

TEST_F(CliGoldenTest, ShowDataset) {
  ExpectGolden("show_dataset", {"show", "dataset", "postgres://crm:5432", "public.customers"}, 0);
}

TEST_F(CliGoldenTest, ShowDatasetJson) {
  ExpectGolden("show_dataset_json",
               {"show", "dataset", "postgres://crm:5432", "public.customers", "--output", "json"}, 0);
}

TEST_F(CliGoldenTest, ShowColumnWithInheritedTagAndInputs) {
  ExpectGolden("show_column", {"show", "column", "warehouse", "curated.customers", "email_domain"}, 0);
}

TEST_F(CliGoldenTest, ShowTerm) { ExpectGolden("show_term", {"show", "term", "Customer"}, 0); }

TEST_F(CliGoldenTest, SearchWithACorrectedWordAndFacets) {
  ExpectGolden("search_misspelt", {"search", "custmers "}, 0);
  ExpectGolden("search_columns_json", {"search", "email", "--type", "column", "--output", "json"}, 0);
  ExpectGolden("search_bad_type", {"search", "email", "--type", "table"}, 1);
}

TEST_F(CliGoldenTest, LineageUpstreamTree) {
  ExpectGolden("lineage_up", {"lineage", "warehouse", "reports.domains", "--direction", "up"}, 0);
}

TEST_F(CliGoldenTest, LineageDownstreamOfAColumn) {
  ExpectGolden("lineage_down",
               {"lineage", "postgres://crm:5432", "public.customers", "email", "--direction", "down"}, 0);
}

TEST_F(CliGoldenTest, LineageBothWaysOneHop) {
  ExpectGolden("lineage_both_depth1", {"lineage", "warehouse", "curated.customers", "customer_id",
                                       "--direction", "both", "--depth", "1"},
               0);
}

TEST_F(CliGoldenTest, Impact) {
  ExpectGolden("impact", {"impact", "postgres://crm:5432", "public.customers", "email"}, 0);
}

TEST_F(CliGoldenTest, Principals) {
  ExpectGolden("principal_list", {"principal", "list"}, 0);
  ExpectGolden("principal_create", {"principal", "create", "bob", "--role", "steward", "--domain", "crm"}, 0);
  ExpectGolden("principal_create_exists", {"principal", "create", "bob"}, 5);
  ExpectGolden("principal_show_json", {"principal", "show", "bob", "--output", "json"}, 0);
  ExpectGolden("principal_delete", {"principal", "delete", "bob"}, 0);
  ExpectGolden("principal_show_missing", {"principal", "show", "bob"}, 2);
}

TEST_F(CliGoldenTest, Tokens) {
  ExpectGolden("token_create", {"token", "create", "alice", "--ttl", "90d"}, 0);
  ExpectGolden("token_list", {"token", "list", "alice"}, 0);
  ExpectGolden("token_bad_ttl", {"token", "create", "alice", "--ttl", "soon"}, 5);
}

TEST_F(CliGoldenTest, AuditVerifyAndReports) {
  ExpectGolden("audit_verify", {"audit", "verify"}, 0);
  ExpectGolden("report_personal_data", {"audit", "report", "personal-data"}, 0);
  ExpectGolden("report_personal_data_csv", {"audit", "report", "personal-data", "--format", "csv"}, 0);
  ExpectGolden("report_trace", {"audit", "report", "trace", "--tag", "PII.Email"}, 0);
  const std::string file = (tmp_ / "access.csv").string();
  ExpectGolden("report_access_file", {"audit", "report", "access", "--format", "csv", "-o", file}, 0);
  std::ifstream in(file);
  const std::string csv((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(csv.rfind("seq,", 0), 0u) << csv;

  // Inherited classifications' paths only when asked for (after the
  // goldens: each report read is audited, and they count the records).
  auto paths_in = [&](const std::vector<std::string>& args) {
    const ProcessResult result = Run(args);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return std::regex_search(result.out, std::regex(R"re("path":\s*\[\s*")re"));
  };
  EXPECT_FALSE(paths_in({"audit", "report", "personal-data", "--format", "json"}));
  EXPECT_TRUE(paths_in({"audit", "report", "personal-data", "--format", "json", "--paths"}));
}

TEST_F(CliGoldenTest, EmitSendsOnceThenFindsTheDuplicate) {
  const std::string file = (tmp_ / "event.json").string();
  std::ofstream(file) << kEventFile;
  ExpectGolden("emit", {"emit", file}, 0);
  ExpectGolden("emit_again_json", {"emit", file, "--output", "json"}, 0);
  ExpectGolden("emit_stdin_http",
               {"emit", "-", "--http",
                "http://127.0.0.1:" + std::to_string(server_.http_port()) + "/api/v1/lineage"},
               0, {}, kEventFile);
  std::ofstream(tmp_ / "bad.json") << "{\"eventType\": ";
  ExpectGolden("emit_not_json", {"emit", (tmp_ / "bad.json").string()}, 5);
  std::ofstream(tmp_ / "refused.json")
      << R"({"eventType": "COMPLETE", "eventTime": "2026-11-23T08:00:00Z", "producer": "https://x",
            "run": {"runId": "not-a-uuid"}, "job": {"namespace": "etl", "name": "bad"}})";
  ExpectGolden("emit_refused", {"emit", (tmp_ / "refused.json").string()}, 5);
}

TEST_F(CliGoldenTest, ExitCodes) {
  ExpectGolden("missing_dataset", {"show", "dataset", "postgres://crm:5432", "nothing"}, 2);
  ExpectGolden("missing_column", {"show", "column", "postgres://crm:5432", "public.customers", "nope"}, 2);
  ExpectGolden("bad_token", {"show", "term", "Customer"}, 3, {"CADASTRE_TOKEN=cad_not-a-token"});
  ExpectGolden("no_token", {"show", "term", "Customer"}, 3, {"CADASTRE_TOKEN="});
  ExpectGolden("bad_args", {"lineage", "warehouse"}, 1);
  ExpectGolden("bad_option_value", {"lineage", "warehouse", "t", "--direction", "sideways"}, 1);
  ExpectGolden("help_show", {"show", "--help"}, 0);
  server_.Stop();
  ExpectGolden("server_down", {"show", "term", "Customer"}, 4);
  ExpectGolden("emit_server_down", {"emit", "--wait", "1", "-"}, 4, {}, kEventFile);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string Data(const std::string& name) { return (fs::path(CADASTRE_CLI_DATA_DIR) / name).string(); }

// A dry run changes nothing; the real run answers the same; a second run finds
// every record unchanged (imports are idempotent).
TEST_F(CliGoldenTest, ImportDryRunThenRealThenUnchanged) {
  ExpectGolden("import_dry_run", {"import", Data("sync_import.json"), "--dry-run"}, 0);
  ExpectGolden("import_dry_run_left_no_dataset", {"show", "dataset", "postgres://crm:5432", "public.orders"}, 2);
  ExpectGolden("import", {"import", Data("sync_import.json")}, 0);
  ExpectGolden("import_again_json", {"import", Data("sync_import.json"), "--output", "json"}, 0);
  ExpectGolden("import_show_imported", {"show", "dataset", "postgres://crm:5432", "public.orders"}, 0);
}

TEST_F(CliGoldenTest, ImportABadRecord) {
  ExpectGolden("import_bad_record_skip",
               {"import", Data("sync_bad_record.json"), "--on-error", "skip", "--dry-run"}, 5);
  ExpectGolden("import_bad_record_fail", {"import", Data("sync_bad_record.json")}, 5);
  // FAIL changed nothing: the good record is not there either.
  EXPECT_EQ(Run({"show", "dataset", "postgres://crm:5432", "public.invoices"}).exit_code, 2);
  ExpectGolden("import_bad_record_skip_applies", {"import", Data("sync_bad_record.json"), "--on-error", "skip"}, 5);
  EXPECT_EQ(Run({"show", "dataset", "postgres://crm:5432", "public.invoices"}).exit_code, 0);
  EXPECT_EQ(Run({"show", "dataset", "postgres://crm:5432", "public.refunds"}).exit_code, 2);

  std::ofstream(tmp_ / "broken.json") << "{\"formatVersion\": 1,\n \"datasets\": [\n  {\"name\": }\n]}\n";
  ExpectGolden("import_not_json", {"import", (tmp_ / "broken.json").string()}, 5);
  ExpectGolden("import_missing_file", {"import", (tmp_ / "absent.json").string()}, 5);
  ExpectGolden("import_bad_mode", {"import", Data("sync_import.json"), "--mode", "merge"}, 1);
}

TEST_F(CliGoldenTest, ExportJsonThenImportIsANoOp) {
  ExpectGolden("export_json", {"export", "--namespace", "postgres://crm:5432", "--glossary", "--lineage"}, 0);
  const std::string file = (tmp_ / "catalog.json").string();
  ExpectGolden("export_json_file", {"export", "--glossary", "--lineage", "-o", file}, 0);
  // Stable: a second export is the same bytes.
  EXPECT_EQ(Run({"export", "--glossary", "--lineage"}).out, ReadText(file));
  ExpectGolden("export_json_reimport", {"import", file}, 0);
  ExpectGolden("export_json_reimport_full", {"import", file, "--mode", "full", "--dry-run"}, 0);
}

TEST_F(CliGoldenTest, ExportCsvEditAndImport) {
  ExpectGolden("export_csv", {"export", "--format", "csv"}, 0);
  const fs::path file = tmp_ / "columns.csv";
  ExpectGolden("export_csv_file", {"export", "--format", "csv", "-o", file.string()}, 0);
  ExpectGolden("import_csv_unchanged", {"import", file.string()}, 0);

  // A spreadsheet edit: a description with a comma, quotes and a line break,
  // and a classification more.
  std::string csv = ReadText(file);
  const std::string row = "postgres://crm:5432,public.customers,email,text,Where invoices go,PII.Email,";
  ASSERT_NE(csv.find(row), std::string::npos) << csv;
  csv.replace(csv.find(row), row.size(),
              "postgres://crm:5432,public.customers,email,text,\"Billing address, \"\"verified\"\"\nat sign-up\","
              "PII.Email|Contact,");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << csv;
  ExpectGolden("import_csv_edited", {"import", file.string()}, 0);
  ExpectGolden("import_csv_edited_show", {"show", "column", "postgres://crm:5432", "public.customers", "email"}, 0);

  std::ofstream(tmp_ / "bad_header.csv") << "namespace,dataset,colum\nns,d,c\n";
  ExpectGolden("import_csv_bad_header", {"import", (tmp_ / "bad_header.csv").string()}, 5);
  std::ofstream(tmp_ / "unbalanced.txt") << "namespace,dataset,column,description\nns,d,c,ok\nns,d,e,\"open\n";
  ExpectGolden("import_csv_unbalanced", {"import", (tmp_ / "unbalanced.txt").string(), "--format", "csv"}, 5);
  ExpectGolden("export_csv_with_glossary", {"export", "--format", "csv", "--glossary"}, 5);
}

TEST_F(CliGoldenTest, SyncChangesAndTheCursorFile) {
  ExpectGolden("sync_changes", {"sync", "changes"}, 0);
  const fs::path cursor_file = tmp_ / "cursor";
  ExpectGolden("sync_changes_json_cursor_file",
               {"sync", "changes", "--output", "json", "--limit", "3", "--cursor-file", cursor_file.string()}, 0);
  const std::string third = ReadText(cursor_file);
  EXPECT_FALSE(third.empty());
  // Resumes after the third change.
  ExpectGolden("sync_changes_resumed", {"sync", "changes", "--cursor-file", cursor_file.string()}, 0);
  const std::string caught_up = ReadText(cursor_file);
  EXPECT_NE(caught_up, third);
  ExpectGolden("sync_changes_none", {"sync", "changes", "--cursor-file", cursor_file.string()}, 0);
  EXPECT_EQ(ReadText(cursor_file), caught_up);
  ExpectGolden("sync_changes_help", {"sync", "changes", "--help"}, 0);
}

// --follow prints each change as it commits and moves the cursor file past it.
TEST_F(CliGoldenTest, SyncChangesFollow) {
  const fs::path cursor_file = tmp_ / "follow.cursor";
  ASSERT_EQ(Run({"sync", "changes", "--output", "json", "--cursor-file", cursor_file.string()}).exit_code, 0);
  const std::string start = ReadText(cursor_file);
  ChildProcess follow({CADASTRE_CLI_BIN, "sync", "changes", "--follow", "--output", "json", "--cursor-file",
                       cursor_file.string()},
                      Env());
  ASSERT_TRUE(follow.started());
  sdk::ClientOptions options;
  options.target = Target();
  options.token = server_.token();
  auto client = *sdk::Client::Connect(options);
  v1::PutTermRequest term;
  term.set_name("Invoice");
  term.mutable_term()->set_definition("What we send a customer to be paid");
  ASSERT_TRUE(client->Call(&v1::GlossaryService::Stub::PutTerm, term).ok());
  std::string line;
  ASSERT_TRUE(follow.ReadLine(&line, std::chrono::seconds(20)));
  EXPECT_NE(line.find("\"entityType\":\"glossaryTerm\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"entityKey\":\"Invoice\""), std::string::npos) << line;
  // The cursor file is written right after the line; wait for it (bounded).
  std::string moved;
  for (int i = 0; i < 200 && (moved = ReadText(cursor_file)) == start; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(moved, start);
  EXPECT_NE(line.find("\"cursor\":\"" + moved.substr(0, moved.find('\n')) + "\""), std::string::npos)
      << line << " / " << moved;
  follow.Kill();
}

// login writes the config file (mode 0600); later commands use it; the
// environment beats it and a flag beats the environment.
TEST_F(CliGoldenTest, LoginConfigAndPrecedence) {
  const std::vector<std::string> no_env = {"CADASTRE_SERVER=", "CADASTRE_TOKEN="};
  ExpectGolden("login", {"login", "--server", Target()}, 0, no_env, server_.token() + "\n");
  const fs::path config = tmp_ / "home" / ".config" / "cadastre" / "config.toml";
  struct stat info{};
  ASSERT_EQ(stat(config.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(Run({"show", "term", "Customer"}, no_env).exit_code, 0);
  EXPECT_EQ(Run({"show", "term", "Customer"}, {"CADASTRE_TOKEN=cad_wrong"}).exit_code, 3);
  EXPECT_EQ(Run({"show", "term", "Customer", "--token", server_.token()}, {"CADASTRE_TOKEN=cad_wrong"})
                .exit_code,
            0);
  ExpectGolden("login_bad_token", {"login", "--server", Target()}, 3, no_env, "cad_wrong\n");
}

}  // namespace
}  // namespace cadastre::testing
