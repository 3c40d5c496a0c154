#include "server/policy/masking.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "server/common/status.h"
#include "server/policy/crypto.h"

namespace cadastre::policy {
namespace {

using nlohmann::json;

const std::string kKey(32, '\x07');

constexpr v1::MaskType kAllTypes[] = {v1::MASK_TYPE_UNSPECIFIED,
                                      v1::MASK,
                                      v1::MASK_SHOW_LAST_4,
                                      v1::MASK_SHOW_FIRST_4,
                                      v1::MASK_HASH,
                                      v1::MASK_NULL,
                                      v1::MASK_NONE,
                                      v1::MASK_DATE_SHOW_YEAR,
                                      v1::CUSTOM,
                                      static_cast<v1::MaskType>(99)};

constexpr Dialect kAllDialects[] = {Dialect::kAnsi, Dialect::kTrino, Dialect::kSpark,
                                    Dialect::kSnowflake, Dialect::kPostgres};

json Mask(v1::MaskType type, const json& value) { return MaskValue(type, value, kKey); }

std::string Pseudonym(std::string_view key, std::string_view text) {
  return absl::BytesToHexString(HmacSha256(key, text));
}

// ------------------------------------------------------------------ MaskValue

TEST(MaskValue, NullStaysNullUnderEveryType) {
  for (v1::MaskType type : kAllTypes) EXPECT_EQ(Mask(type, nullptr), json(nullptr)) << type;
}

TEST(MaskValue, MaskReplacesCharacterClasses) {
  EXPECT_EQ(Mask(v1::MASK, "Hello, World 42!"), "Xxxxx, Xxxxx nn!");
  EXPECT_EQ(Mask(v1::MASK, "alice@example.com"), "xxxxx@xxxxxxx.xxx");
  EXPECT_EQ(Mask(v1::MASK, "a\tb\n~"), "x\tx\n~");
  EXPECT_EQ(Mask(v1::MASK, "ab"), "xx");
  EXPECT_EQ(Mask(v1::MASK, ""), "");
}

TEST(MaskValue, MaskWritesOneXPerNonAsciiCodePoint) {
  EXPECT_EQ(Mask(v1::MASK, "Zo\u00eb \u00c5ngstr\u00f6m"), "Xxx xxxxxxxx");  // Zoë Ångström
  EXPECT_EQ(Mask(v1::MASK, "\u6771\u4eac"), "xx");                           // 東京
  EXPECT_EQ(Mask(v1::MASK, "a\U0001F600b"), "xxx");                          // a😀b
}

TEST(MaskValue, MaskMasksNumbersAndBooleansAsText) {
  EXPECT_EQ(Mask(v1::MASK, 1234), "nnnn");
  EXPECT_EQ(Mask(v1::MASK, -7), "-n");
  EXPECT_EQ(Mask(v1::MASK, 18446744073709551615u), std::string(20, 'n'));
  EXPECT_EQ(Mask(v1::MASK, -12.5), "-nn.n");
  EXPECT_EQ(Mask(v1::MASK, 100.0), "nnn");
  EXPECT_EQ(Mask(v1::MASK, 1e20), "nx+nn");  // "1e+20"
  EXPECT_EQ(Mask(v1::MASK, true), "xxxx");
  EXPECT_EQ(Mask(v1::MASK, false), "xxxxx");
}

TEST(MaskValue, MaskMasksDatesAsText) {
  EXPECT_EQ(Mask(v1::MASK, "2024-03-05"), "nnnn-nn-nn");
  EXPECT_EQ(Mask(v1::MASK, "2024-03-05T10:11:12Z"), "nnnn-nn-nnXnn:nn:nnX");
}

TEST(MaskValue, ShowFirst4KeepsFourCodePointsAndMasksTheRestWithX) {
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, "1234-5678-9012-3456"), "1234-xxxx-xxxx-xxxx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, "Alice Smith"), "Alicx xxxxx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, "Zo\u00eb \u00c5ngstr\u00f6m"), "Zo\u00eb xxxxxxxx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, "\u6771\u4eac\u30bf\u30ef\u30fc"),
            "\u6771\u4eac\u30bf\u30efx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, "\U0001F600\U0001F600\U0001F600\U0001F600\U0001F600"),
            "\U0001F600\U0001F600\U0001F600\U0001F600x");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, 123456), "1234xx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, false), "falsx");
}

