#include "server/catalog/dataset_writes.h"
#include "server/common/strings.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
absl::Status DatasetNotFound(std::string_view ns, std::string_view name,
                             std::string_view field) {
  return WithField(absl::NotFoundError(absl::StrCat("dataset '", Absl(name), "' not found in namespace '",
                                                    Absl(ns), "'")),
                   field);
}

std::map<std::string, v1::ColumnStats> TakeValueStatistics(v1::Dataset* dataset) {
  std::map<std::string, v1::ColumnStats> out;
  auto* facets = dataset->mutable_facets()->mutable_fields();
  auto quality = facets->find("dataQualityMetrics");
  if (quality == facets->end() || !quality->second.has_struct_value()) return out;
  auto* metrics = quality->second.mutable_struct_value()->mutable_fields();
  auto columns = metrics->find("columnMetrics");
  if (columns == metrics->end() || !columns->second.has_struct_value()) return out;
  for (auto& [column, value] : *columns->second.mutable_struct_value()->mutable_fields()) {
    if (!value.has_struct_value()) continue;
    auto* fields = value.mutable_struct_value()->mutable_fields();
    v1::ColumnStats& stats = out[column];
    auto count = [&](const char* name, void (v1::ColumnStats::*set)(int64_t)) {
      auto it = fields->find(name);
      if (it != fields->end() && it->second.has_number_value()) {
        (stats.*set)(static_cast<int64_t>(it->second.number_value()));
      }
    };
    count("nullCount", &v1::ColumnStats::set_null_count);
    count("distinctCount", &v1::ColumnStats::set_distinct_count);
    count("count", &v1::ColumnStats::set_count);
    // Values leave the facet: they are data, served masked with the sample.
    for (const char* name : {"min", "max"}) {
      auto it = fields->find(name);
      if (it == fields->end()) continue;
      *(std::string_view(name) == "min" ? stats.mutable_min() : stats.mutable_max()) = it->second;
      fields->erase(it);
    }
    fields->erase("quantiles");
    fields->erase("sum");
  }
  return out;
}

absl::Status NamespaceNotFound(std::string_view ns) {
  return WithField(absl::NotFoundError(absl::StrCat("namespace '", Absl(ns), "' not found")),
                   "namespace");
}

v1::Dataset ComparableDataset(const v1::Dataset& dataset) {
  v1::Dataset out = dataset;
  out.clear_id();
  out.clear_name();
  out.clear_namespace_();
  out.clear_created_at();
  out.clear_updated_at();
  out.clear_last_modified_at();
  out.clear_current_version();
  out.clear_run_id();
  out.clear_schema_location();
  out.clear_column_lineage();
  out.clear_created_by();
  for (v1::Field& field : *out.mutable_fields()) field.clear_inherited_tags();
  return out;
}

