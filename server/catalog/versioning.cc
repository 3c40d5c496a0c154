#include "server/catalog/versioning.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "server/catalog/history.h"
#include "server/common/status.h"
#include "server/common/strings.h"

namespace cadastre::catalog {

using google::protobuf::util::MessageDifferencer;

google::protobuf::Timestamp TimeToProto(absl::Time t) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

std::string DatasetKey(std::string_view ns, std::string_view name) {
  return absl::StrCat(Absl(ns), "\x1f", Absl(name));
}

absl::StatusOr<int64_t> RecordVersion(store::WriteTxn& txn, const policy::Caller& caller,
                                      absl::Time now, std::string_view type,
                                      std::string_view key, std::string_view operation,
                                      const google::protobuf::Message* before,
                                      const google::protobuf::Message& after) {
  // Most saves during ingestion change nothing; equal messages print the
  // same JSON, so they are found without Diff's two JSON round-trips.
  if (before != nullptr && MessageDifferencer::Equals(*before, after)) return 0;
  std::vector<v1::FieldChange> changes = Diff(before, after);
  if (before != nullptr && changes.empty()) return 0;
  ASSIGN_OR_RETURN(int64_t latest, txn.LatestVersion(type, key));
  v1::EntityVersion version;
  version.set_entity_type(std::string(type));
  version.set_entity_key(std::string(key));
  version.set_version(latest + 1);
  *version.mutable_created_at() = TimeToProto(now);
  version.set_actor(caller.principal);
  version.set_operation(std::string(operation));
  for (auto& change : changes) *version.add_changes() = std::move(change);
  *version.mutable_snapshot() = Snapshot(after);
  RETURN_IF_ERROR(txn.AppendVersion(version));
  // The audit record links the change to the version (the first few of a
  // bulk write: an ingestion can touch thousands).
  constexpr size_t kAuditedVersions = 20;
  if (caller.audit.versions.size() < kAuditedVersions) {
    caller.audit.versions.push_back(absl::StrCat(Absl(type), ":",
                                                 absl::StrReplaceAll(Absl(key), {{"\x1f", "/"}}),
                                                 "@", version.version()));
  }
  return version.version();
}

}  // namespace cadastre::catalog
