// The SQL side of masking.h: dialects, quoting, and mask expressions that
// compute in an engine what MaskValue serves.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/policy/crypto.h"
#include "server/policy/masking.h"

namespace cadastre::policy {
namespace {

constexpr Dialect kDialects[] = {Dialect::kAnsi, Dialect::kTrino, Dialect::kSpark,
                                 Dialect::kSnowflake, Dialect::kPostgres};

// The ASCII letters and digits, and what MASK and MASK_SHOW_* turn them into.
constexpr std::string_view kAlphanumerics =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kClassMasks =
    "XXXXXXXXXXXXXXXXXXXXXXXXXXxxxxxxxxxxxxxxxxxxxxxxxxxxnnnnnnnnnn";
constexpr std::string_view kAllX = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
static_assert(kAlphanumerics.size() == kClassMasks.size() && kAllX.size() == kClassMasks.size());

// What differs between the engines that can mask text (all but ansi). Every
// one has substr, length (in code points), greatest, translate and a
// regexp_replace that replaces every match.
struct TextFunctions {
  std::string_view text_type;
  // Matches every code point outside U+0001..U+007F, written so the engine's
  // string literal rules and regex syntax both read it right.
  std::string_view non_ascii_pattern;
  std::string_view regexp_flags;  // postgres replaces only the first match without 'g'
};

TextFunctions FunctionsOf(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return {"text", R"(E'[^\\x01-\\x7f]')", ", 'g'"};
    case Dialect::kTrino:  // no escapes in literals; Java regex escapes
      return {"varchar", R"('[^\x01-\x7f]')", ""};
    case Dialect::kSpark:  // \u is a literal escape, and a Java regex one when
                           // spark.sql.parser.escapedStringLiterals is on
      return {"string", R"('[^\u0001-\u007f]')", ""};
    case Dialect::kSnowflake:  // \u is a literal escape
      return {"varchar", R"('[^\u0001-\u007f]')", ""};
    case Dialect::kAnsi:
      break;
  }
  return {"varchar", "", ""};
}

std::string AsText(Dialect dialect, std::string_view column) {
  return absl::StrCat("CAST(", Absl(column), " AS ", Absl(FunctionsOf(dialect).text_type), ")");
}

// Parenthesised, so the expression can be embedded anywhere.
std::string Concat(Dialect dialect, std::string_view a, std::string_view b) {
  if (dialect == Dialect::kSpark) return absl::StrCat("concat(", Absl(a), ", ", Absl(b), ")");
  return absl::StrCat("(", Absl(a), " || ", Absl(b), ")");
}

// `text` masked like MaskText: ASCII letters and digits through `masks`, and
// every non-ASCII code point as 'x'.
std::string MaskTextSql(Dialect dialect, std::string_view text, std::string_view masks) {
  const TextFunctions f = FunctionsOf(dialect);
  return absl::StrCat("regexp_replace(translate(", Absl(text), ", '", Absl(kAlphanumerics), "', '",
                      Absl(masks), "'), ", Absl(f.non_ascii_pattern), ", 'x'", Absl(f.regexp_flags),
                      ")");
}

std::string ShowFirst4Sql(Dialect dialect, std::string_view column) {
  const std::string text = AsText(dialect, column);
  return Concat(dialect, absl::StrCat("substr(", text, ", 1, 4)"),
                MaskTextSql(dialect, absl::StrCat("substr(", text, ", 5)"), kAllX));
}

std::string ShowLast4Sql(Dialect dialect, std::string_view column) {
  const std::string text = AsText(dialect, column);
  const std::string head =
      absl::StrCat("substr(", text, ", 1, greatest(length(", text, ") - 4, 0))");
  const std::string tail = absl::StrCat("substr(", text, ", greatest(length(", text, ") - 3, 1))");
  return Concat(dialect, MaskTextSql(dialect, head, kAllX), tail);
}

// HMAC-SHA-256 as two SHA-256 passes over precomputed key blocks (RFC 2104),
// for engines without an HMAC function.
struct HmacBlocks {
  std::string inner_hex;  // (key XOR ipad), hex
  std::string outer_hex;  // (key XOR opad), hex
};

HmacBlocks BlocksFor(std::string_view key) {
  constexpr size_t kBlockSize = 64;
  std::string block = key.size() > kBlockSize ? Sha256(key) : std::string(key);
  block.resize(kBlockSize, '\0');
  std::string inner = block;
  std::string outer = block;
  for (size_t i = 0; i < kBlockSize; ++i) {
    inner[i] = static_cast<char>(inner[i] ^ 0x36);
    outer[i] = static_cast<char>(outer[i] ^ 0x5c);
  }
  return {absl::BytesToHexString(inner), absl::BytesToHexString(outer)};
}

std::string HashSql(Dialect dialect, std::string_view column, std::string_view key) {
  const std::string text = AsText(dialect, column);
  if (dialect == Dialect::kTrino) {
    return absl::StrCat("lower(to_hex(hmac_sha256(to_utf8(", text, "), from_hex('",
                        absl::BytesToHexString(Absl(key)), "'))))");
  }
  const HmacBlocks b = BlocksFor(key);
  switch (dialect) {
    case Dialect::kPostgres:
      return absl::StrCat("encode(sha256(decode('", b.outer_hex, "', 'hex') || sha256(decode('",
                          b.inner_hex, "', 'hex') || convert_to(", text, ", 'UTF8'))), 'hex')");
    case Dialect::kSpark:
      return absl::StrCat("sha2(concat(unhex('", b.outer_hex, "'), unhex(sha2(concat(unhex('",
                          b.inner_hex, "'), encode(", text, ", 'UTF-8')), 256))), 256)");
    case Dialect::kSnowflake:
      return absl::StrCat("lower(hex_encode(sha2_binary(to_binary('", b.outer_hex,
                          "', 'HEX') || sha2_binary(to_binary('", b.inner_hex,
                          "', 'HEX') || to_binary(", text, ", 'UTF-8'), 256), 256)))");
    default:
      return "NULL";
  }
}

std::string DateShowYearSql(Dialect dialect, std::string_view column) {
  const std::string date = absl::StrCat("CAST(", Absl(column), " AS date)");
  switch (dialect) {
    case Dialect::kPostgres:
      return absl::StrCat("make_date(CAST(extract(year FROM ", date, ") AS integer), 1, 1)");
    case Dialect::kTrino:
    case Dialect::kSnowflake:
      return absl::StrCat("date_trunc('year', ", date, ")");
    case Dialect::kSpark:
      return absl::StrCat("trunc(", date, ", 'year')");
    case Dialect::kAnsi:
      break;
  }
  return absl::StrCat("CAST(SUBSTRING(CAST(", date,
                      " AS CHAR(10)) FROM 1 FOR 4) || '-01-01' AS DATE)");
}

std::string QuoteOne(char quote, std::string_view name) {
  std::string out(1, quote);
  for (char c : name) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

}  // namespace

absl::StatusOr<Dialect> ParseDialect(std::string_view name) {
  if (name.empty()) return Dialect::kAnsi;
  const std::string lower = absl::AsciiStrToLower(Absl(name));
  std::vector<std::string> names;
  for (Dialect dialect : kDialects) {
    names.emplace_back(DialectName(dialect));
    if (lower == names.back()) return dialect;
  }
  return InvalidField("dialect", absl::StrCat("unknown dialect '", Absl(name), "'; use one of ",
                                              absl::StrJoin(names, ", ")));
}

std::string_view DialectName(Dialect dialect) {
  switch (dialect) {
    case Dialect::kAnsi:
      return "ansi";
    case Dialect::kTrino:
      return "trino";
    case Dialect::kSpark:
      return "spark";
    case Dialect::kSnowflake:
      return "snowflake";
    case Dialect::kPostgres:
      return "postgres";
  }
  return "ansi";
}

std::string QuoteIdentifier(Dialect dialect, std::string_view column) {
  const char quote = dialect == Dialect::kSpark ? '`' : '"';
  const std::vector<absl::string_view> parts = absl::StrSplit(Absl(column), '.');
  for (absl::string_view part : parts) {
    if (part.empty()) return QuoteOne(quote, column);
  }
  std::vector<std::string> quoted;
  for (absl::string_view part : parts) {
    quoted.push_back(QuoteOne(quote, std::string_view(part.data(), part.size())));
  }
  if (quoted.size() == 1) return quoted[0];
  const std::string rest = absl::StrJoin(quoted.begin() + 1, quoted.end(), ".");
  switch (dialect) {
    case Dialect::kPostgres:  // (composite).field
      return absl::StrCat("(", quoted[0], ").", rest);
    case Dialect::kSnowflake:  // variant:field.subfield
      return absl::StrCat(quoted[0], ":", rest);
    default:
      return absl::StrJoin(quoted, ".");
  }
}

std::string MaskExpression(v1::MaskType type, Dialect dialect, std::string_view column_sql,
                           std::string_view custom_expression, std::string_view hash_key) {
  const bool masks_text = dialect != Dialect::kAnsi;
  switch (type) {
    case v1::MASK_NONE:
      return std::string(column_sql);
    case v1::MASK:
      if (!masks_text) break;
      return MaskTextSql(dialect, AsText(dialect, column_sql), kClassMasks);
    case v1::MASK_SHOW_FIRST_4:
      if (!masks_text) break;
      return ShowFirst4Sql(dialect, column_sql);
    case v1::MASK_SHOW_LAST_4:
      if (!masks_text) break;
      return ShowLast4Sql(dialect, column_sql);
    case v1::MASK_HASH:
      if (!masks_text) break;
      return HashSql(dialect, column_sql, hash_key);
    case v1::MASK_DATE_SHOW_YEAR:
      return DateShowYearSql(dialect, column_sql);
    case v1::CUSTOM:
      if (custom_expression.empty()) break;
      return absl::StrCat(
          "(", absl::StrReplaceAll(Absl(custom_expression), {{"{col}", Absl(column_sql)}}), ")");
    default:  // MASK_NULL, MASK_TYPE_UNSPECIFIED and unknown values
      break;
  }
  return "NULL";
}

}  // namespace cadastre::policy
