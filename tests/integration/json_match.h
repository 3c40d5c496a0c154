// JSON comparisons for tests: "does the answer contain what we expect?"
//
// JsonContains(actual, expected) holds when every key of an expected object
// is in the actual object with a matching value (extra actual keys are
// fine), arrays match element by element with equal lengths, and scalars are
// equal (numbers by value). An expected value may instead be an operator
// object, a one-key object whose key starts with '$':
//   {"$unordered": [...]}  same length, elements match in some order
//   {"$contains": [...]}   each listed element matches some actual element
//   {"$lacks": [...]}      no actual element matches any listed element
//   {"$length": N}         an array (or string) of N elements (bytes)
//   {"$regex": "..."}      a string that matches the ECMAScript regex fully
//   {"$absent": true}      (as an object member) the key is not present
//   {"$any": true}         present, any value
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cadastre::testing {

// True when `actual` contains `expected` as described above. Otherwise
// `mismatch` (when not null) tells where and how they differ.
bool JsonContains(const nlohmann::json& actual, const nlohmann::json& expected,
                  std::string* mismatch = nullptr);

// Keys that differ between two runs of the same requests.
bool IsTimestampKey(const std::string& key);

// `value` without the timestamp keys (createdAt, updatedAt, lastModifiedAt)
// at any depth.
nlohmann::json WithoutTimestamps(nlohmann::json value);

// Replaces, at any depth, each string of the form "$repeat:N:TEXT" by TEXT
// repeated N times, so scenario files can hold over-long names.
nlohmann::json ExpandMacros(nlohmann::json value);

}  // namespace cadastre::testing
