// Appending entity versions: every change of a catalog entity records who,
// when and what changed, inside the same write transaction as the change.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "server/policy/caller.h"
#include "server/store/store.h"

namespace cadastre::catalog {

google::protobuf::Timestamp TimeToProto(absl::Time t);

// Entity types as they appear in EntityVersion.entity_type.
inline constexpr std::string_view kDatasetEntity = "dataset";
inline constexpr std::string_view kNamespaceEntity = "namespace";
inline constexpr std::string_view kTagEntity = "tag";
inline constexpr std::string_view kTermEntity = "glossaryTerm";

// The version key of a dataset. The unit separator cannot occur in a valid
// name, so ("a:b", "c") and ("a", "b:c") never collide.
std::string DatasetKey(std::string_view ns, std::string_view name);

// When `after` differs from `before` (null: a new entity), appends the next
// version of (type, key) with the attribute changes and a snapshot of
// `after`, and answers that version's number; answers 0 when nothing
// changed, in which case the caller should not write either.
absl::StatusOr<int64_t> RecordVersion(store::WriteTxn& txn, const policy::Caller& caller,
                                      absl::Time now, std::string_view type,
                                      std::string_view key, std::string_view operation,
                                      const google::protobuf::Message* before,
                                      const google::protobuf::Message& after);

}  // namespace cadastre::catalog
