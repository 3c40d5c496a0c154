#include "server/lineage/node_id.h"

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::lineage {

std::string DatasetNodeId(std::string_view ns, std::string_view name) {
  return absl::StrCat("dataset:", Absl(ns), ":", Absl(name));
}

std::string JobNodeId(std::string_view ns, std::string_view name) {
  return absl::StrCat("job:", Absl(ns), ":", Absl(name));
}

std::string FieldNodeId(std::string_view ns, std::string_view dataset, std::string_view field) {
  return absl::StrCat("datasetField:", Absl(ns), ":", Absl(dataset), ":", Absl(field));
}

absl::StatusOr<ParsedNodeId> ParseNodeId(std::string_view id) {
  // A namespace, a dataset and a field of at most 1024 bytes each; and the
  // splits to try stay few, whatever a client sends.
  constexpr size_t kMaxIdBytes = 3 * 1024 + 32;
  constexpr size_t kMaxColons = 16;
  if (id.size() > kMaxIdBytes) {
    return InvalidField("nodeId", absl::StrCat("must be at most ", kMaxIdBytes, " bytes"));
  }
  ParsedNodeId out;
  std::string_view rest;
  auto starts = [&](std::string_view prefix) {
    if (id.substr(0, prefix.size()) != prefix) return false;
    rest = id.substr(prefix.size());
    return true;
  };
  if (starts("datasetField:")) {
    out.kind = NodeKind::kField;
  } else if (starts("dataset:")) {
    out.kind = NodeKind::kDataset;
  } else if (starts("job:")) {
    out.kind = NodeKind::kJob;
  } else {
    return InvalidField("nodeId", "must start with dataset:, job: or datasetField:");
  }
  std::vector<size_t> colons;
  for (size_t i = 0; i < rest.size(); i++) {
    if (rest[i] == ':') colons.push_back(i);
  }
  if (colons.size() > kMaxColons) {
    return InvalidField("nodeId", absl::StrCat("has more than ", kMaxColons, " ':' separators"));
  }
  for (size_t a = 0; a < colons.size(); a++) {
    std::string ns(rest.substr(0, colons[a]));
    if (out.kind != NodeKind::kField) {
      std::string name(rest.substr(colons[a] + 1));
      if (!ns.empty() && !name.empty()) out.candidates.push_back({ns, name, ""});
      continue;
    }
    for (size_t b = a + 1; b < colons.size(); b++) {
      std::string name(rest.substr(colons[a] + 1, colons[b] - colons[a] - 1));
      std::string field(rest.substr(colons[b] + 1));
      if (!ns.empty() && !name.empty() && !field.empty()) {
        out.candidates.push_back({ns, name, field});
      }
    }
  }
  if (out.candidates.empty()) {
    return InvalidField("nodeId", out.kind == NodeKind::kField
                                      ? "must be datasetField:{namespace}:{dataset}:{field}"
                                      : "must be {kind}:{namespace}:{name}");
  }
  return out;
}

}  // namespace cadastre::lineage
