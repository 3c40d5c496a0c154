// Where a lineage Emitter sends its events: Cadastre over gRPC, or any
// OpenLineage HTTP endpoint (Cadastre's POST /api/v1/lineage, Marquez, …).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cadastre/client_core.h"

namespace cadastre::sdk {

// What a server answered to one batch.
struct SendResult {
  // The first `acknowledged` events are stored by the server (and may be
  // forgotten by the sender). With an error status, the event after them is
  // the one (or the batch) that failed.
  size_t acknowledged = 0;
  // Of the acknowledged events, how many the server already had, when it
  // says so (Cadastre does; other OpenLineage servers do not).
  size_t duplicates = 0;
  // OK, or why the rest was not stored. The emitter reads INVALID_ARGUMENT
  // and OUT_OF_RANGE as "this input is refused", RESOURCE_EXHAUSTED as "too
  // large", and every other code as "try again later" (a wrong URL or token
  // included: the events wait until it is fixed).
  absl::Status status;
};

class LineageTransport {
 public:
  virtual ~LineageTransport() = default;

  // Sends `events` (each the JSON text of one OpenLineage event) and waits
  // for the answer. Called from one thread at a time.
  virtual SendResult Send(const std::vector<std::string>& events) = 0;

  // "grpc 127.0.0.1:50051" or the URL: for messages.
  virtual std::string Describe() const = 0;
};

// Cadastre's LineageService.IngestLineage, one call per batch (the events
// as one JSON array), through Client. The emitter does its own retrying, so
// the client's is turned off (max_attempts = 1); options.deadline bounds one
// call.
absl::StatusOr<std::unique_ptr<LineageTransport>> MakeGrpcTransport(ClientOptions options);

struct HttpTransportOptions {
  // The endpoint: "http://127.0.0.1:8080/api/v1/lineage",
  // "https://marquez.example.com:5000/api/v1/lineage".
  std::string url;
  std::string token;        // sent as "Authorization: Bearer <token>"; empty: none
  std::string tls_ca_file;  // PEM bundle to trust for https; empty: the system's
  std::map<std::string, std::string> headers;  // extra request headers
  std::chrono::milliseconds timeout{30000};    // connect, and each read or write
  // Cadastre takes a JSON array of events in one POST. The OpenLineage
  // HTTP API takes one event per POST: leave this false for other servers.
  bool batch_as_array = false;
};

// INVALID_ARGUMENT when the URL is not http(s)://host[:port]/path.
absl::StatusOr<std::unique_ptr<LineageTransport>> MakeHttpTransport(HttpTransportOptions options);

}  // namespace cadastre::sdk
