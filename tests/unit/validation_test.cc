#include "server/catalog/validation.h"

#include <gtest/gtest.h>

#include "server/common/status.h"

namespace cadastre::catalog {
namespace {

TEST(ValidateName, AcceptsRealNamespacesAndNames) {
  for (const char* ok : {"postgres://crm:5432", "s3://grid-raw", "bigquery", "public.customers",
                         "gs://bucket/path/file.csv", "address.city", "Customer Lifetime Value",
                         "caf\xC3\xA9"}) {
    EXPECT_TRUE(ValidateName("name", ok).ok()) << ok;
  }
}

TEST(ValidateName, RejectsAndNamesTheField) {
  const std::string too_long(kMaxNameBytes + 1, 'a');
  for (std::string bad : {std::string(""), too_long, std::string(" lead"), std::string("trail "),
                          std::string("tab\there"), std::string("nul\0x", 5),
                          std::string("\xC3\x28"), std::string("\xED\xA0\x80"),
                          std::string("\xC0\xAF"), std::string("\xE2\x82")}) {
    absl::Status status = ValidateName("fields[3].name", bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(FieldOf(status), "fields[3].name");
  }
}

TEST(ValidateTagName, HierarchicalSegments) {
  EXPECT_TRUE(ValidateTagName("tag", "PII").ok());
  EXPECT_TRUE(ValidateTagName("tag", "PII.Email").ok());
  EXPECT_TRUE(ValidateTagName("tag", "Confidential.HR-2_x").ok());
  for (const char* bad : {"", ".PII", "PII.", "PII..Email", "PII Email", "PII/Email", "PII.É"}) {
    EXPECT_EQ(ValidateTagName("tag", bad).code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ValidatePage, DefaultsAndBounds) {
  EXPECT_EQ(ValidatePage(std::nullopt, 0)->limit, kDefaultPageSize);
  EXPECT_EQ(FieldOf(ValidatePage(0, 0).status()), "limit");
  EXPECT_EQ(ValidatePage(5, 10)->offset, 10);
  EXPECT_EQ(FieldOf(ValidatePage(-1, 0).status()), "limit");
  EXPECT_EQ(FieldOf(ValidatePage(kMaxPageSize + 1, 0).status()), "limit");
  EXPECT_EQ(FieldOf(ValidatePage(10, -1).status()), "offset");
}

}  // namespace
}  // namespace cadastre::catalog
