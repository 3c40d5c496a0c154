#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/entity_writes.h"
#include "server/catalog/history.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/sync/import_results.h"
#include "server/sync/lineage_import.h"
#include "server/sync/sync_document.h"
#include "server/sync/sync_service.h"

namespace cadastre::sync {
namespace {

using policy::Resource;
// Everything one import does inside its transaction, with what it answers.
class Importer {
 public:
  Importer(store::WriteTxn& txn, lineage::LineageService::GraphChanges& graph,
           const policy::Authorizer& authorizer, const Caller& caller, absl::Time now,
           const v1::ImportRequest& request, const Document& doc)
      : txn_(txn),
        authorizer_(authorizer),
        caller_(caller),
        now_(now),
        mode_(request.mode() == v1::IMPORT_MODE_UNSPECIFIED ? v1::DIFF : request.mode()),
        missing_(request.missing() == v1::MISSING_POLICY_UNSPECIFIED ? v1::KEEP
                                                                     : request.missing()),
        doc_(doc),
        lineage_(txn, graph, authorizer, caller, now, mode_, results_) {}

  // Non-OK only when the store fails: records' own errors are results.
  absl::Status Run() {
    results_.response().set_records(doc_.records);
    for (const BadRecord& bad : doc_.bad) {
      results_.Failed(bad.path, KindOf(bad.path), "", bad.error);
    }
    for (const NamespaceRecord& record : doc_.namespaces) RETURN_IF_ERROR(ApplyNamespace(record));
    RETURN_IF_ERROR(ApplyTerms());
    for (const DatasetRecord& record : doc_.datasets) RETURN_IF_ERROR(ApplyDataset(record));
    RETURN_IF_ERROR(lineage_.Apply(doc_.lineage));
    if (mode_ == v1::FULL && missing_ != v1::KEEP) RETURN_IF_ERROR(HandleMissing());
    results_.Sort();
    return absl::OkStatus();
  }

  v1::ImportResponse& response() { return results_.response(); }
  std::vector<int64_t>& removed_fields() { return removed_fields_; }

 private:
  // ---------------------------------------------------------------- namespaces

