#include "server/sync/sync_service.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/entity_writes.h"
#include "server/catalog/history.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/sync/sync_document.h"

namespace cadastre::sync {
namespace {

using policy::Resource;
using Result = v1::SyncRecordResult;
using FieldChanges = std::vector<v1::FieldChange>;

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// A record's error with its field named from the document's root:
// "fields[2].name" of a dataset becomes "datasets[3].columns[2].name".
absl::Status InRecord(const std::string& path, const absl::Status& status) {
  const std::string original = FieldOf(status).value_or("");
  std::string message(status.message());
  if (!original.empty() && absl::StartsWith(message, original + ": ")) {
    message = message.substr(original.size() + 2);
  }
  std::string field = original;
  if (absl::StartsWith(field, "fields[")) field = "columns" + field.substr(6);
  const std::string full = field.empty() ? path : absl::StrCat(path, ".", field);
  return WithField(absl::Status(status.code(), absl::StrCat(full, ": ", message)), full);
}

// Orders results as the document does: namespaces, terms, datasets,
// lineage, each by index; entities the document lacks last.
std::tuple<int, int64_t> Place(const std::string& record) {
  static const char* kSections[] = {"namespaces", "glossaryTerms", "datasets", "lineage"};
  for (int s = 0; s < 4; s++) {
    if (absl::StartsWith(record, absl::StrCat(kSections[s], "["))) {
      int64_t index = 0;
      const size_t open = record.find('[');
      (void)absl::SimpleAtoi(record.substr(open + 1, record.find(']') - open - 1), &index);
      return {s, index};
    }
  }
  return {4, 0};
}

// The kind of record a place names: "datasets[3]" is a dataset.
std::string_view KindOf(const std::string& record) {
  static const char* kKinds[] = {"namespace", "glossaryTerm", "dataset", "lineage", ""};
  return kKinds[std::get<0>(Place(record))];
}

// Everything one import does inside its transaction, with what it answers.
class Importer {
 public:
  Importer(store::WriteTxn& txn, lineage::LineageService::GraphChanges& graph,
           const policy::Authorizer& authorizer, const Caller& caller, absl::Time now,
           const v1::ImportRequest& request, const Document& doc)
      : txn_(txn),
        graph_(graph),
        authorizer_(authorizer),
        caller_(caller),
        now_(now),
        mode_(request.mode() == v1::IMPORT_MODE_UNSPECIFIED ? v1::DIFF : request.mode()),
        missing_(request.missing() == v1::MISSING_POLICY_UNSPECIFIED ? v1::KEEP
                                                                     : request.missing()),
        doc_(doc) {}

  // Non-OK only when the store fails: records' own errors are results.
  absl::Status Run() {
    response_.set_records(doc_.records);
    for (const BadRecord& bad : doc_.bad) Failed(bad.path, KindOf(bad.path), "", bad.error);
    for (const NamespaceRecord& record : doc_.namespaces) RETURN_IF_ERROR(ApplyNamespace(record));
    RETURN_IF_ERROR(ApplyTerms());
    for (const DatasetRecord& record : doc_.datasets) RETURN_IF_ERROR(ApplyDataset(record));
    RETURN_IF_ERROR(ApplyLineage());
    if (mode_ == v1::FULL && missing_ != v1::KEEP) RETURN_IF_ERROR(HandleMissing());
    std::stable_sort(
        response_.mutable_results()->begin(), response_.mutable_results()->end(),
        [](const auto& a, const auto& b) { return Place(a.record()) < Place(b.record()); });
    return absl::OkStatus();
  }

  v1::ImportResponse& response() { return response_; }
  std::vector<int64_t>& removed_fields() { return removed_fields_; }

 private:
  // Notes what happened to a record (`record` set) or to an entity the
  // document lacks (`record` empty).
  void Done(const std::string& record, std::string_view kind, const std::string& key,
            Result::Action action, FieldChanges changes = {}) {
    switch (action) {
      case Result::UNCHANGED:
        response_.set_unchanged(response_.unchanged() + 1);
        return;
      case Result::CREATED:
        response_.set_created(response_.created() + 1);
        break;
      case Result::UPDATED:
        response_.set_updated(response_.updated() + 1);
        break;
      case Result::DEPRECATED:
        response_.set_deprecated(response_.deprecated() + 1);
        break;
      case Result::REMOVED:
        response_.set_removed(response_.removed() + 1);
        break;
      default:
        break;
    }
    v1::SyncRecordResult* result = response_.add_results();
    result->set_record(record);
    result->set_kind(std::string(kind));
    result->set_key(key);
    result->set_action(action);
    for (v1::FieldChange& change : changes) *result->add_changes() = std::move(change);
  }

