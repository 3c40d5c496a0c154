// The emitter over a scripted transport (no server): batching, order, the
// spool's replay and lock, refused and oversized events, Flush and Close.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "cadastre/emitter.h"

namespace cadastre::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Answers each Send() by a rule the test sets; records what it was sent.
class ScriptedTransport : public sdk::LineageTransport {
 public:
  struct State {
    std::mutex mu;
    std::vector<std::vector<std::string>> batches;  // every call
    std::vector<std::string> stored;                // acknowledged, in order
    std::function<sdk::SendResult(const std::vector<std::string>&)> rule;
  };

  explicit ScriptedTransport(std::shared_ptr<State> state) : state_(std::move(state)) {}

  sdk::SendResult Send(const std::vector<std::string>& events) override {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->batches.push_back(events);
    sdk::SendResult result;
    if (state_->rule) {
      result = state_->rule(events);
    } else {
      result.acknowledged = events.size();
    }
    for (size_t i = 0; i < result.acknowledged; i++) state_->stored.push_back(events[i]);
    return result;
  }
  std::string Describe() const override { return "scripted"; }

 private:
  std::shared_ptr<State> state_;
};

std::string Event(int n) { return R"({"n":)" + std::to_string(n) + "}"; }

class EmitterUnitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/cadastre-emitter-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    root_ = pattern;
    state_ = std::make_shared<ScriptedTransport::State>();
  }
  void TearDown() override { fs::remove_all(root_); }

  sdk::EmitterOptions Options(bool spool = true) {
    sdk::EmitterOptions options;
    if (spool) options.spool_dir = (root_ / "spool").string();
    options.fsync = false;
    options.initial_backoff = milliseconds(10);
    options.max_backoff = milliseconds(40);
    options.close_timeout = milliseconds(300);
    return options;
  }

  std::unique_ptr<sdk::Emitter> Make(sdk::EmitterOptions options) {
    auto emitter =
        sdk::Emitter::Create(std::make_unique<ScriptedTransport>(state_), std::move(options));
    EXPECT_TRUE(emitter.ok()) << emitter.status();
    return emitter.ok() ? *std::move(emitter) : nullptr;
  }

  void SetRule(std::function<sdk::SendResult(const std::vector<std::string>&)> rule) {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->rule = std::move(rule);
  }
  std::vector<std::string> Stored() {
    std::lock_guard<std::mutex> lock(state_->mu);
    return state_->stored;
  }

  fs::path root_;
  std::shared_ptr<ScriptedTransport::State> state_;
};