  absl::Status ApplyNamespace(const NamespaceRecord& record) {
    const std::string& name = record.name;
    auto fail = [&](const absl::Status& error) {
      results_.Failed(record.path, "namespace", name, InRecord(record.path, error));
      return absl::OkStatus();
    };
    if (absl::Status s = catalog::ValidateName("name", name); !s.ok()) return fail(s);
    if (absl::Status s = authorizer_.Check(caller_, v1::EDIT_METADATA, Resource::Namespace(name));
        !s.ok()) {
      return fail(s);
    }
    auto existing = txn_.GetNamespace(name);
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    const v1::Namespace* before = existing.ok() ? &*existing : nullptr;
    if (before != nullptr && !before->is_hidden()) {
      ASSIGN_OR_RETURN(bool visible, catalog::CanSeeNamespace(txn_, authorizer_, caller_, name));
      if (!visible) return fail(absl::PermissionDeniedError("permission denied"));
    }
    v1::Namespace next = MergeNamespace(mode_, before, record);
    if (absl::Status s = catalog::ValidateText("description", next.description()); !s.ok()) {
      return fail(s);
    }
    if (absl::Status s = catalog::ValidateName("ownerName", next.owner_name());
        !s.ok() && !next.owner_name().empty()) {
      return fail(s);
    }
    v1::Namespace old;
    if (before != nullptr) {
      old = *before;
      old.clear_created_at();
      old.clear_updated_at();
    }
    FieldChanges changes = catalog::Diff(before ? &old : nullptr, next);
    if (changes.empty()) {
      results_.Done(record.path, "namespace", name, Result::UNCHANGED);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(catalog::SaveNamespace(txn_, caller_, now_, before, next).status());
    results_.Done(record.path, "namespace", name, before ? Result::UPDATED : Result::CREATED,
                  std::move(changes));
    return absl::OkStatus();
  }

  // -------------------------------------------------------------------- terms

  absl::Status ApplyTerms() {
    if (doc_.terms.empty() && !(mode_ == v1::FULL && doc_.scope_glossary)) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<store::ExternalIdRow> bound,
                     txn_.ListExternalIds(doc_.external_system, catalog::kTermEntity));
    std::map<std::string, std::string> name_of;  // external id -> term
    for (const auto& row : bound) name_of[row.external_id] = row.entity_key;

    struct Pending {
      TermRecord record;
      std::optional<v1::GlossaryTerm> before;
    };
    std::vector<Pending> pending;
    std::set<std::string> in_document;
    for (TermRecord record : doc_.terms) {
      auto fail = [&](const absl::Status& error) {
        results_.Failed(record.path, "glossaryTerm", record.name, InRecord(record.path, error));
      };
      if (!record.external_id.empty()) {
        auto it = name_of.find(record.external_id);
        if (it != name_of.end() && record.name.empty()) record.name = it->second;
        if (it != name_of.end() && record.name != it->second) {
          fail(InvalidField("externalId", absl::StrCat("is bound to glossary term '", it->second,
                                                       "'; a term cannot be renamed")));
          continue;
        }
        if (record.name.empty()) {
          fail(InvalidField("name", absl::StrCat("externalId '", record.external_id,
                                                 "' is not known here; give the name")));
          continue;
        }
      }
      v1::PutTermRequest alone;
      alone.set_name(record.name);
      *alone.mutable_term() = MergeTerm(v1::FULL, nullptr, record);
      if (auto valid = catalog::TermFromRequest(alone); !valid.ok()) {
        fail(valid.status());
        continue;
      }
      if (absl::Status s =
              authorizer_.Check(caller_, v1::MANAGE_GLOSSARY, Resource::Term(record.name));
          !s.ok()) {
        fail(s);
        continue;
      }
      auto existing = txn_.GetTerm(record.name);
      if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
      in_document.insert(record.name);
      Pending& p = pending.emplace_back();
      p.record = std::move(record);
      if (existing.ok()) p.before = *std::move(existing);
    }
    // References must exist or come with the document.
    auto known = [&](const std::string& name) -> absl::StatusOr<bool> {
      if (in_document.count(name)) return true;
      auto found = txn_.GetTerm(name);
      if (absl::IsNotFound(found.status())) return false;
      RETURN_IF_ERROR(found.status());
      return true;
    };
    std::vector<Pending> ready;
    for (Pending& p : pending) {
      const v1::GlossaryTerm wanted = MergeTerm(mode_, p.before ? &*p.before : nullptr, p.record);
      absl::Status missing;
      if (!wanted.parent().empty()) {
        ASSIGN_OR_RETURN(bool ok, known(wanted.parent()));
        if (!ok)
          missing =
              InvalidField("parent", absl::StrCat("unknown glossary term '", wanted.parent(), "'"));
      }
      for (int i = 0; i < wanted.related_terms_size() && missing.ok(); i++) {
        ASSIGN_OR_RETURN(bool ok, known(wanted.related_terms(i)));
        if (!ok) {
          missing =
              InvalidField(absl::StrCat("relatedTerms[", i, "]"),
                           absl::StrCat("unknown glossary term '", wanted.related_terms(i), "'"));
        }
      }
      if (!missing.ok()) {
        results_.Failed(p.record.path, "glossaryTerm", p.record.name,
                        InRecord(p.record.path, missing));
        in_document.erase(p.record.name);
        continue;
      }
      ready.push_back(std::move(p));
    }
    // New terms first without their references, so that terms of the
    // document may refer to each other in any order.
    for (const Pending& p : ready) {
      if (p.before) continue;
      v1::GlossaryTerm bare = MergeTerm(v1::FULL, nullptr, p.record);
      bare.clear_parent();
      bare.clear_related_terms();
      ASSIGN_OR_RETURN(bare, catalog::TermFromRequest(Request(bare)));
      RETURN_IF_ERROR(catalog::SaveTerm(txn_, caller_, now_, nullptr, bare).status());
    }
    for (const Pending& p : ready) {
      ASSIGN_OR_RETURN(v1::GlossaryTerm current, txn_.GetTerm(p.record.name));
      v1::GlossaryTerm wanted = MergeTerm(mode_, p.before ? &current : nullptr, p.record);
      ASSIGN_OR_RETURN(wanted, catalog::TermFromRequest(Request(wanted)));
      absl::StatusOr<int64_t> saved = catalog::SaveTerm(txn_, caller_, now_, &current, wanted);
      if (!saved.ok()) {
        // A new term is half written by now: the import cannot go on.
        if (!p.before) return InRecord(p.record.path, saved.status());
        results_.Failed(p.record.path, "glossaryTerm", p.record.name,
                        InRecord(p.record.path, saved.status()));
        continue;
      }
      ASSIGN_OR_RETURN(v1::GlossaryTerm after, txn_.GetTerm(p.record.name));
      v1::GlossaryTerm old;
      if (p.before) old = catalog::ComparableTerm(*p.before);
      FieldChanges changes =
          catalog::Diff(p.before ? &old : nullptr, catalog::ComparableTerm(after));
      const auto action = !p.before         ? Result::CREATED
                          : changes.empty() ? Result::UNCHANGED
                                            : Result::UPDATED;
      results_.Done(p.record.path, "glossaryTerm", p.record.name, action, std::move(changes));
      if (!p.record.external_id.empty()) {
        RETURN_IF_ERROR(Bind(catalog::kTermEntity, p.record.external_id, p.record.name, name_of));
      }
    }
    terms_in_document_ = std::move(in_document);
    return absl::OkStatus();
  }

