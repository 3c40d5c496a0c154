// Internal to the SQLite store: how proto values map onto column values.
// Timestamps are int64 microseconds since the Unix epoch (NULL when unset);
// string lists and maps are JSON text; proto messages are their protobuf
// JSON mapping.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cadastre/v1/catalog.pb.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace cadastre::store {

// NULL (nullopt) for an unset timestamp, so that "never" stays "never".
std::optional<int64_t> ToMicros(bool has_value, const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp FromMicros(int64_t micros);

// Sets the timestamp field that `mutable_field` names (e.g.
// &v1::Tag::mutable_created_at) unless `micros` is nullopt, so that an
// unset timestamp stays unset rather than becoming the epoch.
template <typename Message>
void SetTimestamp(std::optional<int64_t> micros, Message* message,
                  google::protobuf::Timestamp* (Message::*mutable_field)()) {
  if (micros.has_value()) *(message->*mutable_field)() = FromMicros(*micros);
}

std::string StringsToJson(const google::protobuf::RepeatedPtrField<std::string>& strings);
absl::Status JsonToStrings(std::string_view json,
                           google::protobuf::RepeatedPtrField<std::string>* out);

std::string MapToJson(const google::protobuf::Map<std::string, std::string>& map);
absl::Status JsonToMap(std::string_view json, google::protobuf::Map<std::string, std::string>* out);

// The ids as a JSON array, bound as one parameter and unpacked by
// json_each: one statement whatever the number of ids.
std::string IdsJson(const std::vector<int64_t>& ids);

absl::StatusOr<std::string> MessageToJson(const google::protobuf::Message& message);
absl::Status JsonToMessage(std::string_view json, google::protobuf::Message* out);

// Facets and history, the store's bulk JSON, written and read directly: the
// same JSON values as MessageToJson and JsonToMessage, without protobuf's
// converter (which serialises to the wire format and back through a type
// resolver, the largest cost of a dataset write). Like MessageToJson, a
// number JSON cannot hold (NaN, infinite) is INTERNAL.
absl::StatusOr<std::string> StructToJson(const google::protobuf::Struct& value);
absl::Status JsonToStruct(std::string_view json, google::protobuf::Struct* out);
// A version's changes as a JSON array of cadastre.v1.FieldChange.
absl::StatusOr<std::string> ChangesToJson(
    const google::protobuf::RepeatedPtrField<v1::FieldChange>& changes);

}  // namespace cadastre::store
