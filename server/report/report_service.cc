// ReportService: what the reports share, and the access report (who
// accessed personal data, from the audit log).
#include "server/report/report_service.h"

#include <map>

#include "google/protobuf/util/time_util.h"
#include "server/audit/access_report.h"
#include "server/report/report_internal.h"
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
    const Caller& caller, const v1::AccessReportRequest& request) {
  ASSIGN_OR_RETURN(const std::string root, RootTag(request.tag()));
  RETURN_IF_ERROR(FormatOf(request.format()).status());
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_AUDIT, policy::Resource::System()));
  if (access_log_ == nullptr) return absl::UnavailableError("the audit log is not open");
  // Which columns hold personal data now, per dataset.
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> personal;
  const lineage::Viewer viewer{*authorizer_, caller};
  std::shared_ptr<const lineage::Graph> columns = lineage_->ColumnGraph();
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(CheckClassificationExists(txn, root));
    ASSIGN_OR_RETURN(std::vector<PersonalData> found,
                     FindPersonalData(txn, viewer, *lineage_, *columns, root,
                                      catalog::InheritedPaths::kLeftOut));
    for (const PersonalData& data : found) {
      const v1::FieldRef& ref = data.column.column();
      personal[{ref.namespace_(), ref.dataset()}].push_back(ref.field());
    }
    return absl::OkStatus();
  }));
  ASSIGN_OR_RETURN(
      v1::AccessReport report,
      audit::BuildAccessReport(*access_log_, request,
                               [&](const std::string& ns, const std::string& dataset) {
                                 auto it = personal.find({ns, dataset});
                                 return it == personal.end() ? std::vector<std::string>{}
                                                             : it->second;
                               }));
  *report.mutable_generated_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  report.set_principal(caller.principal);
  *report.mutable_audit_chain() = AuditChain();
  if (report.has_export_()) {
    report.clear_generated_at();
    report.clear_principal();
    report.clear_audit_chain();
  }
  return report;
}

}  // namespace cadastre::report
