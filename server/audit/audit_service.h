// The audit log as a service: query and export the records, verify the
// chain, list the signed checkpoints. All of it needs READ_AUDIT everywhere.
#pragma once

#include "absl/status/statusor.h"
#include "cadastre/v1/audit.pb.h"
#include "server/audit/audit_log.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"

namespace cadastre::audit {

using policy::Caller;

class AuditService {
 public:
  AuditService(const AuditLog* log, const policy::Authorizer* authorizer)
      : log_(log), authorizer_(authorizer) {}

  absl::StatusOr<v1::ListAuditEventsResponse> ListAuditEvents(
      const Caller& caller, const v1::ListAuditEventsRequest& request);
  absl::StatusOr<v1::AuditChainStatus> VerifyAudit(const Caller& caller,
                                                   const v1::VerifyAuditRequest& request);
  absl::StatusOr<v1::ListAuditCheckpointsResponse> ListAuditCheckpoints(
      const Caller& caller, const v1::ListAuditCheckpointsRequest& request);

 private:
  const AuditLog* log_;
  const policy::Authorizer* authorizer_;
};

}  // namespace cadastre::audit
