// The words search indexes and corrects: identifier splitting, query
// words, the bounded edit distance and the vocabulary's nearest words.
#include <gtest/gtest.h>

#include "server/common/words.h"
#include "server/search/vocabulary.h"

namespace cadastre {
namespace {

TEST(WordsTest, SplitsLikeTheTokenizerAndLowersAscii) {
  EXPECT_EQ(Words("Customer_ID, e-mail  (v2)"),
            (std::vector<std::string>{"customer", "id", "e", "mail", "v2"}));
  EXPECT_EQ(Words("\"orders\" OR NEAR(x)"), (std::vector<std::string>{"orders", "or", "near", "x"}));
  EXPECT_EQ(Words("Café"), (std::vector<std::string>{"caf\xc3\xa9"}));
  EXPECT_TRUE(Words("  ;;; ").empty());
}

TEST(WordsTest, FindsTheWordsInsideIdentifiers) {
  EXPECT_EQ(IdentifierWords("customerId"), "customer Id");
  EXPECT_EQ(IdentifierWords("HTTPServer2"), "HTTP Server 2");
  EXPECT_EQ(IdentifierWords("invoiceLineItems"), "invoice Line Items");
  EXPECT_EQ(IdentifierWords("lineAmount.total"), "line Amount total");
  // Nothing the tokenizer does not already split.
  EXPECT_EQ(IdentifierWords("customer_id"), "");
  EXPECT_EQ(IdentifierWords("orders"), "");
  EXPECT_EQ(IdentifierWords("ORDERS"), "");
}

TEST(WordsTest, EditDistanceCountsSwapsAsOneAndStopsAtTheBound) {
  EXPECT_EQ(EditDistance("email", "email", 2), 0);
  EXPECT_EQ(EditDistance("emial", "email", 2), 1);     // a swap
  EXPECT_EQ(EditDistance("custmer", "customer", 2), 1);  // an insertion
  EXPECT_EQ(EditDistance("kitten", "sitting", 3), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting", 1), 2);  // above the bound: bound + 1
  EXPECT_EQ(EditDistance("a", "abcdef", 2), 3);
  EXPECT_EQ(EditDistance("", "ab", 2), 2);
}

TEST(VocabularyWordsTest, KnowsWordsAndPrefixesAndFindsTheNearest) {
  search::Words words({"customer", "customers", "email", "emails", "order", "orders"});
  EXPECT_TRUE(words.Contains("email"));
  EXPECT_FALSE(words.Contains("emai"));
  EXPECT_TRUE(words.HasPrefix("emai"));
  EXPECT_TRUE(words.HasPrefix("ord"));
  EXPECT_FALSE(words.HasPrefix("orx"));
  EXPECT_EQ(words.Nearest("custmers", 2, 5), (std::vector<std::string>{"customers"}));
  EXPECT_EQ(words.Nearest("custmr", 2, 5), (std::vector<std::string>{"customer"}));
  EXPECT_EQ(words.Nearest("emailz", 1, 5), (std::vector<std::string>{"email", "emails"}));
  EXPECT_EQ(words.Nearest("emial", 1, 5), (std::vector<std::string>{"email"}));
  EXPECT_EQ(words.Nearest("email", 1, 5), (std::vector<std::string>{"emails"}));  // not itself
  EXPECT_TRUE(words.Nearest("zzzz", 1, 5).empty());
  EXPECT_EQ(words.Nearest("orderz", 1, 1), (std::vector<std::string>{"order"}));
}

}  // namespace
}  // namespace cadastre
