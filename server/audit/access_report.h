// The GDPR access report: who accessed which personal-data columns in a time
// window, clear or masked, allowed or denied, read from the audit log.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/report.pb.h"
#include "server/audit/audit_log.h"

namespace cadastre::audit {

// The personal-data columns of a dataset (empty when it has none).
using PersonalColumnsOf =
    std::function<std::vector<std::string>(const std::string& ns, const std::string& dataset)>;

// One row per personal-data column whose values a request returned (CLEAR
// or MASKED, with the mask), per request naming such a column, and per
// request on a dataset holding some (METADATA, with the dataset's column
// left empty); denied requests included. Validates `request` (from < to,
// format) and fills `accesses` or, for format=csv, `export`.
absl::StatusOr<v1::AccessReport> BuildAccessReport(const AuditLog& log,
                                                   const v1::AccessReportRequest& request,
                                                   const PersonalColumnsOf& personal_columns_of);

}  // namespace cadastre::audit