  static v1::PutTermRequest Request(const v1::GlossaryTerm& term) {
    v1::PutTermRequest request;
    request.set_name(term.name());
    *request.mutable_term() = term;
    return request;
  }

  // Binds the external id when it is not bound so already.
  absl::Status Bind(std::string_view type, const std::string& external_id, const std::string& key,
                    std::map<std::string, std::string>& bound) {
    auto it = bound.find(external_id);
    if (it != bound.end() && it->second == key) return absl::OkStatus();
    bound[external_id] = key;
    return txn_.PutExternalId({doc_.external_system, std::string(type), external_id, key});
  }

  // ----------------------------------------------------------------- datasets

  absl::Status ApplyDataset(const DatasetRecord& given) {
    if (!dataset_ids_loaded_) {
      ASSIGN_OR_RETURN(std::vector<store::ExternalIdRow> bound,
                       txn_.ListExternalIds(doc_.external_system, catalog::kDatasetEntity));
      for (const auto& row : bound) dataset_key_of_[row.external_id] = row.entity_key;
      dataset_ids_loaded_ = true;
    }
    DatasetRecord record = given;
    std::string key = Shown(record.ns, record.name);
    auto fail = [&](const absl::Status& error) {
      results_.Failed(record.path, "dataset", key, InRecord(record.path, error));
      return absl::OkStatus();
    };
    const absl::Status denied = absl::PermissionDeniedError("permission denied");

    // Identity: by external id when it is bound to a dataset that exists.
    std::optional<std::pair<std::string, std::string>> rename_from;
    if (!record.external_id.empty()) {
      auto it = dataset_key_of_.find(record.external_id);
      std::optional<std::pair<std::string, std::string>> bound;
      if (it != dataset_key_of_.end()) {
        auto parts = SplitDatasetKey(it->second);
        if (txn_.DatasetRowId(parts.first, parts.second).ok()) bound = parts;
      }
      if (bound && record.ns.empty() && record.name.empty()) {
        std::tie(record.ns, record.name) = *bound;
      } else if (bound && *bound != std::pair{record.ns, record.name}) {
        rename_from = bound;
      } else if (!bound && (record.ns.empty() || record.name.empty())) {
        key = record.external_id;
        return fail(
            InvalidField("name", absl::StrCat("externalId '", record.external_id,
                                              "' is not known here; give namespace and name")));
      }
      key = Shown(record.ns, record.name);
    }

    // The record on its own must be valid: its errors name its own columns.
    v1::PutDatasetRequest alone;
    alone.set_namespace_(record.ns);
    alone.set_name(record.name);
    *alone.mutable_dataset() = MergeDataset(v1::FULL, nullptr, record);
    if (auto valid = catalog::DatasetFromRequest(alone); !valid.ok()) return fail(valid.status());
    if (record.columns) {
      for (size_t c = 0; c < record.columns->size(); c++) {
        const ColumnRecord& column = (*record.columns)[c];
        if (!column.glossary_terms) continue;
        for (size_t t = 0; t < column.glossary_terms->size(); t++) {
          const std::string& term = (*column.glossary_terms)[t];
          auto found = txn_.GetTerm(term);
          if (absl::IsNotFound(found.status())) {
            return fail(InvalidField(absl::StrCat("columns[", c, "].glossaryTerms[", t, "]"),
                                     absl::StrCat("unknown glossary term '", term, "'")));
          }
          RETURN_IF_ERROR(found.status());
        }
      }
    }
    if (absl::Status s = authorizer_.Check(caller_, v1::EDIT_METADATA, Resource::System());
        !s.ok()) {
      return fail(s);
    }
    // A classification the record names is created only for a caller who
    // manages classifications.
    for (const auto& [field, tag] : NamedTags(record)) {
      auto found = txn_.GetTag(tag);
      if (found.ok()) continue;
      if (!absl::IsNotFound(found.status())) return found.status();
      if (!authorizer_.Check(caller_, v1::MANAGE_CLASSIFICATIONS, Resource::Tag(tag)).ok()) {
        return fail(InvalidField(field, absl::StrCat("unknown classification '", tag, "'")));
      }
    }

    FieldChanges renamed;
    if (rename_from) {
      auto from = catalog::LoadAnyDataset(txn_, rename_from->first, rename_from->second);
      RETURN_IF_ERROR(from.status());
      if (!authorizer_.CanSee(caller_, catalog::ScopeOf(*from)) ||
          !authorizer_.CheckDataset(caller_, v1::EDIT_METADATA, catalog::ScopeOf(*from), denied)
               .ok()) {
        return fail(denied);
      }
      if (txn_.DatasetRowId(record.ns, record.name).ok()) {
        return fail(WithField(
            absl::AlreadyExistsError(absl::StrCat(
                "cannot rename ", Shown(rename_from->first, rename_from->second), " (externalId '",
                record.external_id, "') to ", key, ": that dataset exists")),
            "name"));
      }
    }

    auto existing = rename_from
                        ? catalog::LoadAnyDataset(txn_, rename_from->first, rename_from->second)
                        : catalog::LoadAnyDataset(txn_, record.ns, record.name);
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    const v1::Dataset* before = existing.ok() ? &*existing : nullptr;
    // As PutDataset: a hidden dataset is refused as if the caller could not
    // write there, and the dataset as it will be must be in its scope.
    if (before != nullptr && !authorizer_.CanSee(caller_, catalog::ScopeOf(*before))) {
      return fail(denied);
    }
    v1::Dataset merged = MergeDataset(mode_, before, record);
    merged.set_namespace_(record.ns);
    merged.set_name(record.name);
    merged.set_deleted(false);
    merged.set_created_by(before ? before->created_by() : caller_.principal);
    if (!authorizer_.CheckDataset(caller_, v1::EDIT_METADATA, catalog::ScopeOf(merged), denied)
             .ok() ||
        (before &&
         !authorizer_.CheckDataset(caller_, v1::EDIT_METADATA, catalog::ScopeOf(*before), denied)
              .ok())) {
      return fail(denied);
    }
    v1::PutDatasetRequest request;
    request.set_namespace_(record.ns);
    request.set_name(record.name);
    *request.mutable_dataset() = merged;
    auto wanted = catalog::DatasetFromRequest(request);
    if (!wanted.ok()) return fail(wanted.status());
    wanted->set_created_by(merged.created_by());

    if (rename_from) {
      RETURN_IF_ERROR(catalog::EnsureNamespace(txn_, caller_, now_, record.ns));
      RETURN_IF_ERROR(
          txn_.RenameDataset(rename_from->first, rename_from->second, record.ns, record.name));
      v1::FieldChange& change = renamed.emplace_back();
      change.set_path("name");
      change.mutable_before()->set_string_value(Shown(rename_from->first, rename_from->second));
      change.mutable_after()->set_string_value(key);
      ASSIGN_OR_RETURN(*existing, catalog::LoadAnyDataset(txn_, record.ns, record.name));
    }
    v1::Dataset old;
    if (before) old = catalog::ComparableDataset(*before);
    FieldChanges changes =
        catalog::Diff(before ? &old : nullptr, catalog::ComparableDataset(*wanted));
    changes.insert(changes.begin(), renamed.begin(), renamed.end());
    datasets_in_document_.insert({record.ns, record.name});
    if (!changes.empty()) {
      RETURN_IF_ERROR(catalog::EnsureNamespace(txn_, caller_, now_, record.ns));
      for (const std::string& tag : AllTags(*wanted)) {
        RETURN_IF_ERROR(catalog::EnsureTag(txn_, caller_, now_, tag));
      }
      const std::string operation = !before ? "CREATE" : before->deleted() ? "RESTORE" : "UPDATE";
      RETURN_IF_ERROR(
          catalog::WriteDataset(txn_, caller_, now_, before, *wanted, operation, &removed_fields_)
              .status());
    }
    const auto action = !before           ? Result::CREATED
                        : changes.empty() ? Result::UNCHANGED
                                          : Result::UPDATED;
    results_.Done(record.path, "dataset", key, action, std::move(changes));
    if (!record.external_id.empty()) {
      RETURN_IF_ERROR(Bind(catalog::kDatasetEntity, record.external_id,
                           catalog::DatasetKey(record.ns, record.name), dataset_key_of_));
    }
    return absl::OkStatus();
  }

