#include "pending.h"

#include "report.h"

namespace cadastre::bench {

nlohmann::json MeasureSearch(const Server&, const Catalog&) { return NotBuilt("not built (issue 6)"); }

nlohmann::json MeasureAudit(const Server&, const Catalog&) {
  const nlohmann::json not_built = NotBuilt("audit not built (issue 5)");
  return {{"rest_audit_on", not_built}, {"grpc_audit_on", not_built}, {"audit_overhead", not_built}};
}

nlohmann::json MeasureGdprTraceReport(const Server&, const Catalog&) {
  return NotBuilt("not built (issue 5)");
}

}  // namespace cadastre::bench
