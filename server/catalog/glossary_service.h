// The glossary service: business terms and their links to columns.
#pragma once

#include "absl/status/statusor.h"
#include "cadastre/v1/glossary.pb.h"
#include "server/common/clock.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

class GlossaryService {
 public:
  GlossaryService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock)
      : store_(store), authorizer_(authorizer), clock_(clock) {}

  // A term without a status is created as DRAFT and keeps its status on
  // update.
  absl::StatusOr<v1::GlossaryTerm> PutTerm(const policy::Caller& caller, const v1::PutTermRequest& request);
  absl::StatusOr<v1::GlossaryTerm> GetTerm(const policy::Caller& caller, const v1::GetTermRequest& request);
  absl::StatusOr<v1::ListTermsResponse> ListTerms(const policy::Caller& caller, const v1::ListTermsRequest& request);
  absl::StatusOr<v1::GlossaryTerm> DeleteTerm(const policy::Caller& caller, const v1::DeleteTermRequest& request);
  absl::StatusOr<v1::ListVersionsResponse> ListTermVersions(const policy::Caller& caller, const v1::ListTermVersionsRequest& request);

  absl::StatusOr<v1::Dataset> LinkTerm(const policy::Caller& caller, const v1::LinkTermRequest& request);
  absl::StatusOr<v1::Dataset> UnlinkTerm(const policy::Caller& caller, const v1::LinkTermRequest& request);

 private:
  absl::StatusOr<v1::Dataset> SetLink(const policy::Caller& caller, const v1::LinkTermRequest& request,
                                      bool linked);

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
};

}  // namespace cadastre::catalog
