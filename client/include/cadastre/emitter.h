// The lineage emitter: a pipeline hands it OpenLineage events and goes on;
// a background thread sends them in batches, retries with backoff while the
// server is away, and never loses one it accepted.
//
//   cadastre::sdk::ClientOptions grpc;
//   grpc.target = "127.0.0.1:50051";
//   grpc.token = token;
//   cadastre::sdk::EmitterOptions options;
//   options.spool_dir = "/var/spool/my-pipeline/lineage";
//   auto emitter = cadastre::sdk::Emitter::Create(*cadastre::sdk::MakeGrpcTransport(grpc), options);
//   (*emitter)->Emit(event);                        // durable when it returns OK
//   (*emitter)->Flush(std::chrono::seconds(10));    // optional: wait for the server
//
// Delivery. With a spool directory, Emit() writes the event to a file of its
// own (temporary file, fsync, rename, fsync of the directory) before it
// returns, and the file is deleted only after the server acknowledged the
// event. An emitter made on a spool that a previous process left (it
// crashed, or closed while the server was away) sends those events first,
// oldest first. An event is therefore sent at least once; it is stored
// exactly once because Cadastre deduplicates events by content (the SHA-256
// of their canonical JSON), so one re-sent after a lost acknowledgement
// changes nothing. Other OpenLineage servers may not deduplicate.
//
// Without a spool directory events wait in memory (at most
// max_queued_events) and are lost if the process ends before they are sent.
//
// Failures. A batch that fails with a transient error (UNAVAILABLE,
// DEADLINE_EXCEEDED, UNAUTHENTICATED, PERMISSION_DENIED, INTERNAL, …) is
// retried with jittered exponential backoff, from initial_backoff doubling
// up to max_backoff, forever: a wrong token or a missing permission waits in
// the spool until it is fixed, and last_error says why. A batch the server
// refuses as invalid is re-sent one event at a time, and an event refused on
// its own is moved to the spool's rejected/ folder (or, without a spool,
// dropped) and reported to on_rejected: one bad event never blocks the others.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cadastre/lineage_transport.h"
#include "cadastre/openlineage.h"

namespace cadastre::sdk {

struct EmitterOptions {
  // Where events wait until acknowledged; created when missing. Only one
  // emitter (in any process) may use a directory at a time. Empty: memory.
  std::string spool_dir;
  // fsync each spooled event and the directory (the durability promise).
  // Turn off only where losing events at a machine crash is acceptable.
  bool fsync = true;
  size_t max_batch_events = 100;
  size_t max_batch_bytes = 1 << 20;  // below the server's body limit (8 MiB)
  // Without a spool: Emit() refuses (RESOURCE_EXHAUSTED) beyond this many.
  size_t max_queued_events = 10000;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{30000};
  // How long Close() (and the destructor) waits for the queue to drain.
  std::chrono::milliseconds close_timeout{5000};
  // Called on the sender thread for each event the server refused for good.
  std::function<void(const std::string& event_json, const absl::Status& why)> on_rejected;
};

struct EmitterStats {
  uint64_t emitted = 0;     // accepted by Emit() in this process
  uint64_t replayed = 0;    // found in the spool at start
  uint64_t delivered = 0;   // acknowledged by the server
  uint64_t duplicates = 0;  // of those, already stored (as the server said)
  uint64_t rejected = 0;    // refused by the server for good
  uint64_t failed_sends = 0;  // batches that failed and will be retried
  uint64_t pending = 0;     // queued or in flight
  std::string last_error;   // the last failure, "" when none yet
};

class Emitter {
 public:
  // Opens (and locks) the spool, queues what it holds and starts the sender.
  // FAILED_PRECONDITION when another emitter holds the spool directory;
  // the filesystem's error when it cannot be created or read.
  static absl::StatusOr<std::unique_ptr<Emitter>> Create(std::unique_ptr<LineageTransport> transport,
                                                         EmitterOptions options);

  // Closes (see Close()).
  ~Emitter();
  Emitter(const Emitter&) = delete;
  Emitter& operator=(const Emitter&) = delete;

  // Queues one event. With a spool, it is on disk when this returns OK.
  // FAILED_PRECONDITION after Close(); the filesystem's error when the spool
  // cannot be written; RESOURCE_EXHAUSTED when the memory queue is full.
  absl::Status Emit(const ol::RunEvent& event);
  // Queues the JSON text of any OpenLineage event (run, dataset or job
  // event), as given. INVALID_ARGUMENT unless it is a JSON object.
  absl::Status EmitJson(const std::string& event_json);

  // Sends now, skipping a backoff in progress, and waits until every event
  // queued before the call is acknowledged (or rejected). DEADLINE_EXCEEDED
  // after `timeout`, naming how many remain and the last error.
  absl::Status Flush(std::chrono::milliseconds timeout);

  // Flushes for close_timeout, then stops the sender (waiting for a send in
  // flight, at most one transport timeout). Events not yet acknowledged stay
  // in the spool for the next emitter; without a spool they are lost, and
  // Close() says how many. Later calls do nothing and answer OK.
  absl::Status Close();

  EmitterStats stats() const;

 private:
  class Impl;
  explicit Emitter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadastre::sdk
