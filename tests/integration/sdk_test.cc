// The C++ SDK against a real server: typed calls, errors with the field at
// fault, and retries that ride out a server restart.
#include <gtest/gtest.h>

#include <thread>

#include "cadastre/client.h"
#include "server_process.h"

namespace cadastre::testing {
namespace {

namespace v1 = cadastre::v1;

class SdkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
  }

  std::unique_ptr<sdk::Client> Connect(std::string token, int attempts = 5) {
    sdk::ClientOptions options;
    options.target = "127.0.0.1:" + std::to_string(server_.grpc_port());
    options.token = std::move(token);
    options.max_attempts = attempts;
    options.initial_backoff = std::chrono::milliseconds(50);
    options.deadline = std::chrono::seconds(10);
    auto client = sdk::Client::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  ServerProcess server_;
};

TEST_F(SdkTest, TypedCallsRoundTripAndErrorsNameTheField) {
  auto client = Connect(server_.token());
  v1::PutNamespaceRequest ns;
  ns.set_name("sdk://crm");
  ASSERT_TRUE(client->Call(&v1::CatalogService::Stub::PutNamespace, ns).ok());
  v1::PutDatasetRequest put;
  put.set_namespace_("sdk://crm");
  put.set_name("customers");
  put.mutable_dataset()->set_description("from the SDK");
  put.mutable_dataset()->add_fields()->set_name("id");
  ASSERT_TRUE(client->Call(&v1::CatalogService::Stub::PutDataset, put).ok());

  v1::GetDatasetRequest get;
  get.set_namespace_("sdk://crm");
  get.set_name("customers");
  auto dataset = client->Call(&v1::CatalogService::Stub::GetDataset, get);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->description(), "from the SDK");
  EXPECT_EQ(dataset->fields_size(), 1);

  get.set_name("nobody");
  auto missing = client->Call(&v1::CatalogService::Stub::GetDataset, get);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sdk::FieldOf(missing.status()), "name");

  put.mutable_dataset()->add_fields()->set_name("id");  // twice
  auto refused = client->Call(&v1::CatalogService::Stub::PutDataset, put);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sdk::FieldOf(refused.status()), "fields[1].name");

  auto stranger = Connect("cad_not-a-token");
  EXPECT_EQ(stranger->Call(&v1::CatalogService::Stub::GetDataset, get).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(SdkTest, RetriesRideOutARestart) {
  auto client = Connect(server_.token(), /*attempts=*/30);
  ASSERT_TRUE(
      client->Call(&v1::CatalogService::Stub::ListNamespaces, v1::ListNamespacesRequest()).ok());
  server_.Stop();
  // Sent while the server is down, from another thread (the server must be
  // started from this one: it dies with the thread that forked it).
  absl::StatusOr<v1::ListNamespacesResponse> listed;
  std::thread call([&] {
    listed = client->Call(&v1::CatalogService::Stub::ListNamespaces, v1::ListNamespacesRequest());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string error;
  EXPECT_TRUE(server_.Start(&error)) << error;
  call.join();
  EXPECT_TRUE(listed.ok()) << listed.status();
}

TEST_F(SdkTest, WithoutRetriesADownServerIsUnavailable) {
  auto client = Connect(server_.token(), /*attempts=*/1);
  server_.Stop();
  auto listed =
      client->Call(&v1::CatalogService::Stub::ListNamespaces, v1::ListNamespacesRequest());
  EXPECT_EQ(listed.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace cadastre::testing
