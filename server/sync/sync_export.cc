// Export: the catalog as a sync document.
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/sync/sync_document.h"
#include "server/sync/sync_service.h"

namespace cadastre::sync {

using policy::Resource;

absl::StatusOr<google::protobuf::Struct> SyncService::Export(const Caller& caller,
                                                             const v1::ExportRequest& request) {
  for (int i = 0; i < request.namespace__size(); i++) {
    RETURN_IF_ERROR(
        catalog::ValidateName(absl::StrCat("namespace[", i, "]"), request.namespace_(i)));
  }
  if (!request.external_system().empty()) {
    RETURN_IF_ERROR(catalog::ValidateName("externalSystem", request.external_system()));
  }
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::Namespace("")));
  nlohmann::ordered_json doc;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    doc = nlohmann::ordered_json::object();
    doc["formatVersion"] = 1;
    if (!request.external_system().empty()) doc["externalSystem"] = request.external_system();
    auto bindings =
        [&](std::string_view type) -> absl::StatusOr<std::map<std::string, std::string>> {
      std::map<std::string, std::string> id_of;  // entity key -> external id
      if (request.external_system().empty()) return id_of;
      ASSIGN_OR_RETURN(auto rows, txn.ListExternalIds(request.external_system(), type));
      for (const auto& row : rows) id_of[row.entity_key] = row.external_id;
      return id_of;
    };

    std::vector<v1::Namespace> namespaces;
    if (request.namespace__size() > 0) {
      std::set<std::string> wanted(request.namespace_().begin(), request.namespace_().end());
      for (const std::string& name : wanted) {
        auto found = txn.GetNamespace(name);
        bool visible = found.ok() && !found->is_hidden();
        if (visible) {
          ASSIGN_OR_RETURN(visible, catalog::CanSeeNamespace(txn, *authorizer_, caller, name));
        }
        if (!visible) return WithField(catalog::NamespaceNotFound(name), "namespace");
        namespaces.push_back(*std::move(found));
      }
    } else {
      ASSIGN_OR_RETURN(auto all, txn.ListNamespaces(store::Page{1 << 30, 0}, false));
      for (v1::Namespace& ns : all.items) {
        ASSIGN_OR_RETURN(bool visible,
                         catalog::CanSeeNamespace(txn, *authorizer_, caller, ns.name()));
        if (visible) namespaces.push_back(std::move(ns));
      }
    }
    nlohmann::ordered_json scope;
    scope["namespaces"] = nlohmann::ordered_json::array();
    for (const v1::Namespace& ns : namespaces) scope["namespaces"].push_back(ns.name());
    if (request.include_glossary()) scope["glossary"] = true;
    doc["scope"] = std::move(scope);
    doc["namespaces"] = nlohmann::ordered_json::array();
    for (const v1::Namespace& ns : namespaces) doc["namespaces"].push_back(NamespaceToRecord(ns));

    if (request.include_glossary()) {
      ASSIGN_OR_RETURN(auto term_ids, bindings(catalog::kTermEntity));
      ASSIGN_OR_RETURN(std::vector<v1::GlossaryTerm> terms, txn.ListTerms());
      std::sort(terms.begin(), terms.end(),
                [](const auto& a, const auto& b) { return a.name() < b.name(); });
      doc["glossaryTerms"] = nlohmann::ordered_json::array();
      for (const v1::GlossaryTerm& term : terms) {
        auto id = term_ids.find(term.name());
        doc["glossaryTerms"].push_back(TermToRecord(term, id == term_ids.end() ? "" : id->second));
      }
    }

    ASSIGN_OR_RETURN(auto dataset_ids, bindings(catalog::kDatasetEntity));
    doc["datasets"] = nlohmann::ordered_json::array();
    std::vector<int64_t> exported;
    for (const v1::Namespace& ns : namespaces) {
      ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> infos,
                       catalog::VisibleDatasets(txn, *authorizer_, caller, ns.name()));
      for (const store::DatasetInfo& info : infos) {
        ASSIGN_OR_RETURN(v1::Dataset dataset, catalog::LoadLiveDataset(txn, info.ns, info.name));
        auto id = dataset_ids.find(catalog::DatasetKey(info.ns, info.name));
        doc["datasets"].push_back(
            DatasetToRecord(dataset, id == dataset_ids.end() ? "" : id->second));
        exported.push_back(info.id);
      }
    }

    if (request.include_lineage()) {
      std::vector<store::ColumnEdgeRow> edges;
      std::set<int64_t> fields, jobs, datasets;
      for (int64_t dataset : exported) {
        ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> rows, txn.OpenEdgesOfDataset(dataset));
        for (const store::ColumnEdgeRow& row : rows) {
          // Into this dataset's columns (a dependency of the whole dataset has
          // no column to name in the format).
          if (row.target_dataset != dataset || row.target_field == 0) continue;
          edges.push_back(row);
          fields.insert({row.source_field, row.target_field});
          jobs.insert(row.job);
        }
      }
      ASSIGN_OR_RETURN(std::vector<store::FieldInfo> field_rows,
                       txn.FieldsById(std::vector<int64_t>(fields.begin(), fields.end())));
      std::map<int64_t, store::FieldInfo> field_of;
      for (store::FieldInfo& f : field_rows) {
        datasets.insert(f.dataset_id);
        field_of[f.id] = std::move(f);
      }
      ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> dataset_rows,
                       txn.DatasetsById(std::vector<int64_t>(datasets.begin(), datasets.end())));
      std::set<int64_t> visible;
      for (const store::DatasetInfo& d : dataset_rows) {
        if (!d.deleted && authorizer_->CanSee(caller, catalog::ScopeOf(d))) visible.insert(d.id);
      }
      ASSIGN_OR_RETURN(std::vector<store::JobInfo> job_rows,
                       txn.JobsById(std::vector<int64_t>(jobs.begin(), jobs.end())));
      std::map<int64_t, store::JobInfo> job_of;
      for (store::JobInfo& j : job_rows) job_of[j.id] = std::move(j);
      std::vector<LineageRecord> records;
      for (const store::ColumnEdgeRow& row : edges) {
        auto source = field_of.find(row.source_field);
        auto target = field_of.find(row.target_field);
        auto job = job_of.find(row.job);
        if (source == field_of.end() || target == field_of.end() || job == job_of.end() ||
            !visible.count(source->second.dataset_id)) {
          continue;  // a source the caller does not see is not named
        }
        LineageRecord& r = records.emplace_back();
        r.job_ns = job->second.ns;
        r.job_name = job->second.name;
        r.source = {source->second.ns, source->second.dataset, source->second.field};
        r.target = {target->second.ns, target->second.dataset, target->second.field};
        r.type = row.type;
        r.subtype = row.subtype;
        r.description = row.description;
        r.masking = row.masking;
      }
      auto order = [](const LineageRecord& e) {
        return std::tie(e.target.ns, e.target.dataset, e.target.field, e.source.ns,
                        e.source.dataset, e.source.field, e.job_ns, e.job_name, e.type, e.subtype,
                        e.description, e.masking);
      };
      std::sort(records.begin(), records.end(),
                [&](const auto& a, const auto& b) { return order(a) < order(b); });
      doc["lineage"] = nlohmann::ordered_json::array();
      for (const LineageRecord& r : records) doc["lineage"].push_back(LineageToRecord(r));
    }
    return absl::OkStatus();
  }));
  google::protobuf::Struct out;
  auto parsed = google::protobuf::util::JsonStringToMessage(doc.dump(), &out);
  if (!parsed.ok()) return absl::InternalError(std::string(parsed.message()));
  return out;
}

}  // namespace cadastre::sync
