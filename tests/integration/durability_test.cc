// An acknowledged write is durable: it survives SIGKILL (and, of course, a
// graceful SIGTERM). Writes come over REST and gRPC at the same time, so the
// server's group commit is exercised too. Runs for each --durability mode:
// a killed process (not a lost machine) must lose nothing in either.

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cadastre/v1/catalog.grpc.pb.h"
#include "rest_routes.h"
#include "rpc_transport.h"
#include "server_process.h"

namespace cadastre::testing {
namespace {

namespace v1 = cadastre::v1;
using nlohmann::json;

constexpr char kNamespace[] = "durable://ns";
constexpr int kWritesPerTransport = 200;

std::string DatasetPath(const std::string& name) {
  return "/api/v1/namespaces/" + PercentEncode(kNamespace) + "/datasets/" +
         PercentEncode(name);
}

// Writes datasets through one transport until told to stop or `count`
// writes are acknowledged; remembers what was acknowledged.
class Writer {
 public:
  Writer(const ServerProcess& server, std::string transport)
      : server_(server), transport_(std::move(transport)) {}

  // Dataset "<transport>-<i>" with description "v<i>"; every write also
  // updates "<transport>-counter" to description "<i>".
  void Run(int count, const std::atomic<bool>& stop) {
    auto http = server_.HttpClient();
    auto stub = v1::CatalogService::NewStub(server_.channel());
    for (int i = 0; i < count && !stop.load(); ++i) {
      const std::string name = transport_ + "-" + std::to_string(i);
      if (!Put(*http, *stub, name, "v" + std::to_string(i))) return;
      Acknowledge(name, "v" + std::to_string(i));
      if (!Put(*http, *stub, transport_ + "-counter", std::to_string(i))) {
        return;
      }
      last_counter_.store(i);
    }
  }

  std::map<std::string, std::string> acknowledged() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return acknowledged_;
  }
  int last_counter() const { return last_counter_.load(); }
  const std::string& transport() const { return transport_; }

 private:
  bool Put(httplib::Client& http, v1::CatalogService::Stub& stub,
           const std::string& name, const std::string& description) {
    if (transport_ == "rest") {
      const json body = {
          {"description", description},
          {"fields", json::array({{{"name", "id"}, {"type", "BIGINT"}}})}};
      auto result = http.Put(DatasetPath(name), body.dump(), "application/json");
      return result && result->status == 200;
    }
    grpc::ClientContext context;
    server_.PrepareContext(&context);
    v1::PutDatasetRequest request;
    request.set_namespace_(kNamespace);
    request.set_name(name);
    request.mutable_dataset()->set_description(description);
    v1::Field* field = request.mutable_dataset()->add_fields();
    field->set_name("id");
    field->set_type("BIGINT");
    v1::Dataset response;
    return stub.PutDataset(&context, request, &response).ok();
  }

  void Acknowledge(const std::string& name, const std::string& description) {
    std::lock_guard<std::mutex> lock(mutex_);
    acknowledged_[name] = description;
  }