  // Every classification a record names, with where.
  static std::vector<std::pair<std::string, std::string>> NamedTags(const DatasetRecord& record) {
    std::vector<std::pair<std::string, std::string>> out;
    auto add = [&](const std::string& prefix, const std::optional<StringList>& tags) {
      if (!tags) return;
      for (size_t i = 0; i < tags->size(); i++) {
        out.push_back({absl::StrCat(prefix, "[", i, "]"), (*tags)[i]});
      }
    };
    add("tags", record.tags);
    if (record.columns) {
      for (size_t c = 0; c < record.columns->size(); c++) {
        add(absl::StrCat("columns[", c, "].tags"), (*record.columns)[c].tags);
        add(absl::StrCat("columns[", c, "].blockedTags"), (*record.columns)[c].blocked_tags);
      }
    }
    return out;
  }

  static std::set<std::string> AllTags(const v1::Dataset& dataset) {
    std::set<std::string> tags(dataset.tags().begin(), dataset.tags().end());
    for (const v1::Field& field : dataset.fields()) {
      tags.insert(field.tags().begin(), field.tags().end());
      tags.insert(field.blocked_tags().begin(), field.blocked_tags().end());
    }
    return tags;
  }

  // -------------------------------------------------- FULL: what is missing

  absl::Status HandleMissing() {
    std::set<std::string> scope;
    if (doc_.scope_namespaces) {
      scope.insert(doc_.scope_namespaces->begin(), doc_.scope_namespaces->end());
    } else {
      for (const DatasetRecord& record : doc_.datasets) scope.insert(record.ns);
    }
    const absl::Status denied = absl::PermissionDeniedError("permission denied");
    for (const std::string& ns : scope) {
      ASSIGN_OR_RETURN(std::vector<store::DatasetInfo> datasets,
                       catalog::VisibleDatasets(txn_, authorizer_, caller_, ns));
      for (const store::DatasetInfo& info : datasets) {
        if (datasets_in_document_.count({info.ns, info.name})) continue;
        const std::string key = Shown(info.ns, info.name);
        if (!authorizer_.CheckDataset(caller_, v1::EDIT_METADATA, catalog::ScopeOf(info), denied)
                 .ok()) {
          results_.Failed("", "dataset", key, WithField(denied, key));
          continue;
        }
        ASSIGN_OR_RETURN(v1::Dataset before, catalog::LoadAnyDataset(txn_, info.ns, info.name));
        v1::Dataset after = before;
        std::string operation = "UPDATE";
        if (missing_ == v1::REMOVE) {
          after.set_deleted(true);
          operation = "DELETE";
        } else if (before.custom_properties().count("status") &&
                   before.custom_properties().at("status") == "deprecated") {
          continue;
        } else {
          (*after.mutable_custom_properties())["status"] = "deprecated";
        }
        v1::Dataset old = catalog::ComparableDataset(before);
        FieldChanges changes = catalog::Diff(&old, catalog::ComparableDataset(after));
        RETURN_IF_ERROR(
            catalog::WriteDataset(txn_, caller_, now_, &before, after, operation).status());
        results_.Done("", "dataset", key,
                      missing_ == v1::REMOVE ? Result::REMOVED : Result::DEPRECATED,
                      std::move(changes));
      }
    }
    if (doc_.scope_glossary) RETURN_IF_ERROR(HandleMissingTerms());
    if (missing_ == v1::REMOVE) RETURN_IF_ERROR(lineage_.CloseMissing(scope));
    return absl::OkStatus();
  }