TEST(MaskValue, ShowLast4KeepsFourCodePointsAndMasksTheRestWithX) {
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, "1234-5678-9012-3456"), "xxxx-xxxx-xxxx-3456");
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, "Zo\u00eb \u00c5ngstr\u00f6m"), "xxx xxxxtr\u00f6m");
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, "a\U0001F600b\U0001F600c"), "x\U0001F600b\U0001F600c");
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, 123456), "xx3456");
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, -12.5), "-12.5");
}

TEST(MaskValue, ShowFourShowsShortValuesWhole) {
  for (v1::MaskType type : {v1::MASK_SHOW_FIRST_4, v1::MASK_SHOW_LAST_4}) {
    EXPECT_EQ(Mask(type, ""), "");
    EXPECT_EQ(Mask(type, "abc"), "abc");
    EXPECT_EQ(Mask(type, "abcd"), "abcd");
    EXPECT_EQ(Mask(type, "\u6771\u4eac"), "\u6771\u4eac");
    EXPECT_EQ(Mask(type, 42), "42");
    EXPECT_EQ(Mask(type, true), "true");
  }
}

TEST(MaskValue, InvalidUtf8IsMaskedPerByteAndNeverEscapes) {
  // Stray bytes, then a truncated sequence.
  const std::string bad = std::string("\xff\xfe") + "ab\xe2\x82";
  EXPECT_EQ(Mask(v1::MASK, bad), "xxxxxx");
  EXPECT_EQ(Mask(v1::MASK, std::string("a\0b", 3)), "xxx");
  EXPECT_EQ(Mask(v1::MASK, "\xed\xa0\x80"), "xxx");  // a surrogate is not a code point
  EXPECT_EQ(Mask(v1::MASK, "\xc0\xaf"), "xx");       // nor is an overlong encoding
  EXPECT_EQ(Mask(v1::MASK_SHOW_FIRST_4, std::string("\xff") + "abcde"),
            std::string("\xEF\xBF\xBD") + "abcxx");
  EXPECT_EQ(Mask(v1::MASK_SHOW_LAST_4, "abcde\xff"), "xxcde\xEF\xBF\xBD");
  // Every masked form is valid UTF-8: serialising it does not throw.
  for (v1::MaskType type : kAllTypes) {
    if (type == v1::MASK_NONE) continue;
    EXPECT_NO_THROW(Mask(type, bad).dump()) << type;
  }
  EXPECT_EQ(Mask(v1::MASK_HASH, bad), Pseudonym(kKey, bad));
  EXPECT_EQ(Mask(v1::MASK_NONE, bad), bad);
}

TEST(MaskValue, HashIsAKeyedPseudonymOfTheCanonicalText) {
  const json pseudonym = Mask(v1::MASK_HASH, "alice@example.com");
  EXPECT_EQ(pseudonym, Pseudonym(kKey, "alice@example.com"));
  EXPECT_EQ(pseudonym.get<std::string>().size(), 64u);
  EXPECT_EQ(pseudonym, Mask(v1::MASK_HASH, "alice@example.com"));  // joins
  EXPECT_NE(pseudonym, Mask(v1::MASK_HASH, "bob@example.com"));
  EXPECT_EQ(Mask(v1::MASK_HASH, "Zo\u00eb"), Pseudonym(kKey, "Zo\xc3\xab"));
  EXPECT_EQ(Mask(v1::MASK_HASH, ""), Pseudonym(kKey, ""));
  EXPECT_EQ(Mask(v1::MASK_HASH, 42), Pseudonym(kKey, "42"));
  EXPECT_EQ(Mask(v1::MASK_HASH, 100.0), Pseudonym(kKey, "100"));
  EXPECT_EQ(Mask(v1::MASK_HASH, -0.5), Pseudonym(kKey, "-0.5"));
  EXPECT_EQ(Mask(v1::MASK_HASH, 1e20), Pseudonym(kKey, "1e+20"));
  EXPECT_EQ(Mask(v1::MASK_HASH, true), Pseudonym(kKey, "true"));
}

TEST(MaskValue, HashKeysSeparatePseudonyms) {
  const std::string other_key(32, '\x08');
  EXPECT_NE(MaskValue(v1::MASK_HASH, "alice", kKey), MaskValue(v1::MASK_HASH, "alice", other_key));
}

