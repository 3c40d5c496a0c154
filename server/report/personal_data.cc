// ReportService: the personal data inventory (GDPR art. 30), and the
// search for personal data the trace of a tag starts from.
#include <climits>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/validation.h"
#include "server/common/csv.h"
#include "server/common/status.h"
#include "server/lineage/node_id.h"
#include "server/report/report_internal.h"
#include "server/report/report_service.h"

namespace cadastre::report {
namespace {

using google::protobuf::util::TimeUtil;
using lineage::Edge;
using lineage::NodeId;
using policy::Resource;

// Bounds of the walks; generous, since a report is asked for rarely.
constexpr int kConsumerDepth = 1000;
constexpr int kConsumerNodes = 100000;

// The live datasets whose own classifications (not their columns') hold
// `root` or a tag below it. TagDependents names them "ns:name", before the
// columns ("ns:name:field"); a column's name can only be mistaken for a
// dataset's, and the caller checks the dataset's document.
absl::StatusOr<std::set<std::string>> DatasetsTaggedKeys(store::ReadTxn& txn,
                                                         const std::string& root) {
  std::set<std::string> keys;
  ASSIGN_OR_RETURN(std::vector<v1::Tag> tags, txn.ListTags());
  for (const v1::Tag& tag : tags) {
    if (!Under(tag.name(), root)) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> dependents, txn.TagDependents(tag.name(), INT_MAX));
    keys.insert(dependents.begin(), dependents.end());
  }
  return keys;
}

std::string Key(const std::string& ns, const std::string& name) {
  return absl::StrCat(ns, ":", name);
}

// The columns downstream of `node` (any transformation, edges that hold
// now) and the datasets where those walks end, as the viewer may see them.
absl::Status AddConsumers(store::ReadTxn& txn, const lineage::Viewer& viewer,
                          const lineage::Graph& columns, NodeId node,
                          v1::PersonalDataColumn* column) {
  lineage::TraversalQuery query;
  query.start = {node};
  query.direction = lineage::Direction::kDownstream;
  query.max_depth = kConsumerDepth;
  query.max_nodes = kConsumerNodes;
  lineage::TraversalResult walk = columns.Traverse(query);
  if (walk.edges.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(lineage::NodeNames names, lineage::NodeNames::Load(txn, walk, false, viewer));
  std::set<NodeId> read_from;  // nodes some edge leaves
  for (const Edge& edge : walk.edges) read_from.insert(edge.source);
  std::set<std::pair<std::string, std::string>> finals;
  for (const lineage::ReachedNode& reached : walk.nodes) {
    if (reached.node == node || !names.Visible(reached.node) || names.Redacted(reached.node)) {
      continue;
    }
    v1::FieldRef ref = names.Ref(reached.node);
    if (!ref.field().empty()) *column->add_consumers() = ref;
    if (read_from.count(reached.node)) continue;
    // Nothing reads this column (or whole-dataset dependency): its dataset
    // is where the values come to rest.
    if (finals.insert({ref.namespace_(), ref.dataset()}).second) {
      v1::DatasetId* id = column->add_final_consumers();
      id->set_namespace_(ref.namespace_());
      id->set_name(ref.dataset());
    }
  }
  return absl::OkStatus();
}

std::string NodeIdOf(const v1::FieldRef& ref) {
  return ref.field().empty() ? lineage::DatasetNodeId(ref.namespace_(), ref.dataset())
                             : lineage::FieldNodeId(ref.namespace_(), ref.dataset(), ref.field());
}

std::string OwnersText(const v1::PersonalDataColumn& column) {
  std::vector<std::string> owners;
  for (const v1::Owner& owner : column.owners()) {
    const v1::OwnershipRole role =
        owner.role() == v1::OWNERSHIP_ROLE_UNSPECIFIED ? v1::OWNER : owner.role();
    owners.push_back(absl::StrCat(owner.name(), " (", v1::OwnershipRole_Name(role), ")"));
  }
  return absl::StrJoin(owners, "; ");
}

// One record per column; lists within a field are joined with "; ".
std::string InventoryCsv(const v1::PersonalDataReport& report) {
  CsvWriter csv;
  csv.Row({"namespace", "dataset", "field", "domain", "owners", "source_system", "own_tags",
           "inherited_tags", "consumers", "final_consumers"});
  for (const v1::PersonalDataColumn& column : report.columns()) {
    std::vector<std::string> inherited;
    for (const v1::InheritedTag& tag : column.inherited()) {
      inherited.push_back(absl::StrCat(tag.tag(), " from ", tag.from()));
    }
    std::vector<std::string> consumers;
    for (const v1::FieldRef& ref : column.consumers()) consumers.push_back(NodeIdOf(ref));
    std::vector<std::string> finals;
    for (const v1::DatasetId& id : column.final_consumers()) {
      finals.push_back(lineage::DatasetNodeId(id.namespace_(), id.name()));
    }
    csv.Row({column.column().namespace_(), column.column().dataset(), column.column().field(),
             column.domain(), OwnersText(column), column.source_system(),
             absl::StrJoin(column.own_tags(), "; "), absl::StrJoin(inherited, "; "),
             absl::StrJoin(consumers, "; "), absl::StrJoin(finals, "; ")});
  }
  return csv.text();
}

}  // namespace

absl::StatusOr<Format> FormatOf(std::string_view format) {
  if (format.empty() || format == "json") return Format::kJson;
  if (format == "csv") return Format::kCsv;
  return InvalidField("format", "must be json or csv");
}

absl::StatusOr<std::string> RootTag(std::string_view tag) {
  const std::string root = tag.empty() ? "PII" : std::string(tag);
  RETURN_IF_ERROR(catalog::ValidateTagName("tag", root));
  return root;
}

absl::Status CheckClassificationExists(store::ReadTxn& txn, const std::string& root) {
  ASSIGN_OR_RETURN(std::vector<v1::Tag> tags, txn.ListTags());
  for (const v1::Tag& tag : tags) {
    if (Under(tag.name(), root)) return absl::OkStatus();
  }
  return WithField(absl::NotFoundError(absl::StrCat("classification '", root, "' not found")),
                   "tag");
}

bool Under(std::string_view tag, std::string_view root) {
  return tag == root || (tag.size() > root.size() && tag.substr(0, root.size()) == root &&
                         tag[root.size()] == '.');
}

absl::StatusOr<std::vector<PersonalData>> FindPersonalData(
    store::ReadTxn& txn, const lineage::Viewer& viewer, lineage::LineageService& lineage,
    const lineage::Graph& columns, const std::string& root, catalog::InheritedPaths paths,
    bool* truncated) {
  if (truncated != nullptr) *truncated = false;
  // The datasets that may hold such a column: those with a column tagged
  // with it, those a tagged column flows into (they may inherit it; the
  // walk leaves out its starts), and those tagged with it as a whole.
  std::set<int64_t> carrying;
  std::set<int64_t> inheriting;
  ASSIGN_OR_RETURN(std::vector<store::FieldInfo> carriers, txn.FieldsTagged(root));
  std::vector<NodeId> starts;
  for (const store::FieldInfo& carrier : carriers) {
    starts.push_back(carrier.id);
    carrying.insert(carrier.dataset_id);
  }
  if (!starts.empty()) {
    bool stopped = false;
    std::vector<NodeId> reached =
        lineage::LineageService::InventoryReach(columns, starts, &stopped);
    if (truncated != nullptr) *truncated = stopped;
    std::vector<int64_t> field_ids;
    for (NodeId node : reached) {
      if (node > 0) field_ids.push_back(node);
    }
    ASSIGN_OR_RETURN(std::vector<store::FieldInfo> fields, txn.FieldsById(field_ids));
    for (const store::FieldInfo& field : fields) inheriting.insert(field.dataset_id);
  }
  ASSIGN_OR_RETURN(std::set<std::string> tagged, DatasetsTaggedKeys(txn, root));

  // The datasets that hold such a column, read; what their columns inherit
  // is asked for all of them at once.
  struct Candidate {
    const store::DatasetInfo* info;
    v1::Dataset dataset;
    std::vector<store::FieldInfo> fields;
    int group = -1;  // in `groups`, when its columns may inherit
  };
  std::vector<Candidate> candidates;
  std::vector<std::vector<NodeId>> groups;
  ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> visible,
                   catalog::VisibleDatasets(txn, viewer.authorizer, viewer.caller, ""));
  for (const store::DatasetInfo& info : visible) {
    if (!carrying.count(info.id) && !inheriting.count(info.id) &&
        !tagged.count(Key(info.ns, info.name))) {
      continue;
    }
    Candidate& candidate = candidates.emplace_back();
    candidate.info = &info;
    ASSIGN_OR_RETURN(candidate.dataset, txn.GetDataset(info.ns, info.name));
    ASSIGN_OR_RETURN(candidate.fields, txn.FieldsOfDataset(info.id));
    // A carrier may inherit too (from a carrier upstream of it).
    if (carrying.count(info.id) || inheriting.count(info.id)) {
      candidate.group = static_cast<int>(groups.size());
      std::vector<NodeId>& group = groups.emplace_back();
      for (const store::FieldInfo& field : candidate.fields) group.push_back(field.id);
    }
  }
  ASSIGN_OR_RETURN(std::vector<lineage::LineageService::Inheritances> inherited,
                   lineage.InheritedByColumn(txn, viewer, groups, paths));