  void Failed(const std::string& record, std::string_view kind, const std::string& key,
              const absl::Status& error) {
    response_.set_failed(response_.failed() + 1);
    v1::SyncRecordResult* result = response_.add_results();
    result->set_record(record);
    result->set_kind(std::string(kind));
    result->set_key(key);
    result->set_action(Result::FAILED);
    result->set_error(std::string(error.message()));
    result->set_field(FieldOf(error).value_or(record));
    result->set_error_code(absl::StatusCodeToString(error.code()));
  }

  // ---------------------------------------------------------------- namespaces

  absl::Status ApplyNamespace(const NamespaceRecord& record) {
    const std::string& name = record.name;
    auto fail = [&](const absl::Status& error) {
      Failed(record.path, "namespace", name, InRecord(record.path, error));
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
      Done(record.path, "namespace", name, Result::UNCHANGED);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(catalog::SaveNamespace(txn_, caller_, now_, before, next).status());
    Done(record.path, "namespace", name, before ? Result::UPDATED : Result::CREATED,
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
        Failed(record.path, "glossaryTerm", record.name, InRecord(record.path, error));
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
        Failed(p.record.path, "glossaryTerm", p.record.name, InRecord(p.record.path, missing));
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
        Failed(p.record.path, "glossaryTerm", p.record.name,
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
      Done(p.record.path, "glossaryTerm", p.record.name, action, std::move(changes));
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
      Failed(record.path, "dataset", key, InRecord(record.path, error));
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
    Done(record.path, "dataset", key, action, std::move(changes));
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

  // ------------------------------------------------------------------ lineage

  struct Group {
    std::string job_ns, job_name, target_ns, target_dataset;
    auto operator<=>(const Group&) const = default;
  };
  using EdgeKey = std::tuple<int64_t, int64_t, std::string, std::string, bool, std::string>;
  static EdgeKey KeyOf(const store::ColumnEdgeRow& row) {
    return {row.source_field, row.target_field, row.type,
            row.subtype,      row.masking,      row.description};
  }

  // The column's row id, or an error naming `where` when the caller does
  // not see it (missing and hidden alike).
  absl::StatusOr<std::pair<int64_t, int64_t>> Column(const ColumnKey& column,
                                                     const std::string& where) {
    const auto not_found = InvalidField(
        where,
        absl::StrCat("column ", column.ns, ":", column.dataset, ":", column.field, " not found"));
    auto cached = visible_dataset_.find({column.ns, column.dataset});
    if (cached == visible_dataset_.end()) {
      std::optional<int64_t> id;
      auto dataset = catalog::LoadLiveDataset(txn_, column.ns, column.dataset);
      if (!dataset.ok() && !absl::IsNotFound(dataset.status())) return dataset.status();
      if (dataset.ok() && authorizer_.CanSee(caller_, catalog::ScopeOf(*dataset))) {
        ASSIGN_OR_RETURN(id, txn_.DatasetRowId(column.ns, column.dataset));
      }
      cached = visible_dataset_.emplace(std::pair{column.ns, column.dataset}, id).first;
    }
    if (!cached->second) return not_found;
    const int64_t dataset_id = *cached->second;
    auto& fields = field_ids_[dataset_id];
    if (fields.empty()) {
      ASSIGN_OR_RETURN(std::vector<store::FieldInfo> rows, txn_.FieldsOfDataset(dataset_id));
      for (const store::FieldInfo& row : rows) fields[row.field] = row.id;
    }
    auto it = fields.find(column.field);
    if (it == fields.end()) return not_found;
    return std::pair{dataset_id, it->second};
  }

  absl::Status ApplyLineage() {
    std::map<Group, std::vector<std::pair<const LineageRecord*, store::ColumnEdgeRow>>> groups;
    if (!doc_.lineage.empty()) {
      if (absl::Status s = authorizer_.Check(caller_, v1::WRITE_LINEAGE, Resource::System());
          !s.ok()) {
        for (const LineageRecord& record : doc_.lineage) {
          Failed(record.path, "lineage", EdgeName(record), InRecord(record.path, s));
        }
        return absl::OkStatus();
      }
    }
    const int64_t at = Micros(now_);
    for (const LineageRecord& record : doc_.lineage) {
      auto fail = [&](const absl::Status& error) {
        Failed(record.path, "lineage", EdgeName(record), InRecord(record.path, error));
      };
      absl::Status names;
      for (auto [field, value] :
           {std::pair{"job.namespace", &record.job_ns}, {"job.name", &record.job_name}}) {
        if (names.ok()) names = catalog::ValidateName(field, *value);
      }
      if (names.ok()) names = catalog::ValidateText("description", record.description);
      if (!names.ok()) {
        fail(names);
        continue;
      }
      auto source = Column(record.source, "source");
      if (!source.ok()) {
        if (!IsRecordError(source.status())) return source.status();
        fail(source.status());
        continue;
      }
      auto target = Column(record.target, "target");
      if (!target.ok()) {
        if (!IsRecordError(target.status())) return target.status();
        fail(target.status());
        continue;
      }
      store::ColumnEdgeRow row;
      row.source_field = source->second;
      row.target_dataset = target->first;
      row.target_field = target->second;
      row.type = record.type;
      row.subtype = record.subtype;
      row.description = record.description;
      row.masking = record.masking;
      row.first_seen = row.last_seen = row.valid_from = at;
      groups[{record.job_ns, record.job_name, record.target.ns, record.target.dataset}].push_back(
          {&record, row});
      source_datasets_[{record.job_ns, record.job_name}].insert(source->first);
    }
    for (auto& [group, edges] : groups) RETURN_IF_ERROR(ApplyGroup(group, edges));
    return absl::OkStatus();
  }

  static bool IsRecordError(const absl::Status& status) { return absl::IsInvalidArgument(status); }

  static std::string EdgeName(const LineageRecord& e) {
    return absl::StrCat(e.job_ns, ":", e.job_name, " ", e.source.ns, ":", e.source.dataset, ":",
                        e.source.field, " -> ", e.target.ns, ":", e.target.dataset, ":",
                        e.target.field);
  }

  absl::StatusOr<int64_t> JobId(const std::string& ns, const std::string& name) {
    auto id = txn_.JobRowId(ns, name);
    if (id.ok() || !absl::IsNotFound(id.status())) return id;
    v1::Job job;
    job.set_namespace_(ns);
    job.set_name(name);
    *job.mutable_created_at() = catalog::TimeToProto(now_);
    *job.mutable_updated_at() = catalog::TimeToProto(now_);
    return txn_.PutJob(job);
  }

  absl::Status ApplyGroup(
      const Group& group,
      std::vector<std::pair<const LineageRecord*, store::ColumnEdgeRow>>& edges) {
    ASSIGN_OR_RETURN(int64_t job, JobId(group.job_ns, group.job_name));
    const int64_t target_dataset = edges.front().second.target_dataset;
    jobs_in_document_[{group.job_ns, group.job_name}] = job;
    groups_in_document_.insert({job, target_dataset});
    ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> open,
                     txn_.OpenEdgesInto(job, target_dataset));
    std::map<EdgeKey, const store::ColumnEdgeRow*> open_by_key;
    for (const store::ColumnEdgeRow& row : open) open_by_key[KeyOf(row)] = &row;
    std::set<EdgeKey> wanted;
    bool added = false;
    for (auto& [record, row] : edges) {
      if (!wanted.insert(KeyOf(row)).second || open_by_key.count(KeyOf(row))) {
        Done(record->path, "lineage", EdgeName(*record), Result::UNCHANGED);
        continue;
      }
      row.job = job;
      ASSIGN_OR_RETURN(row.id, txn_.InsertColumnEdge(row));
      graph_.column_edges.push_back(row);
      added = true;
      Done(record->path, "lineage", EdgeName(*record), Result::CREATED);
    }
    if (added) {
      const int64_t at = Micros(now_);
      std::vector<store::JobIoRow> io = {{job, target_dataset, true, at, at}};
      for (int64_t source : source_datasets_[{group.job_ns, group.job_name}]) {
        io.push_back({job, source, false, at, at});
      }
      for (const store::JobIoRow& row : io) {
        RETURN_IF_ERROR(txn_.UpsertJobIo(row));
        graph_.job_io.push_back(row);
      }
    }
    // The group is the whole truth of what the job writes into the dataset
    // (APPEND only adds).
    if (mode_ == v1::APPEND) return absl::OkStatus();
    for (const store::ColumnEdgeRow& row : open) {
      if (!wanted.count(KeyOf(row))) RETURN_IF_ERROR(CloseEdge(row, group.job_ns, group.job_name));
    }
    return absl::OkStatus();
  }

  absl::Status CloseEdge(store::ColumnEdgeRow row, const std::string& job_ns,
                         const std::string& job_name) {
    row.valid_to = Micros(now_);
    RETURN_IF_ERROR(txn_.UpdateColumnEdge(row.id, row.last_seen, row.valid_to));
    graph_.column_edges.push_back(row);
    ASSIGN_OR_RETURN(std::vector<store::FieldInfo> fields,
                     txn_.FieldsById({row.source_field, row.target_field}));
    std::string source, target;
    for (const store::FieldInfo& f : fields) {
      const std::string name = absl::StrCat(f.ns, ":", f.dataset, ":", f.field);
      if (f.id == row.source_field) source = name;
      if (f.id == row.target_field) target = name;
    }
    Done("", "lineage", absl::StrCat(job_ns, ":", job_name, " ", source, " -> ", target),
         Result::REMOVED);
    return absl::OkStatus();
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
          Failed("", "dataset", key, WithField(denied, key));
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
        Done("", "dataset", key, missing_ == v1::REMOVE ? Result::REMOVED : Result::DEPRECATED,
             std::move(changes));
      }
    }
    if (doc_.scope_glossary) RETURN_IF_ERROR(HandleMissingTerms());
    if (missing_ == v1::REMOVE) RETURN_IF_ERROR(HandleMissingLineage(scope));
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
        Failed("", "glossaryTerm", term.name(), s);
        continue;
      }
      if (missing_ == v1::DEPRECATE) {
        if (term.status() == v1::DEPRECATED) continue;
        v1::GlossaryTerm old = catalog::ComparableTerm(term);
        v1::GlossaryTerm next = old;
        next.set_status(v1::DEPRECATED);
        RETURN_IF_ERROR(catalog::SaveTerm(txn_, caller_, now_, &term, next).status());
        Done("", "glossaryTerm", term.name(), Result::DEPRECATED, catalog::Diff(&old, next));
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
        Done("", "glossaryTerm", term.name(), Result::REMOVED,
             catalog::Diff(&old, v1::GlossaryTerm()));
        progress = true;
      }
      left = std::move(still);
    }
    for (const v1::GlossaryTerm& term : left) {
      ASSIGN_OR_RETURN(v1::GlossaryTerm current, txn_.GetTerm(term.name()));
      Failed(
          "", "glossaryTerm", term.name(),
          catalog::WithoutDependents(catalog::RemoveTerm(txn_, caller_, now_, current), authorizer_,
                                     caller_, absl::StrCat("glossary term '", term.name(), "'")));
    }
    return absl::OkStatus();
  }

