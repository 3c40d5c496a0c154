// Client::Stream (client/include/cadastre/client_core.h) over
// SyncService.WatchChanges against a real server: the backlog, then new
// changes; stopping from the callback; cancelling from another thread; an
// error when the server refuses the call.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cadastre/client.h"
#include "server_process.h"

namespace cadastre::testing {
namespace {

namespace v1 = cadastre::v1;

class SdkStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    client_ = Connect(server_.token());
  }

  std::unique_ptr<sdk::Client> Connect(const std::string& token) const {
    sdk::ClientOptions options;
    options.target = "127.0.0.1:" + std::to_string(server_.grpc_port());
    options.token = token;
    return *sdk::Client::Connect(options);
  }

  void PutTerm(const std::string& name) {
    v1::PutTermRequest term;
    term.set_name(name);
    term.mutable_term()->set_definition("defined");
    ASSERT_TRUE(client_->Call(&v1::GlossaryService::Stub::PutTerm, term).ok());
  }

  ServerProcess server_;
  std::unique_ptr<sdk::Client> client_;
};

TEST_F(SdkStreamTest, BacklogThenNewChangesUntilTheCallbackStops) {
  PutTerm("First");
  std::vector<std::string> keys;
  std::thread writer;
  const absl::Status status = client_->Stream(
      &v1::SyncService::Stub::WatchChanges, v1::WatchChangesRequest(),
      std::function<bool(const v1::Change&)>([&](const v1::Change& change) {
        keys.push_back(change.entity_key());
        // The backlog arrived: commit a change for the watch to deliver.
        if (keys.size() == 1) writer = std::thread([this] { PutTerm("Second"); });
        return keys.size() < 2;
      }));
  if (writer.joinable()) writer.join();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(keys, (std::vector<std::string>{"First", "Second"}));
}

TEST_F(SdkStreamTest, ACancellerEndsAWatchThatWaits) {
  sdk::StreamCanceller canceller;
  std::atomic<int> received{0};
  absl::Status status;
  std::thread watch([&] {
    v1::WatchChangesRequest request;
    status = client_->Stream(
        &v1::SyncService::Stub::WatchChanges, request,
        std::function<bool(const v1::Change&)>([&](const v1::Change&) {
          received++;
          return true;
        }),
        &canceller);
  });
  PutTerm("Seen");
  // Wait (bounded) until the change arrived, then cancel the waiting watch.
  for (int i = 0; i < 400 && received.load() == 0; i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  canceller.Cancel();
  watch.join();
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(received.load(), 1);
  EXPECT_TRUE(canceller.cancelled());
}

TEST_F(SdkStreamTest, ARefusedCallIsAnError) {
  auto stranger = Connect("cad_not-a-token");
  const absl::Status status = stranger->Stream(
      &v1::SyncService::Stub::WatchChanges, v1::WatchChangesRequest(),
      std::function<bool(const v1::Change&)>([](const v1::Change&) { return true; }));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnauthenticated) << status;
}

}  // namespace
}  // namespace cadastre::testing