  std::vector<PersonalData> found;
  for (const Candidate& candidate : candidates) {
    const store::DatasetInfo& info = *candidate.info;
    const v1::Dataset& dataset = candidate.dataset;
    std::vector<std::string> dataset_tags;
    for (const std::string& tag : dataset.tags()) {
      if (Under(tag, root)) dataset_tags.push_back(tag);
    }
    std::map<std::string, size_t> field_index;
    for (size_t i = 0; i < candidate.fields.size(); ++i) {
      field_index[candidate.fields[i].field] = i;
    }
    const std::string dataset_node = lineage::DatasetNodeId(info.ns, info.name);
    for (const v1::Field& field : dataset.fields()) {
      auto index = field_index.find(field.name());
      if (index == field_index.end()) continue;
      PersonalData data{candidate.fields[index->second].id, {}};
      v1::PersonalDataColumn& column = data.column;
      for (const std::string& tag : field.tags()) {
        if (Under(tag, root)) column.add_own_tags(tag);
      }
      for (const std::string& tag : dataset_tags) {
        v1::InheritedTag* inherited_tag = column.add_inherited();
        inherited_tag->set_tag(tag);
        inherited_tag->set_from(dataset_node);
        if (paths == catalog::InheritedPaths::kShown) {
          inherited_tag->add_path(dataset_node);
          inherited_tag->add_path(lineage::FieldNodeId(info.ns, info.name, field.name()));
        }
      }
      if (candidate.group >= 0) {
        for (v1::InheritedTag& tag : inherited[candidate.group][index->second]) {
          if (Under(tag.tag(), root)) *column.add_inherited() = std::move(tag);
        }
      }
      if (column.own_tags().empty() && column.inherited().empty()) continue;
      column.mutable_column()->set_namespace_(info.ns);
      column.mutable_column()->set_dataset(info.name);
      column.mutable_column()->set_field(field.name());
      column.set_domain(dataset.domain());
      *column.mutable_owners() = dataset.owners();
      column.set_source_system(dataset.source_name().empty() ? info.ns : dataset.source_name());
      found.push_back(std::move(data));
    }
  }
  return found;
}

