// Typed reads of JSON members that, when a member is missing or of the wrong
// type, fail with INVALID_ARGUMENT naming its path ("outputs[1].namespace").
// The shared vocabulary of the OpenLineage parser; internal to this folder.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace cadastre::openlineage::internal {

using nlohmann::json;

// Paths: Member("outputs[1]", "name") is "outputs[1].name", Member("", "run")
// is "run"; Element("inputs", 2) is "inputs[2]".
std::string Member(std::string_view path, std::string_view key);
std::string Element(std::string_view path, std::size_t index);

// The member `key` of `object`, or nullptr when it is absent or null (a null
// optional member reads as an absent one).
const json* Find(const json& object, std::string_view key);

absl::Status ExpectObject(const json& value, std::string_view path);

// The object or array member `key`, or nullptr when absent; an error when
// present with another type.
absl::StatusOr<const json*> FindObject(const json& object, std::string_view key,
                                       std::string_view path);
absl::StatusOr<const json*> FindArray(const json& object, std::string_view key,
                                      std::string_view path);

// Optional scalar members: absent leaves `out` as it was.
absl::Status ReadString(const json& object, std::string_view key, std::string_view path,
                        std::string* out);
absl::Status ReadString(const json& object, std::string_view key, std::string_view path,
                        std::optional<std::string>* out);
absl::Status ReadBool(const json& object, std::string_view key, std::string_view path, bool* out);

// A required string member; `non_empty` also refuses "".
absl::StatusOr<std::string> RequireString(const json& object, std::string_view key,
                                          std::string_view path, bool non_empty);

// RFC 3339 date-time with a UTC offset ("Z" or ±hh:mm) and optional
// fraction, e.g. "2024-08-06T13:26:54.34Z"; nothing else (no bare local
// times, no "infinite-future").
absl::StatusOr<absl::Time> ParseTimestamp(const json& value, std::string_view path);

// A UUID in 8-4-4-4-12 hex form, any version, either case; lower case, or
// nullopt when `text` is not one.
std::optional<std::string> NormalizeUuid(std::string_view text);

// A required UUID member, lower-cased.
absl::StatusOr<std::string> RequireUuid(const json& object, std::string_view key,
                                        std::string_view path);

std::string ToUpper(std::string_view text);

}  // namespace cadastre::openlineage::internal
