// Sample rows and column statistics of a dataset: uploaded by whoever may
// edit the dataset (pipelines), served masked for the caller.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "cadastre/v1/sample.pb.h"
#include "server/catalog/dataset_hooks.h"
#include "server/common/clock.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

class SampleService {
 public:
  // `mask_key` keys MASK_HASH pseudonyms.
  SampleService(store::Store* store, const policy::Authorizer* authorizer, const Clock* clock,
                std::string mask_key)
      : store_(store), authorizer_(authorizer), clock_(clock), mask_key_(std::move(mask_key)) {}

  // Lineage's inherited classifications, which masks follow.
  void set_hooks(DatasetHooks* hooks) { hooks_ = hooks; }

  // Replaces the sample (EDIT_METADATA on the dataset). Row keys and
  // statistics must name columns of the dataset. Answers it as GetSample.
  absl::StatusOr<v1::DatasetSample> PutSample(const policy::Caller& caller,
                                              const v1::PutSampleRequest& request);
  // The sample as the caller may see it (READ_SAMPLES on the dataset):
  // hidden columns left out, the others clear or masked, each masked column
  // listed with its mask. NOT_FOUND when the dataset has no sample.
  absl::StatusOr<v1::DatasetSample> GetSample(const policy::Caller& caller,
                                              const v1::GetSampleRequest& request);

 private:
  // `stored` masked for the caller, inside a read of the dataset.
  absl::StatusOr<v1::DatasetSample> Masked(store::ReadTxn& txn, const policy::Caller& caller,
                                           v1::Dataset dataset, v1::DatasetSample stored) const;

  store::Store* store_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
  std::string mask_key_;
  DatasetHooks* hooks_ = nullptr;
};

}  // namespace cadastre::catalog
