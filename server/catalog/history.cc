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

google::protobuf::Value ToValue(const json& value) {
  google::protobuf::Value out;
  (void)google::protobuf::util::JsonStringToMessage(value.dump(), &out);
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
  google::protobuf::Struct out;
  (void)google::protobuf::util::JsonStringToMessage(ToJson(message), &out);
  return out;
}

}  // namespace cadastre::catalog