TEST(MaskValue, DateShowYearKeepsTheYearOfIsoDates) {
  for (const char* date :
       {"2024-03-05", "2024-02-29", "2024-12-31T23:30:00-05:00", "2024-03-05T10:11:12Z",
        "2024-03-05 10:11:12.123456", "2024-03-05T10:11", "2024-03-05t10:11:12+0530",
        "2024-03-05T10:11:12+05", "2024-01-01T00:00:00.5z"}) {
    EXPECT_EQ(Mask(v1::MASK_DATE_SHOW_YEAR, date), "2024-01-01") << date;
  }
  EXPECT_EQ(Mask(v1::MASK_DATE_SHOW_YEAR, "0999-05-01"), "0999-01-01");
}

TEST(MaskValue, DateShowYearNullsAnythingElse) {
  for (json value :
       {json("2023-02-29"), json("2024-13-01"), json("2024-04-31"), json("2024-3-5"),
        json("20240305"), json("0000-01-01"), json("2024-03-05 "), json("2024-03-05T24:00:00"),
        json("2024-03-05T10:11:60"), json("2024-03-05T10:11:12+"), json("2024-03-05T10:11:12.Z"),
        json("2024-03-05X10:11"), json("hello"), json(""), json(20240305), json(true),
        json::array({"2024-03-05"})}) {
    EXPECT_EQ(Mask(v1::MASK_DATE_SHOW_YEAR, value), json(nullptr)) << value;
  }
}

TEST(MaskValue, NullCustomAndUnspecifiedServeNull) {
  for (v1::MaskType type :
       {v1::MASK_NULL, v1::CUSTOM, v1::MASK_TYPE_UNSPECIFIED, static_cast<v1::MaskType>(99)}) {
    EXPECT_EQ(Mask(type, "secret"), json(nullptr)) << type;
    EXPECT_EQ(Mask(type, 7), json(nullptr)) << type;
  }
}

TEST(MaskValue, NoneServesTheValueUnchanged) {
  for (json value : {json("Zo\u00eb"), json(7), json(1.5), json(false), json::object({{"a", 1}})}) {
    EXPECT_EQ(Mask(v1::MASK_NONE, value), value);
  }
}

TEST(MaskValue, ObjectsArraysAndNonFiniteNumbersAreMaskedAsNull) {
  for (v1::MaskType type : {v1::MASK, v1::MASK_SHOW_FIRST_4, v1::MASK_SHOW_LAST_4, v1::MASK_HASH}) {
    EXPECT_EQ(Mask(type, json::object({{"a", "b"}})), json(nullptr)) << type;
    EXPECT_EQ(Mask(type, json::array({1, 2})), json(nullptr)) << type;
    EXPECT_EQ(Mask(type, json(std::nan(""))), json(nullptr)) << type;
  }
}

// ------------------------------------------------------------------ dialects

TEST(ParseDialect, ReadsTheFiveNamesAndDefaultsToAnsi) {
  EXPECT_EQ(*ParseDialect(""), Dialect::kAnsi);
  EXPECT_EQ(*ParseDialect("Trino"), Dialect::kTrino);
  EXPECT_EQ(*ParseDialect("SPARK"), Dialect::kSpark);
  for (Dialect dialect : kAllDialects) EXPECT_EQ(*ParseDialect(DialectName(dialect)), dialect);
}

TEST(ParseDialect, RefusesOtherNamesOnTheDialectField) {
  for (const char* bad : {"mysql", " postgres", "postgresql", "ansi;"}) {
    absl::StatusOr<Dialect> dialect = ParseDialect(bad);
    EXPECT_EQ(dialect.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(FieldOf(dialect.status()), "dialect");
    EXPECT_TRUE(
        absl::StrContains(dialect.status().message(), "ansi, trino, spark, snowflake, postgres"))
        << dialect.status();
  }
}

TEST(QuoteIdentifier, QuotesAndEscapes) {
  EXPECT_EQ(QuoteIdentifier(Dialect::kPostgres, "email"), R"("email")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSpark, "email"), "`email`");
  EXPECT_EQ(QuoteIdentifier(Dialect::kTrino, R"(we"ird)"), R"("we""ird")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSpark, "we`ird"), "`we``ird`");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSnowflake, "Mixed Case"), R"("Mixed Case")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kAnsi, ""), R"("")");
}

TEST(QuoteIdentifier, DotsAreNestedPaths) {
  EXPECT_EQ(QuoteIdentifier(Dialect::kAnsi, "address.city"), R"("address"."city")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kTrino, "address.city"), R"("address"."city")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSpark, "address.city"), "`address`.`city`");
  EXPECT_EQ(QuoteIdentifier(Dialect::kPostgres, "address.city"), R"(("address")."city")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSnowflake, "address.city"), R"("address":"city")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kPostgres, "a.b.c"), R"(("a")."b"."c")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSnowflake, "a.b.c"), R"("a":"b"."c")");
  // An empty part cannot be a path: the name is quoted whole.
  EXPECT_EQ(QuoteIdentifier(Dialect::kTrino, ".a"), R"(".a")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kTrino, "a..b"), R"("a..b")");
  EXPECT_EQ(QuoteIdentifier(Dialect::kSpark, "a."), "`a.`");
}

