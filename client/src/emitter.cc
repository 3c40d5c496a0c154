#include "cadastre/emitter.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "spool.h"

namespace cadastre::sdk {
namespace {

using Clock = std::chrono::steady_clock;

enum class Outcome { kRefused, kTooLarge, kTransient };

Outcome Classify(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return Outcome::kRefused;
    case absl::StatusCode::kResourceExhausted:
      return Outcome::kTooLarge;
    default:
      return Outcome::kTransient;
  }
}

std::string Describe(const absl::Status& status) {
  return absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
}

}  // namespace

class Emitter::Impl {
 public:
  Impl(std::unique_ptr<LineageTransport> transport, EmitterOptions options)
      : transport_(std::move(transport)),
        options_(std::move(options)),
        batch_limit_(std::max<size_t>(1, options_.max_batch_events)),
        backoff_(options_.initial_backoff) {}

  ~Impl() { (void)Close(); }

  absl::Status Open() {
    if (!options_.spool_dir.empty()) {
      absl::StatusOr<internal::Spool> spool = internal::Spool::Open(options_.spool_dir, options_.fsync);
      if (!spool.ok()) return spool.status();
      spool_.emplace(*std::move(spool));
      for (const std::string& path : spool_->Pending()) {
        queue_.push_back(Entry{next_sequence_++, path, ""});
        stats_.replayed++;
      }
    }
    sender_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  absl::Status Enqueue(const std::string& json) {
    // One writer at a time keeps spool names and queue order the same.
    std::lock_guard<std::mutex> write_lock(write_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return absl::FailedPreconditionError("the emitter is closed");
      if (!spool_ && queue_.size() >= options_.max_queued_events) {
        return absl::ResourceExhaustedError(absl::StrCat(
            queue_.size(), " events wait for the server already (max_queued_events); ",
            "configure a spool directory to keep more"));
      }
    }
    Entry entry;
    if (spool_) {
      absl::StatusOr<std::string> path = spool_->Write(json);
      if (!path.ok()) return path.status();
      entry.path = *std::move(path);
    } else {
      entry.json = json;
    }
    std::lock_guard<std::mutex> lock(mu_);
    entry.sequence = next_sequence_++;
    queue_.push_back(std::move(entry));
    stats_.emitted++;
    wake_.notify_all();
    return absl::OkStatus();
  }

  absl::Status Flush(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    std::unique_lock<std::mutex> lock(mu_);
    const uint64_t target = next_sequence_;
    next_attempt_ = Clock::now();
    wake_.notify_all();
    if (progress_.wait_until(lock, deadline, [&] { return DoneSequence() >= target; })) {
      return absl::OkStatus();
    }
    return absl::DeadlineExceededError(absl::StrCat(
        target - DoneSequence(), " events not yet acknowledged by ", transport_->Describe(),
        " after ", timeout.count(), " ms",
        stats_.last_error.empty() ? "" : "; last error: " + stats_.last_error));
  }

  absl::Status Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return absl::OkStatus();
      closed_ = true;
    }
    absl::Status flushed = Flush(options_.close_timeout);
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      wake_.notify_all();
    }
    if (sender_.joinable()) sender_.join();
    std::lock_guard<std::mutex> write_lock(write_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    const size_t left = queue_.size();
    spool_.reset();  // releases the directory for the next emitter
    if (left == 0) return absl::OkStatus();
    if (options_.spool_dir.empty()) {
      return absl::DataLossError(absl::StrCat(left, " events were not delivered and are lost ",
                                              "(no spool directory); ", flushed.message()));
    }
    return absl::DeadlineExceededError(absl::StrCat(left, " events stay in the spool ",
                                                    options_.spool_dir, " for the next emitter; ",
                                                    flushed.message()));
  }

  EmitterStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    EmitterStats stats = stats_;
    stats.pending = queue_.size();
    return stats;
  }

 private:
  struct Entry {
    uint64_t sequence = 0;
    std::string path;  // in the spool; empty without one
    std::string json;  // without a spool
  };

  // Every event below this sequence number is acknowledged or dropped.
  uint64_t DoneSequence() const { return queue_.empty() ? next_sequence_ : queue_.front().sequence; }

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      if (queue_.empty()) {
        wake_.wait(lock);
      } else if (Clock::now() < next_attempt_) {
        wake_.wait_until(lock, next_attempt_);
      } else {
        SendOnce(lock);
      }
    }
  }

  // Sends a batch from the front of the queue and applies the answer.
  // Called with `lock` held; releases it while it reads files and sends.
  void SendOnce(std::unique_lock<std::mutex>& lock) {
    const size_t limit = std::min(isolate_ > 0 ? size_t{1} : batch_limit_, queue_.size());
    std::vector<Entry> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(limit));
    lock.unlock();

    // Read what is spooled; stop at the byte limit (one event always goes).
    std::vector<std::string> events;
    std::vector<std::pair<Entry, absl::Status>> unreadable;
    size_t bytes = 0;
    for (const Entry& entry : batch) {
      std::string json = entry.json;
      if (spool_) {
        absl::StatusOr<std::string> read = spool_->Read(entry.path);
        if (!read.ok()) {
          // Only the front can be dropped in order: send what came before.
          if (events.empty()) unreadable.emplace_back(entry, read.status());
          break;
        }
        json = *std::move(read);
      }
      if (!events.empty() && bytes + json.size() > options_.max_batch_bytes) break;
      bytes += json.size();
      events.push_back(std::move(json));
    }
    if (!unreadable.empty()) {
      lock.lock();
      Drop(unreadable.front().second, /*json=*/"", lock);
      return;
    }

    const SendResult result = transport_->Send(events);
    const size_t acknowledged = std::min(result.acknowledged, events.size());
    if (spool_) {
      for (size_t i = 0; i < acknowledged; i++) spool_->Remove(batch[i].path);
    }

    lock.lock();
    for (size_t i = 0; i < acknowledged; i++) queue_.pop_front();
    isolate_ -= std::min(isolate_, acknowledged);
    stats_.delivered += acknowledged;
    stats_.duplicates += result.duplicates;
    if (acknowledged > 0) progress_.notify_all();
    if (result.status.ok() && acknowledged == events.size()) {
      backoff_ = options_.initial_backoff;
      return;
    }
    const size_t failed = events.size() - acknowledged;
    switch (Classify(result.status)) {
      case Outcome::kRefused:
        if (failed > 1) {
          isolate_ = failed;  // find the bad one(s): one event per send
        } else {
          Drop(result.status, events[acknowledged], lock);
        }
        return;
      case Outcome::kTooLarge:
        if (failed > 1) {
          batch_limit_ = std::max<size_t>(1, failed / 2);
        } else {
          Drop(result.status, events[acknowledged], lock);
        }
        return;
      case Outcome::kTransient:
        break;
    }
    stats_.failed_sends++;
    stats_.last_error = absl::StrCat(transport_->Describe(), ": ", Describe(result.status));
    std::uniform_int_distribution<int64_t> wait(backoff_.count() / 2, backoff_.count());
    next_attempt_ = Clock::now() + std::chrono::milliseconds(wait(jitter_));
    backoff_ = std::min(backoff_ * 2, options_.max_backoff);
  }

  // Gives up the front event for good: rejected/ in the spool, and the
  // callback (called without the lock, which it may need for stats()).
  void Drop(const absl::Status& why, const std::string& json, std::unique_lock<std::mutex>& lock) {
    Entry entry = std::move(queue_.front());
    queue_.pop_front();
    isolate_ -= std::min<size_t>(isolate_, 1);
    stats_.rejected++;
    stats_.last_error = absl::StrCat("refused by ", transport_->Describe(), ": ", Describe(why));
    progress_.notify_all();
    if (spool_) spool_->Reject(entry.path);
    if (options_.on_rejected) {
      lock.unlock();
      options_.on_rejected(json.empty() ? entry.json : json, why);
      lock.lock();
    }
  }

  const std::unique_ptr<LineageTransport> transport_;
  const EmitterOptions options_;
  std::optional<internal::Spool> spool_;

  std::mutex write_mu_;  // Enqueue(): spool write and push, in one order
  mutable std::mutex mu_;
  std::condition_variable wake_;      // the sender: work, a flush, or stop
  std::condition_variable progress_;  // Flush(): the queue moved
  std::deque<Entry> queue_;
  uint64_t next_sequence_ = 0;
  size_t isolate_ = 0;  // send this many from the front one at a time
  size_t batch_limit_;  // events per batch; halved when the server finds one too large
  Clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_;
  std::mt19937 jitter_{std::random_device{}()};
  bool closed_ = false;
  bool stop_ = false;
  EmitterStats stats_;
  std::thread sender_;
};

