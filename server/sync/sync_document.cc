#include "server/sync/sync_document.h"

#include <algorithm>
#include <initializer_list>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/common/status.h"

namespace cadastre::sync {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

// Reads the members of one JSON object, remembering the first error, which
// names the member by its path ("datasets[3].columns[0].tags").
class Reader {
 public:
  Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) Fail("", "must be an object");
  }

  const absl::Status& status() const { return status_; }
  const std::string& path() const { return path_; }
  std::string At(std::string_view key) const {
    return key.empty() ? path_ : absl::StrCat(path_, path_.empty() ? "" : ".", std::string(key));
  }
  void Fail(std::string_view key, std::string_view message) {
    if (status_.ok()) status_ = InvalidField(At(key), message);
  }

  // Members other than `known` are errors.
  void Only(std::initializer_list<std::string_view> known) {
    if (!object_.is_object()) return;
    for (const auto& [key, value] : object_.items()) {
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        Fail(key, "unknown member");
      }
    }
  }

  const json* Find(std::string_view key) const {
    if (!object_.is_object()) return nullptr;
    auto it = object_.find(std::string(key));
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  std::optional<std::string> String(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      Fail(key, "must be a string");
      return std::nullopt;
    }
    return value->get<std::string>();
  }
  std::string Required(std::string_view key) {
    std::optional<std::string> value = String(key);
    if (!value && status_.ok() && Find(key) == nullptr) Fail(key, "is required");
    return value.value_or("");
  }
  std::optional<bool> Bool(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) {
      Fail(key, "must be true or false");
      return std::nullopt;
    }
    return value->get<bool>();
  }
  std::optional<int> Int(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer()) {
      Fail(key, "must be an integer");
      return std::nullopt;
    }
    return value->get<int>();
  }
  std::optional<StringList> Strings(std::string_view key) {
    const json* value = Find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_array()) {
      Fail(key, "must be an array of strings");
      return std::nullopt;
    }
    StringList out;
    for (size_t i = 0; i < value->size(); i++) {
      if (!(*value)[i].is_string()) {
        Fail(absl::StrCat(std::string(key), "[", i, "]"), "must be a string");
        return std::nullopt;
      }
      out.push_back((*value)[i].get<std::string>());
    }
    return out;
  }
  // Keeps the first error of a reader of one of this object's members.
  void Absorb(const Reader& member) {
    if (status_.ok() && !member.status().ok()) status_ = member.status();
  }
  // Each member of an array of objects, read by `read`.
  template <typename Fn>
  void Objects(std::string_view key, Fn read) {
    const json* value = Find(key);
    if (value == nullptr) return;
    if (!value->is_array()) {
      Fail(key, "must be an array of objects");
      return;
    }
    for (size_t i = 0; i < value->size() && status_.ok(); i++) {
      Reader item((*value)[i], At(absl::StrCat(std::string(key), "[", i, "]")));
      read(item);
      Absorb(item);
    }
  }
  // An enum value by name; `parse` is the generated *_Parse.
  template <typename Enum>
  std::optional<Enum> EnumValue(std::string_view key, bool (*parse)(const std::string&, Enum*)) {
    std::optional<std::string> name = String(key);
    if (!name) return std::nullopt;
    Enum value;
    if (!parse(*name, &value) || static_cast<int>(value) == 0) {
      Fail(key, absl::StrCat("unknown value '", *name, "'"));
      return std::nullopt;
    }
    return value;
  }

 private:
  const json& object_;
  std::string path_;
  absl::Status status_;
};

ColumnRecord ReadColumn(Reader& r) {
  r.Only({"name", "type", "description", "nullable", "ordinalPosition", "tags", "glossaryTerms",
          "blockedTags"});
  ColumnRecord column;
  column.name = r.Required("name");
  column.type = r.String("type");
  column.description = r.String("description");
  column.nullable = r.Bool("nullable");
  column.ordinal_position = r.Int("ordinalPosition");
  if (column.ordinal_position && *column.ordinal_position < 1) {
    r.Fail("ordinalPosition", "must be at least 1");
  }
  column.tags = r.Strings("tags");
  column.glossary_terms = r.Strings("glossaryTerms");
  column.blocked_tags = r.Strings("blockedTags");
  return column;
}

