// The one JSON mapping of API messages, used by REST, history snapshots and
// tests alike: lowerCamelCase names, enums by name, defaults printed (so a
// Marquez client sees "description": "" rather than a missing key).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace cadastre {

// The message as JSON (proto_json_print.cc): the same value protobuf's
// MessageToJsonString prints with always_print_primitive_fields, written
// directly.
std::string ToJson(const google::protobuf::Message& message);

// A google.protobuf.Timestamp (RFC 3339) or Duration ("1.5s") as its JSON
// text, whatever generated class `message` is; nullopt for any other type.
// For printers that walk messages by reflection.
std::optional<std::string> WellKnownTimeText(const google::protobuf::Message& message);

// Parses `json` into `message`. INVALID_ARGUMENT naming the offending JSON
// path (or "body" when the text is not JSON) on malformed JSON, unknown
// fields, wrong types and unknown enum values.
absl::Status FromJson(std::string_view json, google::protobuf::Message* message);

}  // namespace cadastre