absl::StatusOr<std::unique_ptr<Emitter>> Emitter::Create(
    std::unique_ptr<LineageTransport> transport, EmitterOptions options) {
  if (transport == nullptr) return absl::InvalidArgumentError("the emitter needs a transport");
  if (options.initial_backoff.count() <= 0 || options.max_backoff < options.initial_backoff) {
    return absl::InvalidArgumentError("backoff: 0 < initial_backoff <= max_backoff");
  }
  auto impl = std::make_unique<Impl>(std::move(transport), std::move(options));
  if (absl::Status status = impl->Open(); !status.ok()) return status;
  return std::unique_ptr<Emitter>(new Emitter(std::move(impl)));
}

Emitter::Emitter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Emitter::~Emitter() = default;

absl::Status Emitter::Emit(const ol::RunEvent& event) { return impl_->Enqueue(event.json()); }

absl::Status Emitter::EmitJson(const std::string& event_json) {
  const nlohmann::json parsed = nlohmann::json::parse(event_json, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return absl::InvalidArgumentError("an OpenLineage event must be a JSON object");
  }
  return impl_->Enqueue(event_json);
}

absl::Status Emitter::Flush(std::chrono::milliseconds timeout) { return impl_->Flush(timeout); }
absl::Status Emitter::Close() { return impl_->Close(); }
EmitterStats Emitter::stats() const { return impl_->stats(); }

}  // namespace cadastre::sdk