DatasetRecord ReadDataset(Reader& r) {
  r.Only({"namespace", "name", "externalId", "type", "physicalName", "sourceName", "description",
          "displayName", "domain", "updateFrequency", "customProperties", "owners", "tags",
          "columns"});
  DatasetRecord d;
  d.path = r.path();
  d.ns = r.String("namespace").value_or("");
  d.name = r.String("name").value_or("");
  d.external_id = r.String("externalId").value_or("");
  if (d.external_id.empty() && (d.ns.empty() || d.name.empty())) {
    r.Fail(d.ns.empty() ? "namespace" : "name", "is required (or give externalId)");
  }
  d.type = r.EnumValue<v1::DatasetType>("type", &v1::DatasetType_Parse);
  d.physical_name = r.String("physicalName");
  d.source_name = r.String("sourceName");
  d.description = r.String("description");
  d.display_name = r.String("displayName");
  d.domain = r.String("domain");
  d.update_frequency = r.String("updateFrequency");
  if (const json* props = r.Find("customProperties")) {
    if (!props->is_object()) {
      r.Fail("customProperties", "must be an object of strings");
    } else {
      std::map<std::string, std::string> out;
      for (const auto& [key, value] : props->items()) {
        if (!value.is_string())
          r.Fail(absl::StrCat("customProperties.", key), "must be a string");
        else
          out[key] = value.get<std::string>();
      }
      d.custom_properties = std::move(out);
    }
  }
  if (r.Find("owners") != nullptr) {
    d.owners.emplace();
    r.Objects("owners", [&](Reader& o) {
      o.Only({"name", "type", "role"});
      v1::Owner owner;
      owner.set_name(o.Required("name"));
      owner.set_type(o.EnumValue<v1::OwnerType>("type", &v1::OwnerType_Parse).value_or(v1::USER));
      owner.set_role(
          o.EnumValue<v1::OwnershipRole>("role", &v1::OwnershipRole_Parse).value_or(v1::OWNER));
      d.owners->push_back(std::move(owner));
    });
  }
  d.tags = r.Strings("tags");
  if (r.Find("columns") != nullptr) {
    d.columns.emplace();
    r.Objects("columns", [&](Reader& c) { d.columns->push_back(ReadColumn(c)); });
  }
  return d;
}

TermRecord ReadTerm(Reader& r) {
  r.Only({"name", "externalId", "definition", "unit", "formula", "synonyms", "relatedTerms",
          "parent", "status", "reviewers"});
  TermRecord t;
  t.path = r.path();
  t.name = r.String("name").value_or("");
  t.external_id = r.String("externalId").value_or("");
  if (t.name.empty() && t.external_id.empty()) r.Fail("name", "is required (or give externalId)");
  t.definition = r.String("definition");
  t.unit = r.String("unit");
  t.formula = r.String("formula");
  t.parent = r.String("parent");
  t.synonyms = r.Strings("synonyms");
  t.related_terms = r.Strings("relatedTerms");
  t.reviewers = r.Strings("reviewers");
  t.status = r.EnumValue<v1::TermStatus>("status", &v1::TermStatus_Parse);
  return t;
}

NamespaceRecord ReadNamespace(Reader& r) {
  r.Only({"name", "description", "ownerName"});
  NamespaceRecord n;
  n.path = r.path();
  n.name = r.Required("name");
  n.description = r.String("description");
  n.owner_name = r.String("ownerName");
  return n;
}

LineageRecord ReadLineage(Reader& r) {
  r.Only({"job", "source", "target", "type", "subtype", "description", "masking"});
  LineageRecord e;
  e.path = r.path();
  auto member = [&](std::string_view key, auto read) {
    const json* value = r.Find(key);
    if (value == nullptr) return r.Fail(key, "is required");
    Reader m(*value, r.At(key));
    read(m);
    r.Absorb(m);
  };
  member("job", [&](Reader& j) {
    j.Only({"namespace", "name"});
    e.job_ns = j.Required("namespace");
    e.job_name = j.Required("name");
  });
  for (auto [key, column] : {std::pair{"source", &e.source}, std::pair{"target", &e.target}}) {
    member(key, [&](Reader& c) {
      c.Only({"namespace", "dataset", "field"});
      column->ns = c.Required("namespace");
      column->dataset = c.Required("dataset");
      column->field = c.Required("field");
    });
  }
  e.type = r.String("type").value_or("DIRECT");
  if (e.type != "DIRECT" && e.type != "INDIRECT") r.Fail("type", "must be DIRECT or INDIRECT");
  e.subtype = r.String("subtype").value_or("");
  e.description = r.String("description").value_or("");
  e.masking = r.Bool("masking").value_or(false);
  return e;
}

