#include "server/openlineage/dataset_facets.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/openlineage/json_fields.h"
#include "server/openlineage/lineage_facets.h"

namespace cadastre::openlineage::internal {
namespace {

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Schema fields in order, a struct's fields right after it as "parent.child".
// Recursion is bounded by the depth check on the whole input.
absl::Status FlattenSchemaFields(const json& list, const std::string& path,
                                 const std::string& prefix, std::vector<SchemaField>* out) {
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& item = list[i];
    const std::string item_path = Element(path, i);
    RETURN_IF_ERROR(ExpectObject(item, item_path));
    SchemaField field;
    ASSIGN_OR_RETURN(std::string name, RequireString(item, "name", item_path, /*non_empty=*/true));
    field.name = prefix + name;
    RETURN_IF_ERROR(ReadString(item, "type", item_path, &field.type));
    RETURN_IF_ERROR(ReadString(item, "description", item_path, &field.description));
    const std::string nested_prefix = field.name + ".";
    out->push_back(std::move(field));
    ASSIGN_OR_RETURN(const json* nested, FindArray(item, "fields", item_path));
    if (nested != nullptr) {
      RETURN_IF_ERROR(
          FlattenSchemaFields(*nested, Member(item_path, "fields"), nested_prefix, out));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<SchemaField>> ParseSchema(const json& facet, std::string_view path) {
  std::vector<SchemaField> fields;
  ASSIGN_OR_RETURN(const json* list, FindArray(facet, "fields", path));
  if (list != nullptr) {
    RETURN_IF_ERROR(FlattenSchemaFields(*list, Member(path, "fields"), "", &fields));
  }
  return fields;
}

absl::StatusOr<std::vector<Owner>> ParseOwnership(const json& facet, std::string_view path) {
  std::vector<Owner> owners;
  ASSIGN_OR_RETURN(const json* list, FindArray(facet, "owners", path));
  if (list == nullptr) return owners;
  const std::string list_path = Member(path, "owners");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string item_path = Element(list_path, i);
    RETURN_IF_ERROR(ExpectObject((*list)[i], item_path));
    Owner owner;
    ASSIGN_OR_RETURN(owner.name, RequireString((*list)[i], "name", item_path, /*non_empty=*/true));
    RETURN_IF_ERROR(ReadString((*list)[i], "type", item_path, &owner.type));
    owners.push_back(std::move(owner));
  }
  return owners;
}

// TagsDatasetFacet: {key, value, source, field}; "key.value" when a value is
// given, on the field named by `field` or on the dataset.
absl::StatusOr<std::vector<TagRef>> ParseTags(const json& facet, std::string_view path) {
  std::vector<TagRef> tags;
  ASSIGN_OR_RETURN(const json* list, FindArray(facet, "tags", path));
  if (list == nullptr) return tags;
  const std::string list_path = Member(path, "tags");
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string item_path = Element(list_path, i);
    const json& item = (*list)[i];
    RETURN_IF_ERROR(ExpectObject(item, item_path));
    ASSIGN_OR_RETURN(std::string key, RequireString(item, "key", item_path, /*non_empty=*/true));
    std::string value;
    RETURN_IF_ERROR(ReadString(item, "value", item_path, &value));
    TagRef tag;
    tag.tag = value.empty() ? std::move(key) : absl::StrCat(key, ".", value);
    RETURN_IF_ERROR(ReadString(item, "field", item_path, &tag.field));
    tags.push_back(std::move(tag));
  }
  return tags;
}

absl::StatusOr<Lifecycle> ParseLifecycle(const json& facet, std::string_view path) {
  static constexpr std::string_view kStates[] = {"ALTER",     "CREATE", "DROP",
                                                 "OVERWRITE", "RENAME", "TRUNCATE"};
  Lifecycle lifecycle;
  ASSIGN_OR_RETURN(std::string state,
                   RequireString(facet, "lifecycleStateChange", path, /*non_empty=*/true));
  lifecycle.state = ToUpper(state);
  if (std::find(std::begin(kStates), std::end(kStates), lifecycle.state) == std::end(kStates)) {
    return InvalidField(Member(path, "lifecycleStateChange"),
                        absl::StrCat("\"", state,
                                     "\" is not one of ALTER, CREATE, DROP, OVERWRITE, RENAME, "
                                     "TRUNCATE"));
  }
  ASSIGN_OR_RETURN(const json* previous, FindObject(facet, "previousIdentifier", path));
  if (previous != nullptr) {
    const std::string previous_path = Member(path, "previousIdentifier");
    ASSIGN_OR_RETURN(std::string ns, RequireString(*previous, "namespace", previous_path, true));
    ASSIGN_OR_RETURN(std::string name, RequireString(*previous, "name", previous_path, true));
    lifecycle.previous = std::make_pair(std::move(ns), std::move(name));
  }
  return lifecycle;
}

}  // namespace

absl::Status ReadFacetMap(const json& owner, std::string_view key, std::string_view path, json* raw,
                          std::vector<std::string>* deleted) {
  ASSIGN_OR_RETURN(const json* facets, FindObject(owner, key, path));
  if (facets == nullptr) return absl::OkStatus();
  const std::string facets_path = Member(path, key);
  for (const auto& [name, facet] : facets->items()) {
    if (facet.is_null()) continue;
    RETURN_IF_ERROR(ExpectObject(facet, Member(facets_path, name)));
    if (raw->contains(name) || Contains(*deleted, name)) continue;
    const json* flag = Find(facet, "_deleted");
    if (flag != nullptr && flag->is_boolean() && flag->get<bool>()) {
      deleted->push_back(name);
    } else {
      (*raw)[name] = facet;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DatasetFacets> ParseDatasetFacets(const json& dataset, std::string_view path,
                                                 const ColumnLineage* from_job) {
  DatasetFacets out;
  RETURN_IF_ERROR(ReadFacetMap(dataset, "facets", path, &out.raw, &out.deleted));
  // The typed facets come from `facets` alone (the live ones, read so far).
  const std::string facets_path = Member(path, "facets");
  auto live = [&](std::string_view name) -> const json* { return Find(out.raw, name); };
  auto at = [&](std::string_view name) { return Member(facets_path, name); };

  if (const json* f = live("schema")) {
    ASSIGN_OR_RETURN(out.schema, ParseSchema(*f, at("schema")));
  }
  if (const json* f = live("documentation")) {
    RETURN_IF_ERROR(ReadString(*f, "description", at("documentation"), &out.documentation));
  }
  if (const json* f = live("ownership")) {
    ASSIGN_OR_RETURN(out.ownership, ParseOwnership(*f, at("ownership")));
  }
  if (const json* f = live("dataSource")) {
    RETURN_IF_ERROR(ReadString(*f, "name", at("dataSource"), &out.datasource_name));
  }
  if (const json* f = live("tags")) {
    ASSIGN_OR_RETURN(out.tags, ParseTags(*f, at("tags")));
  }
  if (const json* f = live("lifecycleStateChange")) {
    ASSIGN_OR_RETURN(out.lifecycle, ParseLifecycle(*f, at("lifecycleStateChange")));
  }
  // Both lineage facets are validated; the explicit one wins.
  std::optional<ColumnLineage> explicit_lineage;
  std::optional<ColumnLineage> column_lineage;
  if (const json* f = live("lineage")) {
    ASSIGN_OR_RETURN(explicit_lineage, ParseLineageDatasetFacet(*f, at("lineage")));
  }
  if (const json* f = live("columnLineage")) {
    ASSIGN_OR_RETURN(column_lineage, ParseColumnLineageFacet(*f, at("columnLineage")));
  }
  if (explicit_lineage) {
    out.column_lineage = std::move(explicit_lineage);
  } else if (from_job != nullptr) {
    out.column_lineage = *from_job;
  } else {
    out.column_lineage = std::move(column_lineage);
  }

  RETURN_IF_ERROR(ReadFacetMap(dataset, "inputFacets", path, &out.raw, &out.deleted));
  RETURN_IF_ERROR(ReadFacetMap(dataset, "outputFacets", path, &out.raw, &out.deleted));
  return out;
}

}  // namespace cadastre::openlineage::internal
