// The Collibra example (client/examples/collibra_sync.cc) against a real
// server: mirror a Collibra-style export in, again (nothing changes), out
// (the same assets come back), and a renamed asset renames the dataset.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "cadastre/client.h"
#include "nlohmann/json.hpp"
#include "server_process.h"
#include "subprocess.h"

namespace cadastre::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = cadastre::v1;
using Json = nlohmann::json;

constexpr char kCustomersId[] = "0187a1c2-0000-4000-8000-0000000a0001";
constexpr char kOrdersId[] = "0187a1c2-0000-4000-8000-0000000a0002";

Json ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Json::parse(in);
}

// Every asset as "type id-or-fullName".
std::set<std::string> AssetsOf(const Json& collibra) {
  std::set<std::string> assets;
  for (const Json& community : collibra["communities"]) {
    for (const Json& domain : community["domains"]) {
      for (const Json& asset : domain["assets"]) {
        std::string key = asset.value("type", "") + " ";
        if (asset.contains("id")) {
          key += asset["id"].get<std::string>();
        } else if (asset.contains("fullName")) {
          key += asset["fullName"].get<std::string>();
        } else {
          key += asset.value("name", "");
        }
        assets.insert(key);
      }
    }
  }
  return assets;
}

// The assets the mirror carries both ways: Tables and Business Terms by id,
// Columns by full name, Data Flows by name.
std::set<std::string> ExpectedAssets(const Json& collibra) {
  std::set<std::string> assets;
  for (const Json& community : collibra["communities"]) {
    for (const Json& domain : community["domains"]) {
      for (const Json& asset : domain["assets"]) {
        const std::string type = asset["type"];
        if (type == "Column") {
          assets.insert(type + " " + asset["fullName"].get<std::string>());
        } else if (type == "Data Flow") {
          assets.insert(type + " " + asset["name"].get<std::string>());
        } else {
          assets.insert(type + " " + asset["id"].get<std::string>());
        }
      }
    }
  }
  return assets;
}

class CollibraSyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    tmp_ = server_.data_dir().parent_path() / "collibra";
    fs::create_directories(tmp_);
    sdk::ClientOptions options;
    options.target = Target();
    options.token = server_.token();
    client_ = *sdk::Client::Connect(options);
  }

  std::string Target() const { return "127.0.0.1:" + std::to_string(server_.grpc_port()); }

  ProcessResult Sync(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {COLLIBRA_SYNC_BIN};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, {PathEntry(), "CADASTRE_SERVER=" + Target(), "CADASTRE_TOKEN=" + server_.token()},
                      std::chrono::seconds(60));
  }

  absl::StatusOr<v1::Dataset> Dataset(const std::string& ns, const std::string& name) const {
    v1::GetDatasetRequest request;
    request.set_namespace_(ns);
    request.set_name(name);
    return client_->Call(&v1::CatalogService::Stub::GetDataset, request);
  }

  ServerProcess server_;
  fs::path tmp_;
  std::unique_ptr<sdk::Client> client_;
};

