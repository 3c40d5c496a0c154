#include "server/catalog/history.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/catalog/proto_json.h"

namespace cadastre::catalog {
namespace {

using nlohmann::json;

// Only the attributes that are set: a default value is "absent".
json SparseJson(const google::protobuf::Message& message) {
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(message, &out);
  return json::parse(out);
}

// The JSON value as a google.protobuf.Value, built directly: what
// JsonStringToMessage(value.dump()) makes, without printing and parsing.
void ToValue(const json& value, google::protobuf::Value* out) {
  switch (value.type()) {
    case json::value_t::null:
      out->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case json::value_t::boolean:
      out->set_bool_value(value.get<bool>());
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      out->set_number_value(value.get<double>());
      break;
    case json::value_t::string:
      out->set_string_value(value.get<std::string>());
      break;
    case json::value_t::array: {
      google::protobuf::ListValue* list = out->mutable_list_value();
      for (const json& item : value) ToValue(item, list->add_values());
      break;
    }
    case json::value_t::object: {
      auto* fields = out->mutable_struct_value()->mutable_fields();
      for (const auto& [key, item] : value.items()) ToValue(item, &(*fields)[key]);
      break;
    }
    default:  // binary and discarded never come out of the parser
      out->set_null_value(google::protobuf::NULL_VALUE);
  }
}

google::protobuf::Value ToValue(const json& value) {
  google::protobuf::Value out;
  ToValue(value, &out);
  return out;
}

bool IsNamedList(const json& value) {
  if (!value.is_array() || value.empty()) return false;
  for (const json& item : value) {
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string()) return false;
  }
  return true;
}

// An attribute that is a map or a named list and is absent on one side is
// compared with an empty one, so that removing the last custom property
// reads "customProperties.tier" like any other removal. A whole item of a
// named list (a field) stays one change.
const json* EmptyLike(const json* other) {
  static const json kEmptyObject = json::object();
  static const json kEmptyArray = json::array();
  if (other == nullptr) return nullptr;
  if (other->is_object()) return &kEmptyObject;
  if (IsNamedList(*other)) return &kEmptyArray;
  return nullptr;
}

void AddChange(const std::string& path, const json* before, const json* after,
               std::vector<v1::FieldChange>* out) {
  v1::FieldChange change;
  change.set_path(path);
  if (before) *change.mutable_before() = ToValue(*before);
  if (after) *change.mutable_after() = ToValue(*after);
  out->push_back(std::move(change));
}

void DiffValues(const std::string& path, const json* before, const json* after,
                std::vector<v1::FieldChange>* out);

void DiffObjects(const std::string& prefix, const json& before, const json& after,
                 std::vector<v1::FieldChange>* out) {
  auto join = [&](const std::string& key) {
    return prefix.empty() ? key : absl::StrCat(prefix, ".", key);
  };
  for (const auto& [key, value] : before.items()) {
    auto it = after.find(key);
    DiffValues(join(key), &value, it == after.end() ? EmptyLike(&value) : &*it, out);
  }
  for (const auto& [key, value] : after.items()) {
    if (!before.contains(key)) DiffValues(join(key), EmptyLike(&value), &value, out);
  }
}

const json* FindNamed(const json& list, const std::string& name) {
  for (const json& item : list) {
    if (item["name"] == name) return &item;
  }
  return nullptr;
}

void DiffNamedLists(const std::string& path, const json& before, const json& after,
                    std::vector<v1::FieldChange>* out) {
  for (const json& item : before) {
    const std::string name = item["name"];
    DiffValues(absl::StrCat(path, "[", name, "]"), &item, FindNamed(after, name), out);
  }
  for (const json& item : after) {
    const std::string name = item["name"];
    if (!FindNamed(before, name)) {
      DiffValues(absl::StrCat(path, "[", name, "]"), nullptr, &item, out);
    }
  }
}

void DiffValues(const std::string& path, const json* before, const json* after,
                std::vector<v1::FieldChange>* out) {
  if (before && after) {
    if (*before == *after) return;
    if (before->is_object() && after->is_object()) {
      DiffObjects(path, *before, *after, out);
      return;
    }
    auto named_or_empty = [](const json& v) { return IsNamedList(v) || (v.is_array() && v.empty()); };
    if (named_or_empty(*before) && named_or_empty(*after)) {
      DiffNamedLists(path, *before, *after, out);
      return;
    }
  }
  AddChange(path, before, after, out);
}

}  // namespace

std::vector<v1::FieldChange> Diff(const google::protobuf::Message* before,
                                  const google::protobuf::Message& after) {
  std::vector<v1::FieldChange> out;
  json old_json = before ? SparseJson(*before) : json::object();
  DiffObjects("", old_json, SparseJson(after), &out);
  return out;
}

google::protobuf::Struct Snapshot(const google::protobuf::Message& message) {
  google::protobuf::Value value = ToValue(json::parse(ToJson(message)));
  google::protobuf::Struct out;
  out.Swap(value.mutable_struct_value());
  return out;
}

}  // namespace cadastre::catalog