  const ServerProcess& server_;
  const std::string transport_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> acknowledged_;
  std::atomic<int> last_counter_{-1};
};

class DurabilityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.durability = GetParam();
    server_ = std::make_unique<ServerProcess>(options);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
    auto http = server_->HttpClient();
    auto result = http->Put("/api/v1/namespaces/" + PercentEncode(kNamespace),
                            "{}", "application/json");
    ASSERT_TRUE(result && result->status == 200)
        << (result ? result->body : httplib::to_string(result.error()));
  }

  // Every dataset of the namespace, name -> description, read over REST.
  std::map<std::string, std::string> ReadAllOverRest() {
    std::map<std::string, std::string> datasets;
    auto http = server_->HttpClient();
    for (int offset = 0;; offset += 1000) {
      auto result = http->Get("/api/v1/namespaces/" +
                              PercentEncode(kNamespace) +
                              "/datasets?limit=1000&offset=" +
                              std::to_string(offset));
      if (!result || result->status != 200) {
        ADD_FAILURE() << "listing failed: "
                      << (result ? result->body
                                 : httplib::to_string(result.error()));
        return datasets;
      }
      const json page = json::parse(result->body, nullptr, false);
      if (!page.is_object() || !page.contains("datasets")) {
        ADD_FAILURE() << "unexpected listing: " << result->body.substr(0, 500);
        return datasets;
      }
      for (const json& dataset : page["datasets"]) {
        datasets[dataset.value("name", "")] = dataset.value("description", "");
      }
      if (page["datasets"].size() < 1000) return datasets;
    }
  }

  // Checks that every acknowledged write is there, over REST (listing) and
  // over gRPC (GetDataset of each).
  void ExpectPresent(const std::map<std::string, std::string>& acknowledged) {
    const auto stored = ReadAllOverRest();
    int missing = 0;
    for (const auto& [name, description] : acknowledged) {
      const auto it = stored.find(name);
      if (it == stored.end()) {
        if (++missing <= 10) ADD_FAILURE() << "lost acknowledged write " << name;
      } else {
        EXPECT_EQ(it->second, description) << name;
      }
    }
    EXPECT_EQ(missing, 0) << "acknowledged writes lost";

    auto stub = v1::CatalogService::NewStub(server_->channel());
    int checked = 0;
    for (const auto& [name, description] : acknowledged) {
      if (checked++ % 10 != 0) continue;  // a sample is enough here
      grpc::ClientContext context;
      server_->PrepareContext(&context);
      v1::GetDatasetRequest request;
      request.set_namespace_(kNamespace);
      request.set_name(name);
      v1::Dataset dataset;
      const grpc::Status status = stub->GetDataset(&context, request, &dataset);
      EXPECT_TRUE(status.ok()) << name << ": " << status.error_message();
      EXPECT_EQ(dataset.description(), description) << name;
      ASSERT_EQ(dataset.fields_size(), 1) << name;
      EXPECT_EQ(dataset.fields(0).name(), "id");
    }
  }

  // The counter dataset holds the last acknowledged value, or the one after
  // it (a write in flight at the kill may or may not have committed).
  void ExpectCounter(const Writer& writer) {
    const int last = writer.last_counter();
    if (last < 0) return;
    const auto stored = ReadAllOverRest();
    const auto it = stored.find(writer.transport() + "-counter");
    ASSERT_NE(it, stored.end()) << writer.transport() << "-counter lost";
    const int value = std::stoi(it->second);
    EXPECT_GE(value, last) << writer.transport() << "-counter went back";
    EXPECT_LE(value, last + 1) << writer.transport() << "-counter";
  }

  std::unique_ptr<ServerProcess> server_;
};

TEST_P(DurabilityTest, AcknowledgedWritesSurviveSigkill) {
  Writer rest(*server_, "rest");
  Writer grpc(*server_, "grpc");
  std::atomic<bool> stop{false};
  std::thread rest_thread([&] { rest.Run(kWritesPerTransport, stop); });
  std::thread grpc_thread([&] { grpc.Run(kWritesPerTransport, stop); });
  rest_thread.join();
  grpc_thread.join();
  ASSERT_EQ(rest.acknowledged().size(), size_t{kWritesPerTransport});
  ASSERT_EQ(grpc.acknowledged().size(), size_t{kWritesPerTransport});

  const ExitStatus killed = server_->Kill();
  EXPECT_EQ(killed.signal, SIGKILL) << killed.ToString();
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;

  ExpectPresent(rest.acknowledged());
  ExpectPresent(grpc.acknowledged());
  ExpectCounter(rest);
  ExpectCounter(grpc);
  EXPECT_EQ(ReadAllOverRest().size(), size_t{2 * kWritesPerTransport + 2});
}