TEST_F(CollibraSyncTest, MirrorInAgainOutAndRename) {
  // In: everything is created.
  ProcessResult in = Sync({"in", COLLIBRA_EXPORT});
  ASSERT_EQ(in.exit_code, 0) << in.out << in.err;
  EXPECT_NE(in.out.find(" 0 unchanged, 0 deprecated, 0 removed, 0 failed"), std::string::npos) << in.out;

  absl::StatusOr<v1::Dataset> customers = Dataset("postgres://crm:5432", "public.customers");
  ASSERT_TRUE(customers.ok()) << customers.status();
  EXPECT_EQ(customers->description(), "One row per customer, as entered by the sales team.");
  EXPECT_EQ(customers->domain(), "Sales/CRM Data Dictionary");
  ASSERT_EQ(customers->fields_size(), 3);
  EXPECT_EQ(customers->fields(0).name(), "customer_id");
  EXPECT_EQ(customers->fields(1).name(), "email");
  EXPECT_EQ(customers->fields(1).type(), "text");
  EXPECT_EQ(std::vector<std::string>(customers->fields(1).tags().begin(), customers->fields(1).tags().end()),
            std::vector<std::string>{"PII.Email"});
  v1::GetTermRequest term;
  term.set_name("Customer");
  absl::StatusOr<v1::GlossaryTerm> customer = client_->Call(&v1::GlossaryService::Stub::GetTerm, term);
  ASSERT_TRUE(customer.ok()) << customer.status();
  EXPECT_EQ(customer->status(), v1::APPROVED);

  // Again: nothing changes.
  ProcessResult again = Sync({"in", COLLIBRA_EXPORT});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find(" 0 created, 0 updated, "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find(" 0 deprecated, 0 removed, 0 failed\n"), std::string::npos) << again.out;
  EXPECT_EQ(again.out.find("\n  "), std::string::npos) << "no record should be listed:\n" << again.out;
  // Nor in FULL mode, dry.
  ProcessResult full = Sync({"in", COLLIBRA_EXPORT, "--mode", "full", "--dry-run"});
  ASSERT_EQ(full.exit_code, 0) << full.out << full.err;
  EXPECT_NE(full.out.find(" 0 created, 0 updated, "), std::string::npos) << full.out;

  // Out: the same assets, in the same shape.
  const fs::path out_file = tmp_ / "out.json";
  ProcessResult out = Sync({"out", out_file.string()});
  ASSERT_EQ(out.exit_code, 0) << out.out << out.err;
  const Json original = ReadJson(COLLIBRA_EXPORT);
  const Json mirrored = ReadJson(out_file);
  EXPECT_EQ(AssetsOf(mirrored), ExpectedAssets(original));
  // And what went out comes back in unchanged.
  ProcessResult back = Sync({"in", out_file.string()});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_NE(back.out.find(" 0 created, 0 updated, "), std::string::npos) << back.out;

  // A second Collibra export in which the orders table was renamed (same id).
  Json renamed = original;
  for (Json& community : renamed["communities"]) {
    for (Json& domain : community["domains"]) {
      for (Json& asset : domain["assets"]) {
        if (asset.value("id", "") == kOrdersId) {
          asset["name"] = "sales_orders";
          asset["fullName"] = "postgres://crm:5432>public>sales_orders";
        }
      }
    }
  }
  const fs::path renamed_file = tmp_ / "renamed.json";
  std::ofstream(renamed_file) << renamed.dump(2);
  ProcessResult rename = Sync({"in", renamed_file.string()});
  ASSERT_EQ(rename.exit_code, 0) << rename.out << rename.err;
  EXPECT_NE(rename.out.find("0 created, 1 updated"), std::string::npos) << rename.out;
  absl::StatusOr<v1::Dataset> moved = Dataset("postgres://crm:5432", "public.sales_orders");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->description(), "Orders placed through the web shop and by phone.");
  ASSERT_EQ(moved->fields_size(), 2);
  EXPECT_EQ(moved->fields(1).name(), "customer_id");
  EXPECT_EQ(Dataset("postgres://crm:5432", "public.orders").status().code(), absl::StatusCode::kNotFound);
  // The untouched table kept its id binding and its name.
  EXPECT_TRUE(Dataset("postgres://crm:5432", "public.customers").ok());
  (void)kCustomersId;
}

TEST_F(CollibraSyncTest, BadInputIsRefusedBeforeAnythingIsSent) {
  const fs::path file = tmp_ / "orphan.json";
  std::ofstream(file) << R"({"communities": [{"name": "C", "domains": [{"name": "D", "assets": [
    {"id": "c1", "type": "Column", "name": "x", "fullName": "ns>t>x",
     "relations": [{"type": "is part of", "target": {"id": "missing-table", "type": "Table"}}]}]}]}]})";
  ProcessResult result = Sync({"in", file.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no asset with id missing-table"), std::string::npos) << result.err;
  EXPECT_EQ(Sync({"sideways", file.string()}).exit_code, 2);
}

}  // namespace
}  // namespace cadastre::testing
