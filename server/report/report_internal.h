// What the reports share inside this module: request checks, and the
// search for personal data that the inventory lists and the trace of a tag
// starts from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/report.pb.h"
#include "server/lineage/graph.h"
#include "server/lineage/lineage_service.h"
#include "server/lineage/resolve.h"
#include "server/store/store.h"

namespace cadastre::report {

enum class Format { kJson, kCsv };

// "" and "json" are JSON, "csv" is CSV; INVALID_ARGUMENT naming "format"
// otherwise.
absl::StatusOr<Format> FormatOf(std::string_view format);

// `report` as asked: itself, or for CSV a report holding only its `export`
// (the CSV text `csv` writes of it).
template <typename Report, typename CsvOf>
Report InFormat(Report report, Format format, CsvOf csv) {
  if (format != Format::kCsv) return report;
  Report out;
  out.mutable_export_()->set_content_type("text/csv; charset=utf-8");
  out.mutable_export_()->set_data(csv(report));
  return out;
}

// The classification a report is about: `tag`, "PII" when empty.
// INVALID_ARGUMENT naming "tag" when it is no valid classification name.
absl::StatusOr<std::string> RootTag(std::string_view tag);

// NOT_FOUND naming "tag" when neither `root` nor a classification below it
// exists: a report about a misspelt tag would otherwise say "no personal
// data" and be believed.
absl::Status CheckClassificationExists(store::ReadTxn& txn, const std::string& root);

// True when `tag` is `root` or below it ("PII.Email" is under "PII").
bool Under(std::string_view tag, std::string_view root);

// A column carrying personal data, as the inventory lists it before its
// consumers are added.
struct PersonalData {
  lineage::NodeId node;  // the column's row id in the lineage graph
  v1::PersonalDataColumn column;
};

// Every column of a live dataset the viewer sees that carries `root` or a
// tag below it: its own (own_tags), its dataset's (an inherited tag whose
// `from` is the dataset's node id) or one inherited through lineage, as the
// dataset read shows it (a hidden column on its path reads "redacted:N").
// In (namespace, dataset) order, columns in their dataset's order. Inherited
// tags carry their paths only when `paths` shows them. `truncated` (when
// given) says whether the walk downstream stopped at its bound.
absl::StatusOr<std::vector<PersonalData>> FindPersonalData(
    store::ReadTxn& txn, const lineage::Viewer& viewer, lineage::LineageService& lineage,
    const lineage::Graph& columns, const std::string& root, catalog::InheritedPaths paths,
    bool* truncated = nullptr);

}  // namespace cadastre::report
