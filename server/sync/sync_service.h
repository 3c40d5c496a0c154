// The sync service: imports and exports of the sync document and the change
// feed (docs/sync.md). An import runs every record through the write paths
// the single calls use (SaveDataset, the term and namespace writes, column
// edge rows), in one transaction, so history, search and the lineage graph
// follow and a failed or dry import changes nothing.
#pragma once

#include <functional>

#include "absl/status/statusor.h"
#include "cadastre/v1/sync.pb.h"
#include "google/protobuf/struct.pb.h"
#include "server/common/clock.h"
#include "server/lineage/lineage_service.h"
#include "server/policy/authorizer.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::sync {

namespace v1 = ::cadastre::v1;
using policy::Caller;

class SyncService {
 public:
  SyncService(store::Store* store, lineage::LineageService* lineage,
              const policy::Authorizer* authorizer, const Clock* clock)
      : store_(store), lineage_(lineage), authorizer_(authorizer), clock_(clock) {}

  absl::StatusOr<v1::ImportResponse> Import(const Caller& caller, const v1::ImportRequest& request);
  absl::StatusOr<google::protobuf::Struct> Export(const Caller& caller,
                                                  const v1::ExportRequest& request);
  absl::StatusOr<v1::ListChangesResponse> ListChanges(const Caller& caller,
                                                      const v1::ListChangesRequest& request);

  // WatchChanges: sends every visible change after `request.cursor` to
  // `send`, then waits for new ones, until `send` answers false or
  // `cancelled` answers true (checked at least every `poll`).
  absl::Status WatchChanges(const Caller& caller, const v1::WatchChangesRequest& request,
                            const std::function<bool(const v1::Change&)>& send,
                            const std::function<bool()>& cancelled,
                            absl::Duration poll = absl::Milliseconds(250));

 private:
  // Up to `limit` visible changes after `cursor`, and the cursor after
  // the last change looked at (hidden ones included).
  absl::StatusOr<v1::ListChangesResponse> ChangesAfter(const Caller& caller,
                                                       const std::string& cursor, int limit);

  store::Store* store_;
  lineage::LineageService* lineage_;
  const policy::Authorizer* authorizer_;
  const Clock* clock_;
};

}  // namespace cadastre::sync