TEST_P(DurabilityTest, KillDuringWritesLosesNoAcknowledgedWrite) {
  Writer rest(*server_, "rest");
  Writer grpc(*server_, "grpc");
  std::atomic<bool> stop{false};
  // Far more writes than will happen: the kill ends them.
  std::thread rest_thread([&] { rest.Run(100000, stop); });
  std::thread grpc_thread([&] { grpc.Run(100000, stop); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while ((rest.acknowledged().size() < 50 || grpc.acknowledged().size() < 50) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const ExitStatus killed = server_->Kill();  // while both write
  stop.store(true);
  rest_thread.join();
  grpc_thread.join();
  EXPECT_EQ(killed.signal, SIGKILL) << killed.ToString();
  ASSERT_GE(rest.acknowledged().size(), 50u);
  ASSERT_GE(grpc.acknowledged().size(), 50u);

  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  ExpectPresent(rest.acknowledged());
  ExpectPresent(grpc.acknowledged());
  ExpectCounter(rest);
  ExpectCounter(grpc);
}

// The status of an HTTP answer, or -1 when none came.
int StatusOf(const httplib::Result& result) {
  return result ? result->status : -1;
}
json BodyOf(const httplib::Result& result) {
  return result ? json::parse(result->body, nullptr, false) : json();
}

TEST_P(DurabilityTest, GracefulStopKeepsEverything) {
  auto http = server_->HttpClient();
  // A tag, datasets (one tagged, one deleted) and their history.
  ASSERT_EQ(StatusOf(http->Put("/api/v1/tags/PII.Email", "{}",
                               "application/json")),
            200);
  for (const char* name : {"kept", "tagged", "deleted"}) {
    for (const char* body :
         {R"({"description":"one","fields":[{"name":"email"}]})",
          R"({"description":"two","fields":[{"name":"email"}]})"}) {
      ASSERT_EQ(StatusOf(http->Put(DatasetPath(name), body,
                                   "application/json")),
                200)
          << name;
    }
  }
  ASSERT_EQ(StatusOf(http->Post(
                DatasetPath("tagged") + "/fields/email/tags/PII.Email", "",
                "application/json")),
            200);
  ASSERT_EQ(StatusOf(http->Delete(DatasetPath("deleted"))), 200);
  const auto versions_before = http->Get(DatasetPath("tagged") + "/versions");
  ASSERT_EQ(StatusOf(versions_before), 200);

  const ExitStatus stopped = server_->Stop();
  EXPECT_TRUE(stopped.exited && stopped.exit_code == 0 && !stopped.timed_out)
      << "SIGTERM should end the server cleanly: " << stopped.ToString();
  std::string error;
  ASSERT_TRUE(server_->Start(&error)) << error;
  http = server_->HttpClient();

  const auto kept = http->Get(DatasetPath("kept"));
  ASSERT_EQ(StatusOf(kept), 200);
  EXPECT_EQ(BodyOf(kept).value("description", ""), "two");
  EXPECT_EQ(BodyOf(kept).value("currentVersion", ""), "2");
  const auto tagged = http->Get(DatasetPath("tagged"));
  ASSERT_EQ(StatusOf(tagged), 200);
  EXPECT_EQ(BodyOf(tagged)["fields"][0]["tags"], json::array({"PII.Email"}))
      << tagged->body;
  const auto versions_after = http->Get(DatasetPath("tagged") + "/versions");
  ASSERT_EQ(StatusOf(versions_after), 200);
  EXPECT_EQ(BodyOf(versions_after), BodyOf(versions_before));
  EXPECT_EQ(StatusOf(http->Get(DatasetPath("deleted"))), 404);
  EXPECT_EQ(StatusOf(http->Post(DatasetPath("deleted") + "/restore", "",
                                "application/json")),
            200);
  EXPECT_EQ(StatusOf(http->Get(DatasetPath("deleted"))), 200);
  // The admin token still works after the restart, over gRPC too.
  grpc::ClientContext context;
  server_->PrepareContext(&context);
  v1::ListDatasetsRequest request;
  request.set_namespace_(kNamespace);
  v1::ListDatasetsResponse response;
  const grpc::Status status = v1::CatalogService::NewStub(server_->channel())
                                  ->ListDatasets(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.total_count(), 3);
}

INSTANTIATE_TEST_SUITE_P(Modes, DurabilityTest,
                         ::testing::Values("full", "normal"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace cadastre::testing