// ------------------------------------------------------------------ MaskExpression

std::string Expr(v1::MaskType type, Dialect dialect, std::string_view custom = "") {
  return MaskExpression(type, dialect, "c", custom, kKey);
}

TEST(MaskExpression, MaskPerDialect) {
  const std::string from = "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'";
  const std::string to = "'XXXXXXXXXXXXXXXXXXXXXXXXXXxxxxxxxxxxxxxxxxxxxxxxxxxxnnnnnnnnnn'";
  const struct {
    Dialect dialect;
    std::string text_type;
    std::string non_ascii_replacement;  // regexp_replace's last arguments
  } cases[] = {
      {Dialect::kPostgres, "text", R"(E'[^\\x01-\\x7f]', 'x', 'g')"},
      {Dialect::kTrino, "varchar", R"('[^\x01-\x7f]', 'x')"},
      {Dialect::kSpark, "string", R"('[^\u0001-\u007f]', 'x')"},
      {Dialect::kSnowflake, "varchar", R"('[^\u0001-\u007f]', 'x')"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Expr(v1::MASK, c.dialect), "regexp_replace(translate(CAST(c AS " + c.text_type +
                                             "), " + from + ", " + to + "), " +
                                             c.non_ascii_replacement + ")");
  }
}

TEST(MaskExpression, ShowFourPerDialect) {
  const std::string all_x = "'" + std::string(62, 'x') + "'";
  // Closes translate(…, from, to) and regexp_replace(…, non-ASCII, 'x').
  const std::string masked =
      ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', " + all_x +
      R"sql(), '[^\u0001-\u007f]', 'x'))sql";
  EXPECT_EQ(Expr(v1::MASK_SHOW_FIRST_4, Dialect::kSpark),
            "concat(substr(CAST(c AS string), 1, 4), regexp_replace(translate(substr(CAST(c AS "
            "string), 5)" +
                masked + ")");
  EXPECT_EQ(Expr(v1::MASK_SHOW_LAST_4, Dialect::kSnowflake),
            "(regexp_replace(translate(substr(CAST(c AS varchar), 1, greatest(length(CAST(c AS "
            "varchar)) - 4, 0))" +
                masked +
                " || substr(CAST(c AS varchar), greatest(length(CAST(c AS varchar)) - 3, 1)))");
}

TEST(MaskExpression, HashUsesTheKeyBlocksOrTheKey) {
  const std::string zero_key(32, '\0');
  std::string outer;  // key XOR opad for a zero key
  for (int i = 0; i < 64; ++i) outer += "5c";
  const std::string pg = MaskExpression(v1::MASK_HASH, Dialect::kPostgres, "c", "", zero_key);
  EXPECT_EQ(pg, "encode(sha256(decode('" + outer + "', 'hex') || sha256(decode('" +
                    absl::BytesToHexString(std::string(64, '\x36')) +  // key XOR ipad
                    "', 'hex') || convert_to(CAST(c AS text), 'UTF8'))), 'hex')");
  EXPECT_TRUE(absl::StrContains(MaskExpression(v1::MASK_HASH, Dialect::kSpark, "c", "", zero_key),
                                "sha2(concat(unhex('" + outer + "'), unhex(sha2(concat(unhex('"));
  EXPECT_TRUE(absl::StrContains(
      MaskExpression(v1::MASK_HASH, Dialect::kSnowflake, "c", "", zero_key),
      "lower(hex_encode(sha2_binary(to_binary('" + outer + "', 'HEX') || sha2_binary("));
  EXPECT_EQ(MaskExpression(v1::MASK_HASH, Dialect::kTrino, "c", "", "\x01\xab"),
            "lower(to_hex(hmac_sha256(to_utf8(CAST(c AS varchar)), from_hex('01ab'))))");
  // A key longer than the block enters through its SHA-256, as in RFC 2104.
  const std::string long_key(131, '\xaa');
  std::string block = Sha256(long_key);
  block.resize(64, '\0');
  for (char& b : block) b = static_cast<char>(b ^ 0x36);
  EXPECT_TRUE(
      absl::StrContains(MaskExpression(v1::MASK_HASH, Dialect::kPostgres, "c", "", long_key),
                        absl::BytesToHexString(block)));
}

