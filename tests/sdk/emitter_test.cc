// The lineage emitter against the real server: events arrive over gRPC and
// HTTP with their schema and column lineage; events emitted while the server
// is down survive a crash of the pipeline in the spool and are delivered
// exactly once (counted through the API) when it is back; backoff is bounded.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "cadastre/client.h"
#include "cadastre/emitter.h"
#include "server_process.h"
#include "subprocess.h"

namespace cadastre::testing {
namespace {

namespace fs = std::filesystem;
namespace ol = sdk::ol;
namespace v1 = cadastre::v1;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Spooled events (not temporary files, not rejected ones).
int SpooledFiles(const fs::path& dir) {
  int count = 0;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    if (entry.path().extension() == ".json") count++;
  }
  return count;
}

ol::RunEvent CurateEvent(const std::string& run, ol::EventType type = ol::EventType::kComplete) {
  auto event =
      ol::RunEventBuilder(type)
          .Job("etl", "curate_customers")
          .RunId(run)
          .Input(ol::Dataset("postgres://crm:5432", "public.customers")
                     .Field("id", "bigint")
                     .Field("email", "text"))
          .Output(ol::Dataset("warehouse", "curated.customers")
                      .Field("customer_id", "bigint", "the CRM's id")
                      .Field("email_hash", "text")
                      .ColumnLineage("customer_id",
                                     ol::InputField("postgres://crm:5432", "public.customers", "id"))
                      .ColumnLineage("email_hash",
                                     ol::InputField("postgres://crm:5432", "public.customers", "email",
                                                    ol::Transformation::Direct("TRANSFORMATION")
                                                        .Masked())))
          .Build();
  EXPECT_TRUE(event.ok()) << event.status();
  return *event;
}

class EmitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(server_.Start(&error)) << error;
    spool_ = server_.data_dir().parent_path() / "spool";
  }

  sdk::ClientOptions GrpcOptions(std::string token = "") const {
    sdk::ClientOptions options;
    options.target = "127.0.0.1:" + std::to_string(server_.grpc_port());
    options.token = token.empty() ? server_.token() : token;
    options.deadline = seconds(5);
    options.initial_backoff = milliseconds(50);
    options.max_backoff = milliseconds(300);
    return options;
  }

  sdk::EmitterOptions Options(bool spool = true) const {
    sdk::EmitterOptions options;
    if (spool) options.spool_dir = spool_.string();
    options.initial_backoff = milliseconds(50);
    options.max_backoff = milliseconds(200);
    options.close_timeout = seconds(2);
    return options;
  }

  std::unique_ptr<sdk::Emitter> GrpcEmitter(sdk::EmitterOptions options, std::string token = "") {
    auto transport = sdk::MakeGrpcTransport(GrpcOptions(std::move(token)));
    EXPECT_TRUE(transport.ok()) << transport.status();
    auto emitter = sdk::Emitter::Create(*std::move(transport), std::move(options));
    EXPECT_TRUE(emitter.ok()) << emitter.status();
    return emitter.ok() ? *std::move(emitter) : nullptr;
  }

  std::unique_ptr<sdk::Client> Client() const {
    auto client = sdk::Client::Connect(GrpcOptions());
    EXPECT_TRUE(client.ok());
    return *std::move(client);
  }

  // Raw events the server stored.
  int StoredEvents() const {
    v1::ListLineageEventsRequest request;
    auto listed = Client()->Call(&v1::LineageService::Stub::ListLineageEvents, request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? listed->total_count() : -1;
  }

  int Runs(const std::string& ns, const std::string& job) const {
    v1::ListRunsRequest request;
    request.set_namespace_(ns);
    request.set_job(job);
    auto listed = Client()->Call(&v1::LineageService::Stub::ListRuns, request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.ok() ? listed->total_count() : -1;
  }

  ServerProcess server_;
  fs::path spool_;
};

TEST_F(EmitterTest, EventsArriveWithSchemaAndColumnLineage) {
  auto emitter = GrpcEmitter(Options());
  const std::string run = ol::NewRunId();
  ASSERT_TRUE(emitter->Emit(CurateEvent(run, ol::EventType::kStart)).ok());
  ASSERT_TRUE(emitter->Emit(CurateEvent(run)).ok());
  ASSERT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
  EXPECT_EQ(emitter->stats().delivered, 2u);
  EXPECT_EQ(SpooledFiles(spool_), 0);
  EXPECT_EQ(StoredEvents(), 2);
  EXPECT_EQ(Runs("etl", "curate_customers"), 1);

  v1::GetDatasetRequest get;
  get.set_namespace_("warehouse");
  get.set_name("curated.customers");
  auto dataset = Client()->Call(&v1::CatalogService::Stub::GetDataset, get);
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  ASSERT_EQ(dataset->fields_size(), 2);
  EXPECT_EQ(dataset->fields(0).name(), "customer_id");
  EXPECT_EQ(dataset->fields(0).type(), "bigint");

  v1::GetLineageRequest lineage;
  lineage.set_namespace_("warehouse");
  lineage.set_dataset("curated.customers");
  lineage.set_field("email_hash");
  lineage.set_direction(v1::UPSTREAM);
  auto graph = Client()->Call(&v1::LineageService::Stub::GetLineage, lineage);
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_EQ(graph->edges_size(), 1);
  EXPECT_EQ(graph->edges(0).source(), "datasetField:postgres://crm:5432:public.customers:email");
  EXPECT_EQ(graph->edges(0).transformation().type(), "DIRECT");
  EXPECT_EQ(graph->edges(0).transformation().subtype(), "TRANSFORMATION");
  EXPECT_TRUE(graph->edges(0).transformation().masking());
  EXPECT_EQ(graph->edges(0).job().name(), "curate_customers");
}

TEST_F(EmitterTest, HttpTransportDeliversAsArraysAndOneEventPerRequest) {
  for (bool as_array : {true, false}) {
    sdk::HttpTransportOptions http;
    http.url = "http://127.0.0.1:" + std::to_string(server_.http_port()) + "/api/v1/lineage";
    http.token = server_.token();
    http.timeout = seconds(5);
    http.batch_as_array = as_array;
    auto transport = sdk::MakeHttpTransport(http);
    ASSERT_TRUE(transport.ok()) << transport.status();
    auto emitter = sdk::Emitter::Create(*std::move(transport), Options(/*spool=*/false));
    ASSERT_TRUE(emitter.ok()) << emitter.status();
    for (int i = 0; i < 5; i++) ASSERT_TRUE((*emitter)->Emit(CurateEvent(ol::NewRunId())).ok());
    ASSERT_TRUE((*emitter)->Flush(seconds(10)).ok()) << (*emitter)->stats().last_error;
    EXPECT_EQ((*emitter)->stats().delivered, 5u);
  }
  EXPECT_EQ(StoredEvents(), 10);
  EXPECT_EQ(Runs("etl", "curate_customers"), 10);
}

TEST_F(EmitterTest, HttpTransportKeepsEventsOnABadTokenOrAWrongUrl) {
  sdk::HttpTransportOptions http;
  http.url = "http://127.0.0.1:" + std::to_string(server_.http_port()) + "/api/v1/no-such-route";
  http.token = server_.token();
  http.timeout = seconds(5);
  auto transport = sdk::MakeHttpTransport(http);
  ASSERT_TRUE(transport.ok());
  auto emitter = sdk::Emitter::Create(*std::move(transport), Options());
  ASSERT_TRUE(emitter.ok());
  ASSERT_TRUE((*emitter)->Emit(CurateEvent(ol::NewRunId())).ok());
  const absl::Status flushed = (*emitter)->Flush(milliseconds(500));
  EXPECT_EQ(flushed.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(flushed.message().find("HTTP 404"), std::string::npos) << flushed;
  EXPECT_EQ((*emitter)->stats().rejected, 0u);
  EXPECT_FALSE((*emitter)->Close().ok());  // says what stays in the spool
  EXPECT_EQ(SpooledFiles(spool_), 1);
}

// The issue's scenario: server down -> events spooled -> the pipeline dies ->
// server up -> a new emitter replays -> every event stored exactly once.
TEST_F(EmitterTest, ServerDownCrashThenReplayDeliversExactlyOnce) {
  constexpr int kEvents = 25;
  const std::string target = "127.0.0.1:" + std::to_string(server_.grpc_port());
  server_.Stop();

  ChildProcess child({CADASTRE_EMITTER_CHILD_BIN, target, server_.token(), spool_.string(),
                      std::to_string(kEvents)},
                     {PathEntry()});
  ASSERT_TRUE(child.started());
  std::string line;
  ASSERT_TRUE(child.ReadLine(&line, seconds(20))) << "the child did not report";
  EXPECT_EQ(line, "spooled " + std::to_string(kEvents));
  std::this_thread::sleep_for(milliseconds(300));  // it retries against the dead server
  EXPECT_EQ(child.Kill(), SIGKILL);
  ASSERT_EQ(SpooledFiles(spool_), kEvents);

  std::string error;
  ASSERT_TRUE(server_.Start(&error)) << error;
  auto emitter = GrpcEmitter(Options());
  EXPECT_EQ(emitter->stats().replayed, static_cast<uint64_t>(kEvents));
  ASSERT_TRUE(emitter->Flush(seconds(15)).ok()) << emitter->stats().last_error;
  EXPECT_EQ(emitter->stats().delivered, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(emitter->stats().duplicates, 0u);
  EXPECT_EQ(SpooledFiles(spool_), 0);
  EXPECT_EQ(StoredEvents(), kEvents);
  EXPECT_EQ(Runs("crash", "nightly_load"), kEvents);
}

// A crash after the server acknowledged an event but before its spool file
// was deleted: the replay re-sends it, and the server stores it once.
TEST_F(EmitterTest, AnEventResentAfterALostAcknowledgementIsStoredOnce) {
  const ol::RunEvent event = CurateEvent(ol::NewRunId());
  {
    auto emitter = GrpcEmitter(Options());
    ASSERT_TRUE(emitter->Emit(event).ok());
    ASSERT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
  }
  ASSERT_EQ(StoredEvents(), 1);
  std::ofstream(spool_ / "00000000000000000001.json") << event.json();  // the undeleted file

  auto emitter = GrpcEmitter(Options());
  EXPECT_EQ(emitter->stats().replayed, 1u);
  ASSERT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
  EXPECT_EQ(emitter->stats().delivered, 1u);
  EXPECT_EQ(emitter->stats().duplicates, 1u);
  EXPECT_EQ(StoredEvents(), 1);
  EXPECT_EQ(Runs("etl", "curate_customers"), 1);
}

TEST_F(EmitterTest, BackoffIsBoundedAndDeliveryResumesWhenTheServerReturns) {
  auto emitter = GrpcEmitter(Options());
  const int port = server_.grpc_port();
  server_.Stop();
  ASSERT_TRUE(emitter->Emit(CurateEvent(ol::NewRunId())).ok());
  std::this_thread::sleep_for(milliseconds(1500));
  // Waits of 25-50, 50-100, 100-200 ms, then 100-200 ms (max_backoff 200):
  // it keeps trying, and does not hammer.
  const uint64_t failures = emitter->stats().failed_sends;
  EXPECT_GE(failures, 4u);
  EXPECT_LE(failures, 20u);
  EXPECT_NE(emitter->stats().last_error.find("UNAVAILABLE"), std::string::npos)
      << emitter->stats().last_error;
  EXPECT_EQ(emitter->stats().pending, 1u);

  std::string error;
  ASSERT_TRUE(server_.Start(&error)) << error;
  // The new server may listen on other ports; this emitter's target then is
  // gone, so only check delivery when the port was kept.
  if (server_.grpc_port() == port) {
    EXPECT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
    EXPECT_EQ(StoredEvents(), 1);
  }
}

TEST_F(EmitterTest, ARefusedEventIsSetAsideAndDoesNotBlockTheOthers) {
  std::vector<std::string> refused;
  sdk::EmitterOptions options = Options();
  options.on_rejected = [&](const std::string& json, const absl::Status& why) {
    refused.push_back(json);
    EXPECT_EQ(why.code(), absl::StatusCode::kInvalidArgument) << why;
  };
  auto emitter = GrpcEmitter(options);
  ASSERT_TRUE(emitter->Emit(CurateEvent(ol::NewRunId())).ok());
  const std::string bad =
      R"({"eventType":"COMPLETE","eventTime":"2026-01-01T00:00:00Z","producer":"https://x",)"
      R"("run":{"runId":"not-a-uuid"},"job":{"namespace":"etl","name":"bad"}})";
  ASSERT_TRUE(emitter->EmitJson(bad).ok());
  ASSERT_TRUE(emitter->Emit(CurateEvent(ol::NewRunId())).ok());
  ASSERT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
  EXPECT_EQ(emitter->stats().delivered, 2u);
  EXPECT_EQ(emitter->stats().rejected, 1u);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0], bad);
  EXPECT_EQ(SpooledFiles(spool_), 0);
  EXPECT_EQ(SpooledFiles(spool_ / "rejected"), 1);
  EXPECT_EQ(StoredEvents(), 2);
}

TEST_F(EmitterTest, ABadTokenKeepsEventsInTheSpoolUntilAGoodOneComes) {
  {
    auto emitter = GrpcEmitter(Options(), "cad_wrong-token");
    ASSERT_TRUE(emitter->Emit(CurateEvent(ol::NewRunId())).ok());
    const absl::Status flushed = emitter->Flush(milliseconds(500));
    EXPECT_EQ(flushed.code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_NE(flushed.message().find("UNAUTHENTICATED"), std::string::npos) << flushed;
    EXPECT_EQ(emitter->stats().rejected, 0u);
  }
  EXPECT_EQ(SpooledFiles(spool_), 1);
  auto emitter = GrpcEmitter(Options());
  ASSERT_TRUE(emitter->Flush(seconds(10)).ok()) << emitter->stats().last_error;
  EXPECT_EQ(StoredEvents(), 1);
}

}  // namespace
}  // namespace cadastre::testing
