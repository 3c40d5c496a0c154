// What both transports do around every call, in one place: authenticate
// the caller, run the service method as that caller, log and count
// the outcome. A transport that skipped it could not reach a service: the
// service methods take the Caller it makes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "server/api/metrics.h"
#include "server/common/clock.h"
#include "server/policy/authenticator.h"
#include "server/policy/caller.h"

namespace cadastre::api {

struct CallInfo {
  std::string_view method;         // "CatalogService.PutDataset"
  std::string_view transport;      // "grpc" or "rest"
  std::string_view authorization;  // the Authorization header, verbatim
  std::string_view peer;           // client address
  std::string request_id;          // set by Run when empty
  // The Common Name of the client certificate, verified by the TLS layer
  // against --tls-client-ca; empty without one.
  std::string_view client_cert_cn = {};
};

class Dispatcher {
 public:
  Dispatcher(const policy::Authenticator* authenticator, Metrics* metrics, const Clock* clock)
      : authenticator_(authenticator), metrics_(metrics), clock_(clock) {}

  // Authenticates `info` by its Authorization header when there is one (a
  // bad token fails even beside a good certificate), otherwise by its client
  // certificate, then runs `call` as the caller and answers its status.
  // UNAUTHENTICATED without running `call` when authentication fails.
  // Never throws: an exception escaping `call` becomes INTERNAL.
  absl::Status Run(CallInfo& info,
                   const std::function<absl::Status(const policy::Caller&)>& call) const;

  // Counts a request answered without a service call (unknown routes,
  // bodies refused by the HTTP layer).
  void Count(const CallInfo& info, const absl::Status& status, absl::Duration elapsed) const;

 private:
  const policy::Authenticator* authenticator_;
  Metrics* metrics_;
  const Clock* clock_;
};

// A request id the client sent, if it is safe to echo (1-128 characters of
// [A-Za-z0-9._-]), otherwise a new random one.
std::string RequestIdFrom(std::string_view client_value);

}  // namespace cadastre::api
