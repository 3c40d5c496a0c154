// The change feed: catalog history in commit order, per caller.
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/catalog/dataset_access.h"
#include "server/catalog/dataset_writes.h"
#include "server/catalog/validation.h"
#include "server/catalog/versioning.h"
#include "server/common/status.h"
#include "server/sync/sync_document.h"
#include "server/sync/sync_service.h"

namespace cadastre::sync {

using policy::Resource;

absl::StatusOr<v1::ListChangesResponse> SyncService::ListChanges(
    const Caller& caller, const v1::ListChangesRequest& request) {
  ASSIGN_OR_RETURN(store::Page page, catalog::ValidatePage(catalog::LimitOf(request), 0));
  return ChangesAfter(caller, request.cursor(), page.limit);
}

absl::StatusOr<v1::ListChangesResponse> SyncService::ChangesAfter(const Caller& caller,
                                                                  const std::string& cursor,
                                                                  int limit) {
  int64_t after = 0;
  if (!cursor.empty() && (!absl::SimpleAtoi(cursor, &after) || after < 0)) {
    return InvalidField("cursor", "is not a cursor this server gave");
  }
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, Resource::Namespace("")));
  const bool sees_all = authorizer_->AccessOf(caller).Everywhere(v1::READ_METADATA);
  v1::ListChangesResponse response;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    response.Clear();
    int64_t seq = after;
    // Hidden changes are skipped, but a bounded number of rows is read.
    for (int scanned = 0; response.changes_size() < limit && scanned < 10 * limit;) {
      ASSIGN_OR_RETURN(std::vector<store::ChangeRow> rows, txn.VersionsAfter(seq, limit));
      if (rows.empty()) break;
      for (store::ChangeRow& row : rows) {
        scanned++;
        if (response.changes_size() == limit) break;
        seq = row.seq;
        const v1::EntityVersion& version = row.version;
        std::string ns, name;
        bool visible = sees_all;
        if (version.entity_type() == catalog::kDatasetEntity) {
          std::tie(ns, name) = SplitDatasetKey(version.entity_key());
          if (!visible) {
            auto id = txn.DatasetRowId(ns, name);
            if (id.ok()) {
              ASSIGN_OR_RETURN(auto infos, txn.DatasetsById({*id}));
              visible = !infos.empty() && authorizer_->CanSee(caller, catalog::ScopeOf(infos[0]));
            }
          }
        } else if (version.entity_type() == catalog::kNamespaceEntity && !visible) {
          ASSIGN_OR_RETURN(
              visible, catalog::CanSeeNamespace(txn, *authorizer_, caller, version.entity_key()));
        } else {
          visible = true;  // tags and terms: what anyone who reads metadata sees
        }
        if (!visible) continue;
        v1::Change* change = response.add_changes();
        change->set_cursor(absl::StrCat(row.seq));
        change->set_entity_type(version.entity_type());
        change->set_entity_key(version.entity_type() == catalog::kDatasetEntity
                                   ? Shown(ns, name)
                                   : version.entity_key());
        change->set_version(version.version());
        change->set_operation(version.operation());
        change->set_actor(version.actor());
        *change->mutable_created_at() = version.created_at();
        *change->mutable_changes() = version.changes();
        *change->mutable_snapshot() = version.snapshot();
        change->set_namespace_(ns);
        change->set_name(name);
      }
    }
    response.set_next_cursor(seq == 0 ? cursor : absl::StrCat(seq));
    return absl::OkStatus();
  }));
  return response;
}

absl::Status SyncService::WatchChanges(const Caller& caller, const v1::WatchChangesRequest& request,
                                       const std::function<bool(const v1::Change&)>& send,
                                       const std::function<bool()>& cancelled,
                                       absl::Duration poll) {
  std::string cursor = request.cursor();
  while (!cancelled()) {
    ASSIGN_OR_RETURN(v1::ListChangesResponse page, ChangesAfter(caller, cursor, 100));
    for (const v1::Change& change : page.changes()) {
      if (!send(change)) return absl::OkStatus();
    }
    const bool idle = page.next_cursor() == cursor;
    cursor = page.next_cursor();
    if (idle) std::this_thread::sleep_for(absl::ToChronoMilliseconds(poll));
  }
  return absl::OkStatus();
}

}  // namespace cadastre::sync
