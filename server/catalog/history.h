// Entity history: attribute-level differences between two versions of a
// message and the snapshot kept with each version.
#pragma once

#include <vector>

#include "cadastre/v1/catalog.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"

namespace cadastre::catalog {

// What changed from `before` to `after`, one row per attribute, named by
// its JSON path: "description", "customProperties.tier", "fields[email]"
// (a whole field added or removed), "fields[email].tags". Lists of objects
// that carry a "name" are matched by name; other lists compare whole.
// `before` null means the entity is new: every set attribute is a change.
// Empty when nothing changed.
std::vector<v1::FieldChange> Diff(const google::protobuf::Message* before,
                                  const google::protobuf::Message& after);

// The message as a JSON object, every attribute printed.
google::protobuf::Struct Snapshot(const google::protobuf::Message& message);

}  // namespace cadastre::catalog