// Adds `value` to `list` unless it is there.
void AddMissing(google::protobuf::RepeatedPtrField<std::string>* list, const StringList& values) {
  for (const std::string& value : values) {
    if (std::find(list->begin(), list->end(), value) == list->end()) *list->Add() = value;
  }
}

void SetList(google::protobuf::RepeatedPtrField<std::string>* list, const StringList& values) {
  list->Clear();
  for (const std::string& value : values) *list->Add() = value;
}

// One list attribute under the mode's rule: set (FULL, DIFF) or grown (APPEND).
void MergeList(v1::ImportMode mode, google::protobuf::RepeatedPtrField<std::string>* list,
               const std::optional<StringList>& values) {
  if (!values) return;
  if (mode == v1::APPEND) {
    AddMissing(list, *values);
  } else {
    SetList(list, *values);
  }
}

// One text attribute under the mode's rule: APPEND only fills an empty one.
void MergeText(v1::ImportMode mode, std::string* value, const std::optional<std::string>& given) {
  if (!given) return;
  if (mode == v1::APPEND && !value->empty()) return;
  *value = *given;
}

void MergeColumn(v1::ImportMode mode, v1::Field* field, const ColumnRecord& column) {
  field->set_name(column.name);
  MergeText(mode, field->mutable_type(), column.type);
  MergeText(mode, field->mutable_description(), column.description);
  if (column.nullable && !(mode == v1::APPEND && field->has_nullable())) {
    field->set_nullable(*column.nullable);
  }
  if (column.ordinal_position && mode != v1::APPEND) {
    field->set_ordinal_position(*column.ordinal_position);
  }
  MergeList(mode, field->mutable_tags(), column.tags);
  MergeList(mode, field->mutable_glossary_terms(), column.glossary_terms);
  MergeList(mode, field->mutable_blocked_tags(), column.blocked_tags);
}

// The attributes the format carries, cleared: what FULL replaces.
void ClearDocumentAttributes(v1::Dataset* d) {
  d->clear_type();
  d->clear_physical_name();
  d->clear_source_name();
  d->clear_description();
  d->clear_display_name();
  d->clear_domain();
  d->clear_update_frequency();
  d->clear_custom_properties();
  d->clear_owners();
  d->clear_tags();
  d->clear_fields();
}

void PutIfSet(ordered_json& out, const char* key, const std::string& value) {
  if (!value.empty()) out[key] = value;
}

void PutIfSet(ordered_json& out, const char* key,
              const google::protobuf::RepeatedPtrField<std::string>& values) {
  if (!values.empty()) out[key] = StringList(values.begin(), values.end());
}

}  // namespace

absl::StatusOr<Document> ParseDocument(std::string_view text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return InvalidField("document", "is not valid JSON");
  Reader top(root, "");
  if (!top.status().ok()) return InvalidField("document", "must be a JSON object");
  top.Only({"$schema", "formatVersion", "externalSystem", "scope", "namespaces", "glossaryTerms",
            "datasets", "lineage"});
  if (std::optional<int> version = top.Int("formatVersion"); version && *version != 1) {
    top.Fail("formatVersion", "must be 1");
  }
  Document doc;
  doc.external_system = top.String("externalSystem").value_or("");
  if (const json* scope = top.Find("scope")) {
    Reader s(*scope, "scope");
    s.Only({"namespaces", "glossary"});
    doc.scope_namespaces = s.Strings("namespaces");
    doc.scope_glossary = s.Bool("glossary").value_or(false);
    top.Absorb(s);
  }
  for (const char* section : {"namespaces", "glossaryTerms", "datasets", "lineage"}) {
    const json* list = top.Find(section);
    if (list == nullptr) continue;
    if (!list->is_array())
      top.Fail(section, "must be an array");
    else
      doc.records += static_cast<int>(list->size());
  }
  RETURN_IF_ERROR(top.status());
  if (doc.records > kMaxRecords) {
    return InvalidField("document", absl::StrCat("holds ", doc.records, " records; at most ",
                                                 kMaxRecords, " are taken at once"));
  }

  // Each record on its own: a bad one is noted and the rest are read.
  auto section = [&](const char* name, auto read, auto* out) {
    const json* list = top.Find(name);
    if (list == nullptr) return;
    for (size_t i = 0; i < list->size(); i++) {
      Reader r((*list)[i], absl::StrCat(name, "[", i, "]"));
      auto record = read(r);
      if (r.status().ok()) {
        out->push_back(std::move(record));
      } else {
        doc.bad.push_back({r.path(), r.status()});
      }
    }
  };
  section("namespaces", ReadNamespace, &doc.namespaces);
  section("glossaryTerms", ReadTerm, &doc.terms);
  section("datasets", ReadDataset, &doc.datasets);
  section("lineage", ReadLineage, &doc.lineage);
  if (doc.external_system.empty()) {
    // An external id means nothing without the system that gave it.
    auto drop_unscoped = [&](auto* records) {
      auto bad = std::stable_partition(records->begin(), records->end(),
                                       [](const auto& r) { return r.external_id.empty(); });
      for (auto it = bad; it != records->end(); ++it) {
        doc.bad.push_back({it->path, InvalidField(it->path + ".externalId",
                                                  "needs the document's externalSystem")});
      }
      records->erase(bad, records->end());
    };
    drop_unscoped(&doc.terms);
    drop_unscoped(&doc.datasets);
  }
  return doc;
}

