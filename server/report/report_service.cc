// ReportService: what the reports share, and the access report still to
// be built.
#include "server/report/report_service.h"

#include "google/protobuf/util/time_util.h"
#include "server/common/status.h"

namespace cadastre::report {

v1::AuditChainStatus ReportService::AuditChain() const {
  v1::AuditChainStatus status;
  if (!audit_chain_) {
    status.set_reason("no audit log");
    return status;
  }
  absl::StatusOr<v1::AuditChainStatus> checked = audit_chain_();
  if (checked.ok()) return *std::move(checked);
  status.set_reason(std::string(checked.status().message()));
  return status;
}

absl::StatusOr<v1::AccessReport> ReportService::GetAccessReport(
    const Caller& caller, const v1::AccessReportRequest& /*request*/) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_AUDIT, policy::Resource::System()));
  return absl::UnimplementedError("the access report is not built yet");
}

}  // namespace cadastre::report