  absl::Status HandleMissingTerms() {
    ASSIGN_OR_RETURN(std::vector<v1::GlossaryTerm> terms, txn_.ListTerms());
    std::vector<v1::GlossaryTerm> left;
    for (v1::GlossaryTerm& term : terms) {
      if (terms_in_document_.count(term.name())) continue;
      if (absl::Status s =
              authorizer_.Check(caller_, v1::MANAGE_GLOSSARY, Resource::Term(term.name()));
          !s.ok()) {
        results_.Failed("", "glossaryTerm", term.name(), s);
        continue;
      }
      if (missing_ == v1::DEPRECATE) {
        if (term.status() == v1::DEPRECATED) continue;
        v1::GlossaryTerm old = catalog::ComparableTerm(term);
        v1::GlossaryTerm next = old;
        next.set_status(v1::DEPRECATED);
        RETURN_IF_ERROR(catalog::SaveTerm(txn_, caller_, now_, &term, next).status());
        results_.Done("", "glossaryTerm", term.name(), Result::DEPRECATED,
                      catalog::Diff(&old, next));
      } else {
        left.push_back(std::move(term));
      }
    }
    // A term still linked or referred to cannot go; one whose children go
    // with it can, once they are gone: removed in passes until none moves.
    for (bool progress = true; progress && !left.empty();) {
      progress = false;
      std::vector<v1::GlossaryTerm> still;
      for (v1::GlossaryTerm& term : left) {
        ASSIGN_OR_RETURN(v1::GlossaryTerm current, txn_.GetTerm(term.name()));
        absl::Status removed = catalog::RemoveTerm(txn_, caller_, now_, current);
        if (absl::IsFailedPrecondition(removed)) {
          still.push_back(std::move(term));
          continue;
        }
        RETURN_IF_ERROR(removed);
        RETURN_IF_ERROR(txn_.DeleteExternalIds(catalog::kTermEntity, term.name()));
        v1::GlossaryTerm old = catalog::ComparableTerm(current);
        results_.Done("", "glossaryTerm", term.name(), Result::REMOVED,
                      catalog::Diff(&old, v1::GlossaryTerm()));
        progress = true;
      }
      left = std::move(still);
    }
    for (const v1::GlossaryTerm& term : left) {
      ASSIGN_OR_RETURN(v1::GlossaryTerm current, txn_.GetTerm(term.name()));
      results_.Failed(
          "", "glossaryTerm", term.name(),
          catalog::WithoutDependents(catalog::RemoveTerm(txn_, caller_, now_, current), authorizer_,
                                     caller_, absl::StrCat("glossary term '", term.name(), "'")));
    }
    return absl::OkStatus();
  }

