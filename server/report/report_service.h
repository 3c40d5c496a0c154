// The GDPR reports (docs/gdpr.md): where personal data is (an art. 30
// inventory), every lineage path that carries it from source to final
// consumer, and who accessed it. Reports are computed when
// asked, from the catalog and the lineage graph, for one caller: what the
// caller may not see is left out or redacted exactly as the lineage service
// does. Each report carries the state of the audit log's hash chain, so a
// report handed to an auditor says whether the log behind it is intact.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "cadastre/v1/report.pb.h"
#include "server/audit/audit_log.h"
#include "server/common/clock.h"
#include "server/lineage/lineage_service.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::report {

using policy::Caller;

// Answers the audit log's chain status; an error is reported in the
// report's audit_chain (ok false, the error as reason), never fails it.
using AuditChainSource = std::function<absl::StatusOr<v1::AuditChainStatus>()>;

class ReportService {
 public:
  ReportService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock,
                lineage::LineageService* lineage, AuditChainSource audit_chain)
      : store_(store),
        authorizer_(authorizer),
        clock_(clock),
        lineage_(lineage),
        audit_chain_(std::move(audit_chain)) {}

  // Every column the caller sees that carries `tag` (default PII) or a tag
  // below it: its own, its dataset's, or inherited through lineage; with
  // its dataset's domain, owners and source system, and where its values go.
  // Needs READ_METADATA. INVALID_ARGUMENT naming "tag" or "format";
  // NOT_FOUND naming "tag" when no classification is `tag` or below it.
  absl::StatusOr<v1::PersonalDataReport> GetPersonalDataReport(
      const Caller& caller, const v1::PersonalDataReportRequest& request);

  // Every lineage path from a source to a final consumer through a column,
  // every column of a dataset, or every column the inventory lists for a
  // tag; each hop with its job and transformation. At most kMaxTracePaths
  // paths (then `truncated`). Needs READ_METADATA. INVALID_ARGUMENT naming
  // the field at fault; NOT_FOUND for a dataset or column that is missing
  // or hidden (the same answer), or a tag as above.
  absl::StatusOr<v1::TraceReport> GetTraceReport(const Caller& caller,
                                                 const v1::TraceReportRequest& request);

  // Who accessed the columns the inventory lists for `tag` in a time
  // window, clear, masked or as metadata, allowed or denied (from the
  // audit log, set_access_log). Needs READ_AUDIT everywhere.
  absl::StatusOr<v1::AccessReport> GetAccessReport(const Caller& caller,
                                                   const v1::AccessReportRequest& request);

  static constexpr int kMaxTracePaths = 1000;

  // The audit log the access report reads.
  void set_access_log(const audit::AuditLog* log) { access_log_ = log; }

 private:
  v1::AuditChainStatus AuditChain() const;

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
  lineage::LineageService* lineage_;
  AuditChainSource audit_chain_;
  const audit::AuditLog* access_log_ = nullptr;
};

}  // namespace cadastre::report