TEST(MaskExpression, DateShowYearPerDialect) {
  EXPECT_EQ(Expr(v1::MASK_DATE_SHOW_YEAR, Dialect::kPostgres),
            "make_date(CAST(extract(year FROM CAST(c AS date)) AS integer), 1, 1)");
  EXPECT_EQ(Expr(v1::MASK_DATE_SHOW_YEAR, Dialect::kTrino), "date_trunc('year', CAST(c AS date))");
  EXPECT_EQ(Expr(v1::MASK_DATE_SHOW_YEAR, Dialect::kSnowflake),
            "date_trunc('year', CAST(c AS date))");
  EXPECT_EQ(Expr(v1::MASK_DATE_SHOW_YEAR, Dialect::kSpark), "trunc(CAST(c AS date), 'year')");
  EXPECT_EQ(Expr(v1::MASK_DATE_SHOW_YEAR, Dialect::kAnsi),
            "CAST(SUBSTRING(CAST(CAST(c AS date) AS CHAR(10)) FROM 1 FOR 4) || '-01-01' AS DATE)");
}

TEST(MaskExpression, NoneNullAndCustom) {
  for (Dialect dialect : kAllDialects) {
    EXPECT_EQ(MaskExpression(v1::MASK_NONE, dialect, R"("email")", "", kKey), R"("email")");
    EXPECT_EQ(Expr(v1::MASK_NULL, dialect), "NULL");
    EXPECT_EQ(Expr(v1::MASK_TYPE_UNSPECIFIED, dialect), "NULL");
    EXPECT_EQ(Expr(static_cast<v1::MaskType>(99), dialect), "NULL");
    EXPECT_EQ(Expr(v1::CUSTOM, dialect), "NULL");
    EXPECT_EQ(MaskExpression(v1::CUSTOM, dialect, R"("e")", "left({col}, 1) || {col}", kKey),
              R"((left("e", 1) || "e"))");
  }
}

TEST(MaskExpression, AnsiHasNoTextOrHashFunctionsSoNull) {
  for (v1::MaskType type : {v1::MASK, v1::MASK_SHOW_FIRST_4, v1::MASK_SHOW_LAST_4, v1::MASK_HASH}) {
    EXPECT_EQ(Expr(type, Dialect::kAnsi), "NULL") << type;
  }
}

TEST(MaskExpression, EveryExpressionIsBalanced) {
  for (Dialect dialect : kAllDialects) {
    for (v1::MaskType type : kAllTypes) {
      const std::string sql =
          MaskExpression(type, dialect, QuoteIdentifier(dialect, "a.b"), "upper({col})", kKey);
      int depth = 0;
      bool in_string = false;
      for (char c : sql) {
        if (c == '\'') in_string = !in_string;
        if (in_string) continue;
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        ASSERT_GE(depth, 0) << sql;
      }
      EXPECT_EQ(depth, 0) << sql;
      EXPECT_FALSE(in_string) << sql;
    }
  }
}

// ------------------------------------------------------------------ DecideMask

v1::MaskingPolicy Policy(std::string name, std::string tag, v1::MaskType type, int priority = 0,
                         std::vector<std::string> unmasked_roles = {}) {
  v1::MaskingPolicy policy;
  policy.set_name(std::move(name));
  policy.set_tag(std::move(tag));
  policy.set_mask_type(type);
  policy.set_priority(priority);
  for (std::string& role : unmasked_roles) policy.add_unmasked_roles(std::move(role));
  return policy;
}

void ExpectDecision(const MaskDecision& decision, v1::MaskType type, std::string_view policy,
                    std::string_view tag) {
  EXPECT_EQ(decision.type, type);
  EXPECT_EQ(decision.policy, policy);
  EXPECT_EQ(decision.tag, tag);
}

TEST(DecideMask, NoMatchingPolicyShowsClear) {
  ExpectDecision(DecideMask({}, {"PII"}, {}), v1::MASK_NONE, "", "");
  ExpectDecision(DecideMask({Policy("p", "PII", v1::MASK)}, {}, {}), v1::MASK_NONE, "", "");
  ExpectDecision(DecideMask({Policy("p", "Finance", v1::MASK)}, {"PII"}, {}), v1::MASK_NONE, "",
                 "");
}