std::pair<std::string, std::string> SplitDatasetKey(const std::string& key) {
  std::pair<std::string, std::string> parts = absl::StrSplit(key, absl::MaxSplits('\x1f', 1));
  return parts;
}

std::string Shown(const std::string& ns, const std::string& name) {
  return absl::StrCat(ns, ":", name);
}

v1::Dataset MergeDataset(v1::ImportMode mode, const v1::Dataset* existing,
                         const DatasetRecord& record) {
  v1::Dataset out;
  if (existing != nullptr) out = *existing;
  if (existing == nullptr || mode == v1::FULL) ClearDocumentAttributes(&out);
  const v1::ImportMode rule = existing == nullptr ? v1::FULL : mode;
  if (record.type && !(rule == v1::APPEND && out.type() != v1::DATASET_TYPE_UNSPECIFIED)) {
    out.set_type(*record.type);
  }
  MergeText(rule, out.mutable_physical_name(), record.physical_name);
  MergeText(rule, out.mutable_source_name(), record.source_name);
  MergeText(rule, out.mutable_description(), record.description);
  MergeText(rule, out.mutable_display_name(), record.display_name);
  MergeText(rule, out.mutable_domain(), record.domain);
  MergeText(rule, out.mutable_update_frequency(), record.update_frequency);
  if (record.custom_properties) {
    auto* props = out.mutable_custom_properties();
    for (const auto& [key, value] : *record.custom_properties) {
      if (rule == v1::APPEND && props->count(key)) continue;
      (*props)[key] = value;
    }
  }
  if (record.owners) {
    if (rule != v1::APPEND) out.clear_owners();
    for (const v1::Owner& owner : *record.owners) {
      const bool known = std::any_of(
          out.owners().begin(), out.owners().end(),
          [&](const v1::Owner& o) { return o.name() == owner.name() && o.role() == owner.role(); });
      if (!known) *out.add_owners() = owner;
    }
  }
  MergeList(rule, out.mutable_tags(), record.tags);
  if (record.columns) {
    for (const ColumnRecord& column : *record.columns) {
      auto it = std::find_if(out.mutable_fields()->begin(), out.mutable_fields()->end(),
                             [&](const v1::Field& f) { return f.name() == column.name; });
      if (it != out.mutable_fields()->end()) {
        MergeColumn(rule, &*it, column);
      } else {
        v1::Field* added = out.add_fields();
        MergeColumn(v1::FULL, added, column);
        // A column added after the others follows them.
        if (!column.ordinal_position) added->set_ordinal_position(out.fields_size());
      }
    }
  }
  return out;
}

v1::GlossaryTerm MergeTerm(v1::ImportMode mode, const v1::GlossaryTerm* existing,
                           const TermRecord& record) {
  v1::GlossaryTerm out;
  out.set_name(record.name);
  if (existing != nullptr && mode != v1::FULL) out = *existing;
  const v1::ImportMode rule = existing == nullptr ? v1::FULL : mode;
  MergeText(rule, out.mutable_definition(), record.definition);
  MergeText(rule, out.mutable_unit(), record.unit);
  MergeText(rule, out.mutable_formula(), record.formula);
  MergeText(rule, out.mutable_parent(), record.parent);
  MergeList(rule, out.mutable_synonyms(), record.synonyms);
  MergeList(rule, out.mutable_related_terms(), record.related_terms);
  MergeList(rule, out.mutable_reviewers(), record.reviewers);
  if (record.status && !(rule == v1::APPEND && out.status() != v1::TERM_STATUS_UNSPECIFIED)) {
    out.set_status(*record.status);
  }
  return out;
}

