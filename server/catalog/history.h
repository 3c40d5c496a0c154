// Entity history: attribute-level differences between two versions of a
// message and the snapshot kept with each version.
#pragma once

#include <vector>

#include "cadastre/v1/catalog.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "nlohmann/json.hpp"

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

// The JSON value of the message that Diff compares (protobuf's printer,
// MessageToJsonString: only what is set) or, with `print_defaults`, that
// Snapshot keeps (as ToJson prints it: every scalar and list), built by
// reflection instead of printed and parsed again.
nlohmann::json MessageJson(const google::protobuf::Message& message, bool print_defaults);

// The JSON value as a google.protobuf.Value: what JsonStringToMessage makes
// of its text, without printing and parsing it.
google::protobuf::Value JsonToValue(const nlohmann::json& value);

}  // namespace cadastre::catalog