  store::WriteTxn& txn_;
  const policy::Authorizer& authorizer_;
  const Caller& caller_;
  const absl::Time now_;
  const v1::ImportMode mode_;
  const v1::MissingPolicy missing_;
  const Document& doc_;

  ImportResults results_;
  std::vector<int64_t> removed_fields_;
  bool dataset_ids_loaded_ = false;
  std::map<std::string, std::string> dataset_key_of_;  // external id -> dataset key
  std::set<std::pair<std::string, std::string>> datasets_in_document_;
  std::set<std::string> terms_in_document_;
  LineageImport lineage_;
};

// The message of an import refused because records failed.
absl::Status Refused(const v1::ImportResponse& response) {
  std::string listed;
  std::string first_field;
  int shown = 0;
  for (const v1::SyncRecordResult& result : response.results()) {
    if (result.action() != Result::FAILED) continue;
    if (first_field.empty()) first_field = result.field();
    if (shown++ < 10) absl::StrAppend(&listed, "; ", result.error());
  }
  return WithField(
      absl::InvalidArgumentError(absl::StrCat(
          response.failed(), " of ", response.records(),
          " records failed and nothing was changed (onError=SKIP applies the others)", listed)),
      first_field);
}

}  // namespace

absl::StatusOr<v1::ImportResponse> SyncService::Import(const Caller& caller,
                                                       const v1::ImportRequest& request) {
  if (!v1::ImportMode_IsValid(request.mode())) return InvalidField("mode", "unknown mode");
  if (!v1::MissingPolicy_IsValid(request.missing()))
    return InvalidField("missing", "unknown value");
  if (!v1::OnError_IsValid(request.on_error())) return InvalidField("onError", "unknown value");
  if (request.missing() != v1::MISSING_POLICY_UNSPECIFIED && request.missing() != v1::KEEP &&
      request.mode() != v1::FULL) {
    return InvalidField("missing", "applies to FULL imports only");
  }
  // Any write permission at all, before the document is read.
  if (!authorizer_->Check(caller, v1::EDIT_METADATA, Resource::System()).ok() &&
      !authorizer_->Check(caller, v1::MANAGE_GLOSSARY, Resource::System()).ok() &&
      !authorizer_->Check(caller, v1::WRITE_LINEAGE, Resource::System()).ok()) {
    return absl::PermissionDeniedError("permission denied");
  }
  ASSIGN_OR_RETURN(Document doc, ParseDocument(request.document()));
  if (!doc.external_system.empty()) {
    RETURN_IF_ERROR(catalog::ValidateName("externalSystem", doc.external_system));
  }
  if (request.mode() == v1::FULL && doc.scope_namespaces) {
    for (size_t i = 0; i < doc.scope_namespaces->size(); i++) {
      RETURN_IF_ERROR(catalog::ValidateName(absl::StrCat("scope.namespaces[", i, "]"),
                                            (*doc.scope_namespaces)[i]));
    }
  }
  const bool atomic = request.on_error() != v1::SKIP;
  const absl::Status rolled_back = absl::AbortedError("dry run: rolled back");
  v1::ImportResponse response;
  std::vector<int64_t> removed_fields;
  absl::Status status = lineage_->WriteLineage(
      [&](store::WriteTxn& txn, lineage::LineageService::GraphChanges& graph) -> absl::Status {
        Importer importer(txn, graph, *authorizer_, caller, clock_->Now(), request, doc);
        RETURN_IF_ERROR(importer.Run());
        response = std::move(importer.response());
        removed_fields = std::move(importer.removed_fields());
        if (atomic && response.failed() > 0) return Refused(response);
        if (request.dry_run()) return rolled_back;
        return absl::OkStatus();
      });
  if (request.dry_run() && status == rolled_back) {
    response.set_dry_run(true);
    return response;
  }
  RETURN_IF_ERROR(status);
  if (!removed_fields.empty()) lineage_->FieldsRemoved(removed_fields);
  return response;
}

}  // namespace cadastre::sync