TEST(DecideMask, MatchesTheTagAndItsDescendantsOnly) {
  const std::vector<v1::MaskingPolicy> pii = {Policy("pii", "PII", v1::MASK_HASH)};
  ExpectDecision(DecideMask(pii, {"PII"}, {}), v1::MASK_HASH, "pii", "PII");
  ExpectDecision(DecideMask(pii, {"PII.Email"}, {}), v1::MASK_HASH, "pii", "PII.Email");
  ExpectDecision(DecideMask(pii, {"PII.Email.Work"}, {}), v1::MASK_HASH, "pii", "PII.Email.Work");
  ExpectDecision(DecideMask(pii, {"PIIX", "PIIX.Email", "XPII", "pii"}, {}), v1::MASK_NONE, "", "");
  // A policy on a child tag does not cover its parent.
  ExpectDecision(DecideMask({Policy("email", "PII.Email", v1::MASK)}, {"PII"}, {}), v1::MASK_NONE,
                 "", "");
  // A policy without a tag covers nothing.
  ExpectDecision(DecideMask({Policy("empty", "", v1::MASK)}, {"PII", ""}, {}), v1::MASK_NONE, "",
                 "");
}

TEST(DecideMask, ReportsTheSmallestMatchedColumnTag) {
  ExpectDecision(
      DecideMask({Policy("pii", "PII", v1::MASK)}, {"PII.Phone", "Other", "PII.Email"}, {}),
      v1::MASK, "pii", "PII.Email");
}

TEST(DecideMask, HighestPriorityWinsOverSpecificity) {
  const std::vector<v1::MaskingPolicy> policies = {
      Policy("email", "PII.Email", v1::MASK_SHOW_LAST_4, 1), Policy("pii", "PII", v1::MASK_NULL, 5),
      Policy("low", "PII.Email", v1::MASK, -3)};
  ExpectDecision(DecideMask(policies, {"PII.Email"}, {}), v1::MASK_NULL, "pii", "PII.Email");
}

TEST(DecideMask, ThenTheMostSpecificTag) {
  std::vector<v1::MaskingPolicy> policies = {Policy("a-pii", "PII", v1::MASK_NULL, 2),
                                             Policy("z-email", "PII.Email", v1::MASK_HASH, 2)};
  ExpectDecision(DecideMask(policies, {"PII.Email"}, {}), v1::MASK_HASH, "z-email", "PII.Email");
  std::reverse(policies.begin(), policies.end());
  ExpectDecision(DecideMask(policies, {"PII.Email"}, {}), v1::MASK_HASH, "z-email", "PII.Email");
}

TEST(DecideMask, ThenTheSmallestName) {
  std::vector<v1::MaskingPolicy> policies = {Policy("b", "PII.Email", v1::MASK_NULL),
                                             Policy("a", "Contact.Email", v1::MASK_HASH),
                                             Policy("c", "PII.Email", v1::MASK)};
  const std::vector<std::string> tags = {"PII.Email", "Contact.Email"};
  ExpectDecision(DecideMask(policies, tags, {}), v1::MASK_HASH, "a", "Contact.Email");
  std::reverse(policies.begin(), policies.end());
  ExpectDecision(DecideMask(policies, tags, {}), v1::MASK_HASH, "a", "Contact.Email");
}

TEST(DecideMask, UnmaskedRoleOfTheWinnerShowsClear) {
  const std::vector<v1::MaskingPolicy> policies = {
      Policy("pii", "PII", v1::MASK_HASH, 1, {"privacy-officer", "dpo"}),
      Policy("email", "PII.Email", v1::MASK_NULL, 0, {"support"})};
  ExpectDecision(DecideMask(policies, {"PII.Email"}, {"analyst", "dpo"}), v1::MASK_NONE, "pii",
                 "PII.Email");
  // A role that only a losing policy exempts does not help.
  ExpectDecision(DecideMask(policies, {"PII.Email"}, {"support"}), v1::MASK_HASH, "pii",
                 "PII.Email");
}

TEST(DecideMask, UnspecifiedOrUnknownTypeFailsSafeToNull) {
  ExpectDecision(DecideMask({Policy("p", "PII", v1::MASK_TYPE_UNSPECIFIED)}, {"PII"}, {}),
                 v1::MASK_NULL, "p", "PII");
  ExpectDecision(DecideMask({Policy("p", "PII", static_cast<v1::MaskType>(42))}, {"PII"}, {}),
                 v1::MASK_NULL, "p", "PII");
}

}  // namespace
}  // namespace cadastre::policy