v1::Namespace MergeNamespace(v1::ImportMode mode, const v1::Namespace* existing,
                             const NamespaceRecord& record) {
  v1::Namespace out;
  out.set_name(record.name);
  if (existing != nullptr && mode != v1::FULL) {
    out.set_description(existing->description());
    out.set_owner_name(existing->owner_name());
  }
  const v1::ImportMode rule = existing == nullptr ? v1::FULL : mode;
  MergeText(rule, out.mutable_description(), record.description);
  MergeText(rule, out.mutable_owner_name(), record.owner_name);
  return out;
}

ordered_json DatasetToRecord(const v1::Dataset& d, const std::string& external_id) {
  ordered_json out;
  out["namespace"] = d.namespace_();
  out["name"] = d.name();
  PutIfSet(out, "externalId", external_id);
  const v1::DatasetType type = d.type() == v1::DATASET_TYPE_UNSPECIFIED ? v1::DB_TABLE : d.type();
  out["type"] = v1::DatasetType_Name(type);
  PutIfSet(out, "physicalName", d.physical_name());
  PutIfSet(out, "sourceName", d.source_name());
  PutIfSet(out, "description", d.description());
  PutIfSet(out, "displayName", d.display_name());
  PutIfSet(out, "domain", d.domain());
  PutIfSet(out, "updateFrequency", d.update_frequency());
  if (!d.custom_properties().empty()) {
    std::map<std::string, std::string> sorted(d.custom_properties().begin(),
                                              d.custom_properties().end());
    out["customProperties"] = sorted;
  }
  if (!d.owners().empty()) {
    ordered_json owners = ordered_json::array();
    for (const v1::Owner& owner : d.owners()) {
      owners.push_back({{"name", owner.name()},
                        {"type", v1::OwnerType_Name(owner.type() ? owner.type() : v1::USER)},
                        {"role", v1::OwnershipRole_Name(owner.role() ? owner.role() : v1::OWNER)}});
    }
    out["owners"] = std::move(owners);
  }
  PutIfSet(out, "tags", d.tags());
  if (!d.fields().empty()) {
    ordered_json columns = ordered_json::array();
    for (int i = 0; i < d.fields_size(); i++) {
      const v1::Field& f = d.fields(i);
      ordered_json column;
      column["name"] = f.name();
      PutIfSet(column, "type", f.type());
      PutIfSet(column, "description", f.description());
      if (f.has_nullable()) column["nullable"] = f.nullable();
      // Positions that follow the list order go without saying.
      if (f.ordinal_position() != i + 1) column["ordinalPosition"] = f.ordinal_position();
      PutIfSet(column, "tags", f.tags());
      PutIfSet(column, "glossaryTerms", f.glossary_terms());
      PutIfSet(column, "blockedTags", f.blocked_tags());
      columns.push_back(std::move(column));
    }
    out["columns"] = std::move(columns);
  }
  return out;
}

ordered_json TermToRecord(const v1::GlossaryTerm& t, const std::string& external_id) {
  ordered_json out;
  out["name"] = t.name();
  PutIfSet(out, "externalId", external_id);
  PutIfSet(out, "definition", t.definition());
  PutIfSet(out, "unit", t.unit());
  PutIfSet(out, "formula", t.formula());
  PutIfSet(out, "synonyms", t.synonyms());
  PutIfSet(out, "relatedTerms", t.related_terms());
  PutIfSet(out, "parent", t.parent());
  if (t.status() != v1::TERM_STATUS_UNSPECIFIED) out["status"] = v1::TermStatus_Name(t.status());
  PutIfSet(out, "reviewers", t.reviewers());
  return out;
}

ordered_json NamespaceToRecord(const v1::Namespace& ns) {
  ordered_json out;
  out["name"] = ns.name();
  PutIfSet(out, "description", ns.description());
  PutIfSet(out, "ownerName", ns.owner_name());
  return out;
}

ordered_json LineageToRecord(const LineageRecord& e) {
  ordered_json out;
  out["job"] = {{"namespace", e.job_ns}, {"name", e.job_name}};
  out["source"] = {
      {"namespace", e.source.ns}, {"dataset", e.source.dataset}, {"field", e.source.field}};
  out["target"] = {
      {"namespace", e.target.ns}, {"dataset", e.target.dataset}, {"field", e.target.field}};
  out["type"] = e.type;
  PutIfSet(out, "subtype", e.subtype);
  PutIfSet(out, "description", e.description);
  if (e.masking) out["masking"] = true;
  return out;
}

}  // namespace cadastre::sync