  // Edges of the document's jobs into datasets of the scope whose group
  // the document lacks.
  absl::Status HandleMissingLineage(const std::set<std::string>& scope) {
    for (const auto& [name, job] : jobs_in_document_) {
      ASSIGN_OR_RETURN(v1::Job stored, txn_.GetJob(name.first, name.second));
      for (const v1::DatasetId& output : stored.outputs()) {
        if (!scope.count(output.namespace_())) continue;
        ASSIGN_OR_RETURN(int64_t dataset, txn_.DatasetRowId(output.namespace_(), output.name()));
        if (groups_in_document_.count({job, dataset})) continue;
        ASSIGN_OR_RETURN(std::vector<store::ColumnEdgeRow> open, txn_.OpenEdgesInto(job, dataset));
        for (const store::ColumnEdgeRow& row : open) {
          RETURN_IF_ERROR(CloseEdge(row, name.first, name.second));
        }
      }
    }
    return absl::OkStatus();
  }

  store::WriteTxn& txn_;
  lineage::LineageService::GraphChanges& graph_;
  const policy::Authorizer& authorizer_;
  const Caller& caller_;
  const absl::Time now_;
  const v1::ImportMode mode_;
  const v1::MissingPolicy missing_;
  const Document& doc_;

  v1::ImportResponse response_;
  std::vector<int64_t> removed_fields_;
  bool dataset_ids_loaded_ = false;
  std::map<std::string, std::string> dataset_key_of_;  // external id -> dataset key
  std::set<std::pair<std::string, std::string>> datasets_in_document_;
  std::set<std::string> terms_in_document_;
  std::map<int64_t, std::map<std::string, int64_t>> field_ids_;  // dataset -> field -> id
  // Lineage's datasets: the row id when live and visible to the caller.
  std::map<std::pair<std::string, std::string>, std::optional<int64_t>> visible_dataset_;
  std::map<std::pair<std::string, std::string>, std::set<int64_t>> source_datasets_;  // per job
  std::map<std::pair<std::string, std::string>, int64_t> jobs_in_document_;
  std::set<std::pair<int64_t, int64_t>> groups_in_document_;  // (job, target dataset)
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