TEST_F(EmitterUnitTest, DeliversInOrderInBatchesAndEmptiesTheSpool) {
  sdk::EmitterOptions options = Options();
  options.max_batch_events = 4;
  SetRule([](const std::vector<std::string>&) {
    return sdk::SendResult{0, 0, absl::UnavailableError("down")};
  });
  auto emitter = Make(options);
  for (int i = 0; i < 10; i++) ASSERT_TRUE(emitter->EmitJson(Event(i)).ok());
  // Let it fail at least once (bounded wait), then let the server "return".
  const auto deadline = std::chrono::steady_clock::now() + seconds(5);
  while (emitter->stats().failed_sends == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  SetRule(nullptr);
  ASSERT_TRUE(emitter->Flush(seconds(5)).ok());
  std::vector<std::string> expected;
  for (int i = 0; i < 10; i++) expected.push_back(Event(i));
  EXPECT_EQ(Stored(), expected);
  for (const auto& batch : state_->batches) EXPECT_LE(batch.size(), 4u);
  EXPECT_EQ(emitter->stats().delivered, 10u);
  EXPECT_GE(emitter->stats().failed_sends, 1u);
  EXPECT_TRUE(fs::is_empty(root_ / "spool" / "rejected"));
  int files = 0;
  for (const auto& entry : fs::directory_iterator(root_ / "spool")) {
    files += entry.path().extension() == ".json";
  }
  EXPECT_EQ(files, 0);
}

TEST_F(EmitterUnitTest, ReplaysWhatAPreviousEmitterLeftOldestFirst) {
  SetRule([](const std::vector<std::string>&) {
    return sdk::SendResult{0, 0, absl::UnavailableError("down")};
  });
  {
    auto emitter = Make(Options());
    for (int i = 0; i < 3; i++) ASSERT_TRUE(emitter->EmitJson(Event(i)).ok());
    EXPECT_EQ(emitter->Close().code(), absl::StatusCode::kDeadlineExceeded);
  }
  // A write that never finished is not an event anybody was promised.
  std::ofstream(root_ / "spool" / "99999999999999999999.json.tmp") << "{\"partial";
  SetRule(nullptr);
  auto emitter = Make(Options());
  EXPECT_EQ(emitter->stats().replayed, 3u);
  ASSERT_TRUE(emitter->EmitJson(Event(3)).ok());
  ASSERT_TRUE(emitter->Flush(seconds(5)).ok());
  EXPECT_EQ(Stored(), (std::vector<std::string>{Event(0), Event(1), Event(2), Event(3)}));
  EXPECT_FALSE(fs::exists(root_ / "spool" / "99999999999999999999.json.tmp"));
}

TEST_F(EmitterUnitTest, OneEmitterPerSpoolDirectory) {
  auto first = Make(Options());
  auto second = sdk::Emitter::Create(std::make_unique<ScriptedTransport>(state_), Options());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
  first.reset();
  EXPECT_TRUE(sdk::Emitter::Create(std::make_unique<ScriptedTransport>(state_), Options()).ok());
}

TEST_F(EmitterUnitTest, ARefusedBatchIsSplitAndOnlyTheBadEventIsSetAside) {
  const std::string bad = R"({"bad":true})";
  // Held (UNAVAILABLE) until all three are queued, so that they go as one
  // batch; then, like Cadastre, a batch holding a bad event is refused whole.
  std::atomic<bool> hold{true};
  SetRule([&](const std::vector<std::string>& events) {
    if (hold) return sdk::SendResult{0, 0, absl::UnavailableError("held")};
    for (const std::string& event : events) {
      if (event == bad) return sdk::SendResult{0, 0, absl::InvalidArgumentError("[1].run.runId")};
    }
    return sdk::SendResult{events.size(), 0, absl::OkStatus()};
  });
  std::atomic<int> callbacks{0};
  sdk::EmitterOptions options = Options();
  options.on_rejected = [&](const std::string& json, const absl::Status&) {
    EXPECT_EQ(json, bad);
    callbacks++;
  };
  auto emitter = Make(options);
  ASSERT_TRUE(emitter->EmitJson(Event(1)).ok());
  ASSERT_TRUE(emitter->EmitJson(bad).ok());
  ASSERT_TRUE(emitter->EmitJson(Event(2)).ok());
  hold = false;
  ASSERT_TRUE(emitter->Flush(seconds(5)).ok());
  EXPECT_EQ(Stored(), (std::vector<std::string>{Event(1), Event(2)}));
  bool batched = false;
  for (const auto& batch : state_->batches) batched |= batch.size() == 3;
  EXPECT_TRUE(batched);
  EXPECT_EQ(emitter->stats().rejected, 1u);
  EXPECT_EQ(callbacks.load(), 1);
  int rejected_files = 0;
  for (const auto& entry : fs::directory_iterator(root_ / "spool" / "rejected")) {
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(text, bad);
    rejected_files++;
  }
  EXPECT_EQ(rejected_files, 1);
}

TEST_F(EmitterUnitTest, ATooLargeBatchIsHalvedAndATooLargeEventSetAside) {
  const std::string huge = "{\"huge\":\"" + std::string(1000, 'x') + "\"}";
  SetRule([&](const std::vector<std::string>& events) {
    size_t bytes = 0;
    for (const auto& event : events) bytes += event.size();
    if (bytes > 900) return sdk::SendResult{0, 0, absl::ResourceExhaustedError("too large")};
    return sdk::SendResult{events.size(), 0, absl::OkStatus()};
  });
  sdk::EmitterOptions options = Options(/*spool=*/false);
  auto emitter = Make(options);
  std::vector<std::string> small;
  for (int i = 0; i < 40; i++) small.push_back("{\"n\":\"" + std::string(40, 'a' + i % 26) + "\"}");
  for (int i = 0; i < 20; i++) ASSERT_TRUE(emitter->EmitJson(small[i]).ok());
  ASSERT_TRUE(emitter->EmitJson(huge).ok());
  for (int i = 20; i < 40; i++) ASSERT_TRUE(emitter->EmitJson(small[i]).ok());
  ASSERT_TRUE(emitter->Flush(seconds(5)).ok());
  EXPECT_EQ(Stored(), small);
  EXPECT_EQ(emitter->stats().rejected, 1u);
}

TEST_F(EmitterUnitTest, PartialAcknowledgementKeepsTheRestInOrder) {
  // An endpoint taking one event per request that fails mid-batch.
  std::atomic<bool> hold{true};
  std::atomic<int> calls{0};
  SetRule([&](const std::vector<std::string>& events) {
    if (hold) return sdk::SendResult{0, 0, absl::UnavailableError("held")};
    if (calls++ == 0) return sdk::SendResult{2, 0, absl::UnavailableError("connection reset")};
    return sdk::SendResult{events.size(), 0, absl::OkStatus()};
  });
  auto emitter = Make(Options());
  for (int i = 0; i < 5; i++) ASSERT_TRUE(emitter->EmitJson(Event(i)).ok());
  hold = false;
  ASSERT_TRUE(emitter->Flush(seconds(5)).ok());
  EXPECT_EQ(Stored(), (std::vector<std::string>{Event(0), Event(1), Event(2), Event(3), Event(4)}));
  EXPECT_EQ(emitter->stats().delivered, 5u);
}

TEST_F(EmitterUnitTest, FlushAnswersDeadlineExceededWithTheLastError) {
  SetRule([](const std::vector<std::string>&) {
    return sdk::SendResult{0, 0, absl::UnauthenticatedError("unknown token")};
  });
  auto emitter = Make(Options());
  ASSERT_TRUE(emitter->EmitJson(Event(1)).ok());
  const auto start = std::chrono::steady_clock::now();
  const absl::Status flushed = emitter->Flush(milliseconds(200));
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(2));
  EXPECT_EQ(flushed.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_NE(flushed.message().find("1 events not yet acknowledged"), std::string::npos) << flushed;
  EXPECT_NE(flushed.message().find("unknown token"), std::string::npos) << flushed;
  EXPECT_EQ(emitter->stats().rejected, 0u);  // a wrong token refuses nothing for good
}

TEST_F(EmitterUnitTest, WithoutASpoolCloseSaysWhatIsLostAndTheQueueIsBounded) {
  SetRule([](const std::vector<std::string>&) {
    return sdk::SendResult{0, 0, absl::UnavailableError("down")};
  });
  sdk::EmitterOptions options = Options(/*spool=*/false);
  options.max_queued_events = 2;
  auto emitter = Make(options);
  ASSERT_TRUE(emitter->EmitJson(Event(1)).ok());
  ASSERT_TRUE(emitter->EmitJson(Event(2)).ok());
  EXPECT_EQ(emitter->EmitJson(Event(3)).code(), absl::StatusCode::kResourceExhausted);
  const absl::Status closed = emitter->Close();
  EXPECT_EQ(closed.code(), absl::StatusCode::kDataLoss) << closed;
  EXPECT_EQ(emitter->EmitJson(Event(4)).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(emitter->Close().ok());
}

TEST_F(EmitterUnitTest, EmitJsonTakesOnlyJsonObjects) {
  auto emitter = Make(Options(/*spool=*/false));
  EXPECT_EQ(emitter->EmitJson("[1,2]").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(emitter->EmitJson("{nope").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadastre::testing
