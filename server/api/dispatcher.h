// What both transports do around every call, in one place: authenticate
// the caller, run the service method as that caller, record the request in
// the audit log (before the answer leaves), log and count the outcome. A
// transport that skipped it could not reach a service: the service methods
// take the Caller it makes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "server/api/metrics.h"
#include "server/audit/audit_log.h"
#include "server/common/clock.h"
#include "server/policy/authenticator.h"
#include "server/policy/authorizer.h"
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
  // `audit` is null only under --benchmark-without-audit.
  Dispatcher(const policy::Authenticator* authenticator, const policy::Authorizer* authorizer,
             audit::AuditLog* audit, Metrics* metrics, const Clock* clock)
      : authenticator_(authenticator), authorizer_(authorizer), audit_(audit), metrics_(metrics),
        clock_(clock) {}

  // Authenticates `info` by its Authorization header when there is one (a
  // bad token fails even beside a good certificate), otherwise by its client
  // certificate, then runs `call` as the caller and answers its status.
  // UNAUTHENTICATED without running `call` when authentication fails.
  // Never throws: an exception escaping `call` becomes INTERNAL. When the
  // audit record cannot be written the answer is UNAVAILABLE, whatever
  // `call` answered (fail closed).
  absl::Status Run(CallInfo& info,
                   const std::function<absl::Status(const policy::Caller&)>& call) const;

  // Records and counts a request answered without a service call (bodies
  // refused by the HTTP layer).
  void Refused(const CallInfo& info, const absl::Status& status) const;

 private:
  void Count(const CallInfo& info, const absl::Status& status, absl::Duration elapsed) const;
  // Writes the audit record; an error means it was not written.
  absl::Status Audit(const CallInfo& info, const policy::Caller* caller, absl::Time start,
                     const absl::Status& status) const;

  const policy::Authenticator* authenticator_;
  const policy::Authorizer* authorizer_;
  audit::AuditLog* audit_;
  Metrics* metrics_;
  const Clock* clock_;
};

// Notes the resource a request names, read from its fields: `namespace`
// with `dataset` or `name` (and `field`), a nested dataset id or column
// reference, or else a `name` as the entity.
void NoteResource(const google::protobuf::Message& request, policy::AuditNote* note);

// A request id the client sent, if it is safe to echo (1-128 characters of
// [A-Za-z0-9._-]), otherwise a new random one.
std::string RequestIdFrom(std::string_view client_value);

}  // namespace cadastre::api
