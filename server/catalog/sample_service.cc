#include "server/catalog/sample_service.h"

#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "server/catalog/dataset_access.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/policy/column_masks.h"
#include "server/policy/masking.h"

namespace cadastre::catalog {
namespace {

constexpr int kMaxRows = 1000;

nlohmann::json ToJson(const google::protobuf::Value& value) {
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(value, &text);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

google::protobuf::Value FromJson(const nlohmann::json& value) {
  google::protobuf::Value out;
  (void)google::protobuf::util::JsonStringToMessage(value.dump(), &out);
  return out;
}

void MaskValue(v1::MaskType type, std::string_view key, google::protobuf::Value* value) {
  *value = FromJson(policy::MaskValue(type, ToJson(*value), key));
}

}  // namespace

absl::StatusOr<v1::DatasetSample> SampleService::PutSample(const policy::Caller& caller,
                                                           const v1::PutSampleRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("dataset", request.dataset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::EDIT_METADATA, policy::Resource::System()));
  v1::DatasetSample sample = request.sample();
  sample.clear_masked_columns();
  sample.clear_hidden_columns();
  if (sample.rows_size() > kMaxRows) {
    return InvalidField("rows", absl::StrCat("at most ", kMaxRows, " rows"));
  }
  *sample.mutable_updated_at() = TimeToProto(clock_->Now());
  sample.set_updated_by(caller.principal);
  v1::DatasetSample result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Dataset dataset,
                     LoadDatasetFor(txn, *authorizer_, caller, v1::EDIT_METADATA,
                                    request.namespace_(), request.dataset(), "dataset"));
    std::set<std::string> columns;
    for (const v1::Field& field : dataset.fields()) columns.insert(field.name());
    for (int i = 0; i < sample.rows_size(); ++i) {
      for (const auto& [column, value] : sample.rows(i).fields()) {
        if (!columns.count(column)) {
          return InvalidField(absl::StrCat("rows[", i, "].", column),
                              absl::StrCat("the dataset has no column '", column, "'"));
        }
      }
    }
    for (const auto& [column, stats] : sample.column_stats()) {
      if (!columns.count(column)) {
        return InvalidField(absl::StrCat("columnStats.", column),
                            absl::StrCat("the dataset has no column '", column, "'"));
      }
    }
    ASSIGN_OR_RETURN(int64_t id, txn.DatasetRowId(request.namespace_(), request.dataset()));
    RETURN_IF_ERROR(txn.PutSample(id, sample));
    ASSIGN_OR_RETURN(result, Masked(txn, caller, std::move(dataset), sample));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::DatasetSample> SampleService::GetSample(const policy::Caller& caller,
                                                           const v1::GetSampleRequest& request) {
  RETURN_IF_ERROR(ValidateName("namespace", request.namespace_()));
  RETURN_IF_ERROR(ValidateName("dataset", request.dataset()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_SAMPLES, policy::Resource::System()));
  v1::DatasetSample result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Dataset dataset,
                     LoadDatasetFor(txn, *authorizer_, caller, v1::READ_SAMPLES,
                                    request.namespace_(), request.dataset(), "dataset"));
    ASSIGN_OR_RETURN(int64_t id, txn.DatasetRowId(request.namespace_(), request.dataset()));
    auto stored = txn.GetSample(id);
    if (absl::IsNotFound(stored.status())) {
      return WithField(absl::NotFoundError(absl::StrCat("dataset '", request.dataset(),
                                                        "' has no sample")),
                       "dataset");
    }
    RETURN_IF_ERROR(stored.status());
    ASSIGN_OR_RETURN(result, Masked(txn, caller, std::move(dataset), *std::move(stored)));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::DatasetSample> SampleService::Masked(store::ReadTxn& txn,
                                                        const policy::Caller& caller,
                                                        v1::Dataset dataset,
                                                        v1::DatasetSample stored) const {
  if (hooks_) RETURN_IF_ERROR(hooks_->Decorate(txn, caller, dataset, InheritedPaths::kLeftOut));
  std::map<std::string, policy::ColumnMask> masks;
  for (policy::ColumnMask& mask : policy::MasksFor(authorizer_->AccessOf(caller), dataset)) {
    std::string field = mask.field;
    masks.emplace(std::move(field), std::move(mask));
  }
  v1::DatasetSample out = std::move(stored);
  for (const auto& [field, mask] : masks) {
    if (!mask.visible) {
      out.add_hidden_columns(field);
    } else if (mask.type != v1::MASK_NONE) {
      v1::MaskedColumn* masked = out.add_masked_columns();
      masked->set_field(field);
      masked->set_mask_type(mask.type);
      if (mask.policy) masked->set_policy(mask.policy->name());
      masked->set_tag(mask.tag);
    }
  }
  // A column the dataset no longer has is left out like a hidden one.
  auto shown = [&](const std::string& field) -> const policy::ColumnMask* {
    auto it = masks.find(field);
    return it != masks.end() && it->second.visible ? &it->second : nullptr;
  };
  for (google::protobuf::Struct& row : *out.mutable_rows()) {
    auto* values = row.mutable_fields();
    for (auto it = values->begin(); it != values->end();) {
      const policy::ColumnMask* mask = shown(it->first);
      if (mask == nullptr) {
        it = values->erase(it);
        continue;
      }
      if (mask->type != v1::MASK_NONE) MaskValue(mask->type, mask_key_, &it->second);
      ++it;
    }
  }
  auto* stats = out.mutable_column_stats();
  for (auto it = stats->begin(); it != stats->end();) {
    const policy::ColumnMask* mask = shown(it->first);
    if (mask == nullptr) {
      it = stats->erase(it);
      continue;
    }
    if (mask->type != v1::MASK_NONE) {
      // Counts say nothing about values; min, max and top values do.
      v1::ColumnStats& column = it->second;
      if (column.has_min()) MaskValue(mask->type, mask_key_, column.mutable_min());
      if (column.has_max()) MaskValue(mask->type, mask_key_, column.mutable_max());
      for (google::protobuf::Value& top : *column.mutable_top_values()) {
        MaskValue(mask->type, mask_key_, &top);
      }
    }
    ++it;
  }
  // The audit record lists the columns whose values were returned.
  std::set<std::string> returned;
  for (const google::protobuf::Struct& row : out.rows()) {
    for (const auto& [field, value] : row.fields()) returned.insert(field);
  }
  for (const auto& [field, column] : out.column_stats()) returned.insert(field);
  for (const std::string& field : returned) {
    const policy::ColumnMask& mask = masks.at(field);
    v1::AuditColumn& column = caller.audit.columns.emplace_back();
    column.set_field(field);
    if (mask.type == v1::MASK_NONE) continue;
    column.set_mask_type(v1::MaskType_Name(mask.type));
    if (mask.policy) column.set_policy(mask.policy->name());
  }
  return out;
}

}  // namespace cadastre::catalog
