// CatalogService: classifications (tags) and applying them.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/catalog/catalog_service.h"
#include "server/common/strings.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

using policy::Resource;

absl::Status TagNotFound(const std::string& name, std::string_view field) {
  return WithField(absl::NotFoundError(absl::StrCat("classification '", name, "' not found")),
                   field);
}

// The attributes of a tag a version compares.
v1::Tag Comparable(const v1::Tag& tag) {
  v1::Tag out;
  out.set_name(tag.name());
  out.set_description(tag.description());
  out.set_propagate(tag.propagate());
  return out;
}

}  // namespace

absl::StatusOr<v1::Tag> CatalogService::PutTag(const Caller& caller,
                                               const v1::PutTagRequest& request) {
  RETURN_IF_ERROR(ValidateTagName("name", request.name()));
  RETURN_IF_ERROR(ValidateText("description", request.tag().description()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_CLASSIFICATIONS,
                                     Resource::Tag(request.name())));
  v1::Tag result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    const absl::Time now = clock_->Now();
    const size_t dot = request.name().rfind('.');
    if (dot != std::string::npos) {
      RETURN_IF_ERROR(EnsureTag(txn, caller, now, request.name().substr(0, dot)));
    }
    auto existing = txn.GetTag(request.name());
    if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
    v1::Tag next;
    next.set_name(request.name());
    next.set_description(request.tag().description());
    next.set_propagate(request.tag().propagate());
    v1::Tag before;
    if (existing.ok()) before = Comparable(*existing);
    ASSIGN_OR_RETURN(int64_t version,
                     RecordVersion(txn, caller, now, kTagEntity, request.name(),
                                   existing.ok() ? "UPDATE" : "CREATE",
                                   existing.ok() ? &before : nullptr, next));
    if (version != 0) {
      *next.mutable_created_at() = existing.ok() ? existing->created_at() : TimeToProto(now);
      *next.mutable_updated_at() = TimeToProto(now);
      RETURN_IF_ERROR(txn.PutTag(next));
    }
    ASSIGN_OR_RETURN(result, txn.GetTag(request.name()));
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Tag> CatalogService::GetTag(const Caller& caller,
                                               const v1::GetTagRequest& request) {
  RETURN_IF_ERROR(ValidateTagName("name", request.name()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Tag(request.name())));
  v1::Tag result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto found = txn.GetTag(request.name());
    if (absl::IsNotFound(found.status())) return TagNotFound(request.name(), "name");
    RETURN_IF_ERROR(found.status());
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListTagsResponse> CatalogService::ListTags(const Caller& caller,
                                                              const v1::ListTagsRequest& request) {
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::Tag("")));
  v1::ListTagsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto tags, txn.ListTags());
    for (auto& tag : tags) *result.add_tags() = std::move(tag);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Tag> CatalogService::DeleteTag(const Caller& caller,
                                                  const v1::DeleteTagRequest& request) {
  RETURN_IF_ERROR(ValidateTagName("name", request.name()));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_CLASSIFICATIONS,
                                     Resource::Tag(request.name())));
  v1::Tag result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto found = txn.GetTag(request.name());
    if (absl::IsNotFound(found.status())) return TagNotFound(request.name(), "name");
    RETURN_IF_ERROR(found.status());
    ASSIGN_OR_RETURN(auto dependents, txn.TagDependents(request.name(), 10));
    if (!dependents.empty()) {
      return WithoutDependents(
          WithField(absl::FailedPreconditionError(
                        absl::StrCat("classification '", request.name(),
                                     "' is still used by: ", absl::StrJoin(dependents, ", "))),
                    "name"),
          *authorizer_, caller, absl::StrCat("classification '", request.name(), "'"));
    }
    v1::Tag before = Comparable(*found);
    v1::Tag gone;
    gone.set_name(request.name());
    RETURN_IF_ERROR(RecordVersion(txn, caller, clock_->Now(), kTagEntity, request.name(),
                                  "DELETE", &before, gone)
                        .status());
    RETURN_IF_ERROR(txn.DeleteTag(request.name()));
    result = *std::move(found);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::ListVersionsResponse> CatalogService::ListTagVersions(
    const Caller& caller, const v1::ListTagVersionsRequest& request) {
  RETURN_IF_ERROR(ValidateTagName("name", request.name()));
  ASSIGN_OR_RETURN(store::Page page, ValidatePage(LimitOf(request), request.offset()));
  RETURN_IF_ERROR(
      authorizer_->Check(caller, v1::READ_METADATA, Resource::Tag(request.name())));
  v1::ListVersionsResponse result;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(auto listing, txn.ListVersions(kTagEntity, request.name(), page));
    // A deleted tag keeps its history; one that never existed has none.
    if (listing.total_count == 0) return TagNotFound(request.name(), "name");
    for (auto& version : listing.items) *result.add_versions() = std::move(version);
    result.set_total_count(listing.total_count);
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<v1::Dataset> CatalogService::TagDataset(const Caller& caller,
                                                       const v1::TagDatasetRequest& request) {
  return SetTag(caller, request.namespace_(), request.dataset(), "", request.tag(), true);
}
absl::StatusOr<v1::Dataset> CatalogService::UntagDataset(const Caller& caller,
                                                         const v1::TagDatasetRequest& request) {
  return SetTag(caller, request.namespace_(), request.dataset(), "", request.tag(), false);
}
absl::StatusOr<v1::Dataset> CatalogService::TagField(const Caller& caller,
                                                     const v1::TagFieldRequest& request) {
  RETURN_IF_ERROR(ValidateName("field", request.field()));
  return SetTag(caller, request.namespace_(), request.dataset(), request.field(), request.tag(),
                true);
}
absl::StatusOr<v1::Dataset> CatalogService::UntagField(const Caller& caller,
                                                       const v1::TagFieldRequest& request) {
  RETURN_IF_ERROR(ValidateName("field", request.field()));
  return SetTag(caller, request.namespace_(), request.dataset(), request.field(), request.tag(),
                false);
}

absl::StatusOr<v1::Dataset> CatalogService::SetTag(const Caller& caller, const std::string& ns,
                                                   const std::string& dataset,
                                                   const std::string& field,
                                                   const std::string& tag, bool add) {
  RETURN_IF_ERROR(ValidateName("namespace", ns));
  RETURN_IF_ERROR(ValidateName("dataset", dataset));
  RETURN_IF_ERROR(ValidateTagName("tag", tag));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::MANAGE_CLASSIFICATIONS, Resource::System()));
  v1::Dataset result;
  RETURN_IF_ERROR(store_->Write([&](store::WriteTxn& txn) -> absl::Status {
    auto before = LoadDatasetFor(txn, *authorizer_, caller, v1::MANAGE_CLASSIFICATIONS, ns,
                                 dataset, "dataset");
    RETURN_IF_ERROR(before.status());
    auto found = txn.GetTag(tag);
    if (absl::IsNotFound(found.status())) return TagNotFound(tag, "tag");
    RETURN_IF_ERROR(found.status());
    v1::Dataset after = *before;
    if (field.empty()) {
      SetMember(after.mutable_tags(), tag, add);
    } else {
      ASSIGN_OR_RETURN(int index, FindField(after, field));
      SetMember(after.mutable_fields(index)->mutable_tags(), tag, add);
    }
    ASSIGN_OR_RETURN(result, SaveDataset(txn, caller, clock_->Now(), &*before, after, "UPDATE"));
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace cadastre::catalog
