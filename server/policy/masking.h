// Column masking in Ranger's vocabulary (v1::MaskType): how Cadastre serves
// a masked value (sample rows, column statistics), the SQL that makes a query
// engine compute the same value, and which masking policy governs a column.
// docs/masking.md shows every type with examples and its SQL per dialect.
//
// What every mask type does to a value, served or computed by an engine:
//   MASK                 ASCII A-Z -> 'X', a-z -> 'x', 0-9 -> 'n'; every
//                        non-ASCII code point -> one 'x'; other ASCII kept.
//   MASK_SHOW_FIRST_4,   the first (last) 4 code points kept, every other one
//   MASK_SHOW_LAST_4     masked as Ranger does: ASCII letters and digits and
//                        non-ASCII code points -> 'x', other ASCII kept. A
//                        value of at most 4 code points is shown whole.
//   MASK_HASH            lowercase hex HMAC-SHA-256 of the value's canonical
//                        text under the hash key: a pseudonym that still joins.
//   MASK_DATE_SHOW_YEAR  an ISO-8601 date or date-time -> "YYYY-01-01".
//   MASK_NULL, CUSTOM,   null (Cadastre cannot run a CUSTOM SQL expression;
//   MASK_TYPE_UNSPECIFIED the unspecified type fails safe).
//   MASK_NONE            the value unchanged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cadastre/v1/access.pb.h"
#include "nlohmann/json.hpp"

namespace cadastre::policy {

// The masked form of one JSON value as Cadastre serves it. Never fails and
// always returns valid UTF-8 (except MASK_NONE, which returns `value` as is):
//   - null stays null under every type.
//   - Strings are read as UTF-8 code points. A byte that does not start a
//     well-formed sequence counts as one code point; it is masked as 'x', or
//     shown as U+FFFD in the part that MASK_SHOW_* keeps. U+0000 is masked
//     as 'x' (no engine pattern names it portably).
//   - Numbers and booleans are masked through their canonical text and come
//     back as strings (MASK: 1234 -> "nnnn", true -> "xxxx"). Note that
//     MASK and MASK_SHOW_* reveal a boolean through the text's length.
//   - MASK_HASH hashes the canonical text: a string's own bytes; an integer,
//     or a float with an integral value below 1e15, in decimal ("100" for
//     both 100 and 100.0); another float in its shortest round-trip form
//     ("0.5", "1e+20", as PostgreSQL prints float8); true/false as "true" /
//     "false". Objects and arrays are masked as null.
//   - MASK_DATE_SHOW_YEAR accepts "YYYY-MM-DD" with an optional time
//     ("T" or " ", HH:MM[:SS[.fraction]], optional "Z" or +HH[:MM] offset)
//     and keeps the year as written; any other value becomes null.
// `hash_key` is used by MASK_HASH only; the server passes
// DeriveKey(master, kMaskHashKeyLabel) (secrets.h).
nlohmann::json MaskValue(v1::MaskType type, const nlohmann::json& value, std::string_view hash_key);

// The SQL dialects MaskExpression writes.
enum class Dialect { kAnsi, kTrino, kSpark, kSnowflake, kPostgres };

// "ansi", "trino", "spark", "snowflake" or "postgres", ASCII case ignored;
// the empty string is ansi. Any other name: INVALID_ARGUMENT on the field
// `dialect`, naming the valid ones.
absl::StatusOr<Dialect> ParseDialect(std::string_view name);

// The lowercase name ParseDialect reads back.
std::string_view DialectName(Dialect dialect);

// `column` as a quoted SQL reference in `dialect`: "name" (`name` for spark),
// an embedded quote character doubled. A dot in a Cadastre field name means
// nesting, so "address.city" becomes a path to the nested field:
//   ansi, trino  "address"."city"        spark      `address`.`city`
//   postgres     ("address")."city"      snowflake  "address":"city"
// A name with an empty part (leading, trailing or doubled dot) is quoted
// whole as one identifier.
std::string QuoteIdentifier(Dialect dialect, std::string_view column);

// An SQL expression that computes, in `dialect`, what MaskValue computes for
// the values of `column_sql` (an SQL reference, e.g. from QuoteIdentifier).
// It is NULL when the column is NULL, and:
//   MASK_NONE     `column_sql` itself.
//   MASK_NULL, MASK_TYPE_UNSPECIFIED: NULL.
//   CUSTOM        `custom_expression`, parenthesised, with every "{col}"
//                 replaced by `column_sql`; NULL when it is empty.
//   MASK, MASK_SHOW_*, MASK_HASH: over the column cast to text, so the
//                 result is text. ansi has no regular expressions or hash
//                 functions: NULL there (fails safe).
//   MASK_HASH     embeds key material derived from `hash_key` (the key
//                 itself for trino): whoever reads the expression can compute
//                 pseudonyms. Hand it to trusted engines only.
//   MASK_DATE_SHOW_YEAR: a DATE, January 1st of the column's year; the
//                 column must be a date, timestamp or ISO date text.
// The result agrees with MaskValue wherever the engine's text form of a
// value is the JSON one: always for strings and integers, in PostgreSQL for
// floats (see docs/masking.md for the others).
std::string MaskExpression(v1::MaskType type, Dialect dialect, std::string_view column_sql,
                           std::string_view custom_expression, std::string_view hash_key);

// Which masking policy governs a column, and how it looks to the caller.
struct MaskDecision {
  v1::MaskType type = v1::MASK_NONE;
  std::string policy;  // the winning policy's name; empty when none matched
  std::string tag;     // the column tag it matched; empty when none matched
};

// Decides the mask for a column carrying `column_tags` (its own and the
// inherited ones) for a caller holding `caller_roles`. Pure and
// deterministic: the order of the inputs does not matter.
//   - A policy matches when its tag equals one of the column's tags or is an
//     ancestor of one: "PII" matches "PII" and "PII.Email", not "PIIX".
//     A policy with an empty tag matches nothing.
//   - The winner among the matching policies has the highest priority, then
//     the most specific tag (most dot-separated parts), then the smallest
//     name (bytewise). Policy names are unique, so there is always one.
//   - `tag` is the column tag the winner matched; when it matches several,
//     the smallest (bytewise).
//   - A caller holding one of the winner's unmasked_roles gets MASK_NONE
//     (with the winner's name and tag); otherwise the winner's mask type,
//     with MASK_TYPE_UNSPECIFIED and unknown values read as MASK_NULL.
//   - No policy matches: {MASK_NONE, "", ""}.
// Whether the caller may read the column unmasked at all (READ_UNMASKED) is
// decided by the authorizer before this is asked.
MaskDecision DecideMask(const std::vector<v1::MaskingPolicy>& policies,
                        const std::vector<std::string>& column_tags,
                        const std::vector<std::string>& caller_roles);

}  // namespace cadastre::policy