absl::StatusOr<v1::PersonalDataReport> ReportService::GetPersonalDataReport(
    const Caller& caller, const v1::PersonalDataReportRequest& request) {
  ASSIGN_OR_RETURN(const std::string root, RootTag(request.tag()));
  ASSIGN_OR_RETURN(const Format format, FormatOf(request.format()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::System()));
  const lineage::Viewer viewer{*authorizer_, caller};
  std::shared_ptr<const lineage::Graph> columns = lineage_->ColumnGraph();
  v1::PersonalDataReport report;
  *report.mutable_generated_at() =
      TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(clock_->Now()));
  report.set_principal(caller.principal);
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(CheckClassificationExists(txn, root));
    bool truncated = false;
    ASSIGN_OR_RETURN(std::vector<PersonalData> found,
                     FindPersonalData(txn, viewer, *lineage_, *columns, root,
                                      catalog::PathsOf(request.view()), &truncated));
    report.set_truncated(truncated);
    std::set<std::pair<std::string, std::string>> datasets;
    for (PersonalData& data : found) {
      RETURN_IF_ERROR(AddConsumers(txn, viewer, *columns, data.node, &data.column));
      datasets.insert({data.column.column().namespace_(), data.column.column().dataset()});
      *report.add_columns() = std::move(data.column);
    }
    report.set_dataset_count(static_cast<int32_t>(datasets.size()));
    return absl::OkStatus();
  }));
  *report.mutable_audit_chain() = AuditChain();
  return InFormat(std::move(report), format, InventoryCsv);
}

}  // namespace cadastre::report
