// The sync document (docs/sync.md): its records read from JSON with every
// error naming the record's field, the modes' merge rules, and records
// written back from the catalog's entities for export.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "cadastre/v1/sync.pb.h"
#include "nlohmann/json.hpp"

namespace cadastre::sync {

namespace v1 = ::cadastre::v1;
using StringList = std::vector<std::string>;

inline constexpr int kMaxRecords = 50000;

// A column of a dataset record; unset members were not in the record.
struct ColumnRecord {
  std::string name;
  std::optional<std::string> type, description;
  std::optional<bool> nullable;
  std::optional<int> ordinal_position;
  std::optional<StringList> tags, glossary_terms, blocked_tags;
};

struct DatasetRecord {
  std::string path;                   // "datasets[3]"
  std::string ns, name, external_id;  // ns and name may be empty when external_id is given
  std::optional<v1::DatasetType> type;
  std::optional<std::string> physical_name, source_name, description, display_name, domain,
      update_frequency;
  std::optional<std::map<std::string, std::string>> custom_properties;
  std::optional<std::vector<v1::Owner>> owners;
  std::optional<StringList> tags;
  std::optional<std::vector<ColumnRecord>> columns;
};

struct TermRecord {
  std::string path;               // "glossaryTerms[0]"
  std::string name, external_id;  // name may be empty when external_id is given
  std::optional<std::string> definition, unit, formula, parent;
  std::optional<StringList> synonyms, related_terms, reviewers;
  std::optional<v1::TermStatus> status;
};

struct NamespaceRecord {
  std::string path;
  std::string name;
  std::optional<std::string> description, owner_name;
};

struct ColumnKey {
  std::string ns, dataset, field;
};

struct LineageRecord {
  std::string path;  // "lineage[7]"
  std::string job_ns, job_name;
  ColumnKey source, target;
  std::string type = "DIRECT", subtype, description;
  bool masking = false;
};

// A record that could not be read: where, and why.
struct BadRecord {
  std::string path;    // the record: "datasets[3]"
  absl::Status error;  // INVALID_ARGUMENT naming the field: "datasets[3].columns[0].tags"
};

struct Document {
  std::string external_system;
  std::optional<StringList> scope_namespaces;
  bool scope_glossary = false;
  std::vector<NamespaceRecord> namespaces;
  std::vector<TermRecord> terms;
  std::vector<DatasetRecord> datasets;
  std::vector<LineageRecord> lineage;
  std::vector<BadRecord> bad;  // records that are not well formed, in document order
  int records = 0;             // every record, good or bad
};

// Reads the document. A malformed document (not JSON, not an object, an
// unknown top-level member, too many records) is an error naming the
// member; a malformed record only lands in `bad`.
absl::StatusOr<Document> ParseDocument(std::string_view text);

// The dataset a record asks for in `mode`, given the dataset as it is
// (`existing`, null when new). Attributes the format does not carry
// (facets, …) are kept from `existing`.
v1::Dataset MergeDataset(v1::ImportMode mode, const v1::Dataset* existing,
                         const DatasetRecord& record);
v1::GlossaryTerm MergeTerm(v1::ImportMode mode, const v1::GlossaryTerm* existing,
                           const TermRecord& record);
v1::Namespace MergeNamespace(v1::ImportMode mode, const v1::Namespace* existing,
                             const NamespaceRecord& record);

// A dataset's history key ("ns\x1fname", catalog::DatasetKey) back into its
// parts, and the "ns:name" results and the change feed show.
std::pair<std::string, std::string> SplitDatasetKey(const std::string& key);
std::string Shown(const std::string& ns, const std::string& name);

// The records export writes: every attribute the format carries, empty
// ones left out, in a fixed order.
nlohmann::ordered_json DatasetToRecord(const v1::Dataset& dataset, const std::string& external_id);
nlohmann::ordered_json TermToRecord(const v1::GlossaryTerm& term, const std::string& external_id);
nlohmann::ordered_json NamespaceToRecord(const v1::Namespace& ns);
nlohmann::ordered_json LineageToRecord(const LineageRecord& edge);

}  // namespace cadastre::sync