namespace {

absl::Status CheckTag(store::ReadTxn& txn, const std::string& tag, const std::string& path) {
  // (blocked_tags are checked the same way as tags.)
  auto found = txn.GetTag(tag);
  if (absl::IsNotFound(found.status())) {
    return InvalidField(path, absl::StrCat("unknown classification '", tag, "'"));
  }
  return found.status();
}

absl::Status CheckReferences(store::ReadTxn& txn, const v1::Dataset& dataset) {
  for (int i = 0; i < dataset.tags_size(); i++) {
    RETURN_IF_ERROR(CheckTag(txn, dataset.tags(i), absl::StrCat("tags[", i, "]")));
  }
  for (int f = 0; f < dataset.fields_size(); f++) {
    const v1::Field& field = dataset.fields(f);
    for (int i = 0; i < field.tags_size(); i++) {
      RETURN_IF_ERROR(
          CheckTag(txn, field.tags(i), absl::StrCat("fields[", f, "].tags[", i, "]")));
    }
    for (int i = 0; i < field.blocked_tags_size(); i++) {
      RETURN_IF_ERROR(CheckTag(txn, field.blocked_tags(i),
                               absl::StrCat("fields[", f, "].blockedTags[", i, "]")));
    }
    for (int i = 0; i < field.glossary_terms_size(); i++) {
      auto term = txn.GetTerm(field.glossary_terms(i));
      if (absl::IsNotFound(term.status())) {
        return InvalidField(absl::StrCat("fields[", f, "].glossaryTerms[", i, "]"),
                            absl::StrCat("unknown glossary term '", field.glossary_terms(i), "'"));
      }
      RETURN_IF_ERROR(term.status());
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Decorate(store::ReadTxn& txn, v1::Dataset& dataset) {
  ASSIGN_OR_RETURN(int64_t version,
                   txn.LatestVersion(kDatasetEntity, DatasetKey(dataset.namespace_(), dataset.name())));
  dataset.set_current_version(absl::StrCat(version));
  dataset.mutable_id()->set_namespace_(dataset.namespace_());
  dataset.mutable_id()->set_name(dataset.name());
  return absl::OkStatus();
}

absl::StatusOr<v1::Dataset> LoadAnyDataset(store::ReadTxn& txn, std::string_view ns,
                                           std::string_view name, std::string_view name_field) {
  auto namespace_ = txn.GetNamespace(ns);
  if (absl::IsNotFound(namespace_.status()) || (namespace_.ok() && namespace_->is_hidden())) {
    return NamespaceNotFound(ns);
  }
  RETURN_IF_ERROR(namespace_.status());
  auto dataset = txn.GetDataset(ns, name);
  if (absl::IsNotFound(dataset.status())) return DatasetNotFound(ns, name, name_field);
  RETURN_IF_ERROR(dataset.status());
  RETURN_IF_ERROR(Decorate(txn, *dataset));
  return dataset;
}

absl::StatusOr<v1::Dataset> LoadLiveDataset(store::ReadTxn& txn, std::string_view ns,
                                            std::string_view name, std::string_view name_field) {
  ASSIGN_OR_RETURN(v1::Dataset dataset, LoadAnyDataset(txn, ns, name, name_field));
  if (dataset.deleted()) return DatasetNotFound(ns, name, name_field);
  return dataset;
}

absl::StatusOr<v1::Dataset> SaveDataset(store::WriteTxn& txn, const policy::Caller& caller,
                                        absl::Time now, const v1::Dataset* before,
                                        v1::Dataset after, std::string_view operation,
                                        std::vector<int64_t>* removed_fields) {
  const std::string ns = after.namespace_();
  const std::string name = after.name();
  ASSIGN_OR_RETURN(bool written, WriteDataset(txn, caller, now, before, std::move(after),
                                              operation, removed_fields));
  if (!written) return *before;
  ASSIGN_OR_RETURN(v1::Dataset stored, txn.GetDataset(ns, name));
  RETURN_IF_ERROR(Decorate(txn, stored));
  return stored;
}

absl::StatusOr<bool> WriteDataset(store::WriteTxn& txn, const policy::Caller& caller,
                                  absl::Time now, const v1::Dataset* before, v1::Dataset after,
                                  std::string_view operation,
                                  std::vector<int64_t>* removed_fields) {
  after.set_created_by(before != nullptr ? before->created_by() : caller.principal);
  // Derived attributes are answered, never stored.
  after.clear_column_lineage();
  for (v1::Field& field : *after.mutable_fields()) field.clear_inherited_tags();
  RETURN_IF_ERROR(CheckReferences(txn, after));
  std::map<std::string, v1::ColumnStats> value_stats = TakeValueStatistics(&after);
  const std::string key = DatasetKey(after.namespace_(), after.name());
  v1::Dataset old_state;
  if (before) old_state = ComparableDataset(*before);
  ASSIGN_OR_RETURN(int64_t version,
                   RecordVersion(txn, caller, now, kDatasetEntity, key, operation,
                                 before ? &old_state : nullptr, ComparableDataset(after)));
  if (version == 0) return false;
  if (before != nullptr && removed_fields != nullptr) {
    std::set<std::string> kept;
    for (const v1::Field& field : after.fields()) kept.insert(field.name());
    ASSIGN_OR_RETURN(int64_t dataset_id, txn.DatasetRowId(after.namespace_(), after.name()));
    ASSIGN_OR_RETURN(std::vector<store::FieldInfo> fields, txn.FieldsOfDataset(dataset_id));
    for (const store::FieldInfo& field : fields) {
      if (!kept.count(field.field)) removed_fields->push_back(field.id);
    }
  }
  *after.mutable_created_at() = before ? before->created_at() : TimeToProto(now);
  *after.mutable_updated_at() = TimeToProto(now);
  *after.mutable_last_modified_at() = TimeToProto(now);
  after.set_current_version(absl::StrCat(version));
  RETURN_IF_ERROR(txn.PutDataset(after));
  if (!value_stats.empty()) {
    ASSIGN_OR_RETURN(int64_t dataset_id, txn.DatasetRowId(after.namespace_(), after.name()));
    auto sample = txn.GetSample(dataset_id);
    if (!sample.ok() && !absl::IsNotFound(sample.status())) return sample.status();
    v1::DatasetSample merged = sample.ok() ? *std::move(sample) : v1::DatasetSample();
    for (auto& [column, stats] : value_stats) (*merged.mutable_column_stats())[column] = stats;
    *merged.mutable_updated_at() = TimeToProto(now);
    merged.set_updated_by(caller.principal);
    RETURN_IF_ERROR(txn.PutSample(dataset_id, merged));
  }
  return true;
}

bool SetMember(google::protobuf::RepeatedPtrField<std::string>* list, const std::string& value,
               bool present) {
  auto it = std::find(list->begin(), list->end(), value);
  if (present == (it != list->end())) return false;
  if (present) {
    *list->Add() = value;
  } else {
    list->erase(it);
  }
  return true;
}

absl::StatusOr<int> FindField(const v1::Dataset& dataset, std::string_view field) {
  for (int i = 0; i < dataset.fields_size(); i++) {
    if (dataset.fields(i).name() == field) return i;
  }
  return WithField(absl::NotFoundError(absl::StrCat("field '", Absl(field), "' not found in dataset '",
                                                    dataset.name(), "'")),
                   "field");
}

}  // namespace cadastre::catalog

namespace cadastre::catalog {

absl::Status EnsureNamespace(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                             const std::string& name) {
  auto existing = txn.GetNamespace(name);
  if (existing.ok() && !existing->is_hidden()) return absl::OkStatus();
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  v1::Namespace next;
  next.set_name(name);
  v1::Namespace before;
  if (existing.ok()) {
    before = *existing;
    before.clear_created_at();
    before.clear_updated_at();
    next.set_owner_name(existing->owner_name());
    next.set_description(existing->description());
  }
  RETURN_IF_ERROR(RecordVersion(txn, caller, now, kNamespaceEntity, name,
                                existing.ok() ? "RESTORE" : "CREATE",
                                existing.ok() ? &before : nullptr, next)
                      .status());
  *next.mutable_created_at() = existing.ok() ? existing->created_at() : TimeToProto(now);
  *next.mutable_updated_at() = TimeToProto(now);
  return txn.PutNamespace(next);
}

absl::Status EnsureTag(store::WriteTxn& txn, const policy::Caller& caller, absl::Time now,
                       const std::string& name) {
  // Ancestors first, so that "PII.Email" always has a "PII" above it.
  for (size_t end = name.find('.');; end = name.find('.', end + 1)) {
    v1::Tag tag;
    tag.set_name(name.substr(0, end));
    auto found = txn.GetTag(tag.name());
    if (!found.ok()) {
      if (!absl::IsNotFound(found.status())) return found.status();
      RETURN_IF_ERROR(
          RecordVersion(txn, caller, now, kTagEntity, tag.name(), "CREATE", nullptr, tag).status());
      *tag.mutable_created_at() = TimeToProto(now);
      *tag.mutable_updated_at() = TimeToProto(now);
      RETURN_IF_ERROR(txn.PutTag(tag));
    }
    if (end == std::string::npos) return absl::OkStatus();
  }
}

}  // namespace cadastre::catalog
