// Marquez-style node ids: "dataset:{ns}:{name}", "job:{ns}:{name}",
// "datasetField:{ns}:{dataset}:{field}". Namespaces hold ':' themselves
// ("postgres://crm:5432"), so an id can be split several ways; parsing
// answers every split, and the service keeps the one that exists.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cadastre::lineage {

std::string DatasetNodeId(std::string_view ns, std::string_view name);
std::string JobNodeId(std::string_view ns, std::string_view name);
std::string FieldNodeId(std::string_view ns, std::string_view dataset, std::string_view field);

enum class NodeKind { kDataset, kJob, kField };

struct NodeIdCandidate {
  std::string ns;
  std::string name;   // dataset or job name
  std::string field;  // kField only
};

struct ParsedNodeId {
  NodeKind kind;
  // Every way to split the id, the shortest namespace first.
  std::vector<NodeIdCandidate> candidates;
};

// INVALID_ARGUMENT (field "nodeId") when the id has an unknown prefix or
// too few parts.
absl::StatusOr<ParsedNodeId> ParseNodeId(std::string_view id);

}  // namespace cadastre::lineage
