// The store conformance suite: what every Store must do, whatever it runs
// on. A new store (PostgreSQL) adds one INSTANTIATE_TEST_SUITE_P line in
// store_conformance_test.cc and must pass every test unchanged.
//
// The suite only speaks the Store interface; anything that needs to look
// underneath belongs in the store's own tests (sqlite_store_test.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "server/common/status.h"
#include "server/store/store.h"

namespace cadastre::store::testing {

namespace v1 = ::cadastre::v1;

// A store implementation under test: `open` creates a fresh, empty store
// keeping its files (if any) under `dir`, which the suite removes afterwards.
struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

// Every backend the suite runs against (defined in store_conformance_test.cc).
std::vector<StoreBackend> AllBackends();

// Names the instantiations after the backend ("Backends/StoreTest.X/Sqlite").
inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& param_info) {
  return param_info.param.name;
}

inline std::ostream& operator<<(std::ostream& os, const StoreBackend& backend) {
  return os << backend.name;
}

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    const ::absl::Status _assert_ok_status = (expr);          \
    ASSERT_TRUE(_assert_ok_status.ok()) << _assert_ok_status; \
  } while (0)

#define EXPECT_OK(expr)                                       \
  do {                                                        \
    const ::absl::Status _expect_ok_status = (expr);          \
    EXPECT_TRUE(_expect_ok_status.ok()) << _expect_ok_status; \
  } while (0)

#define CADASTRE_TEST_CONCAT_INNER(a, b) a##b
#define CADASTRE_TEST_CONCAT(a, b) CADASTRE_TEST_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                        \
  auto CADASTRE_TEST_CONCAT(_statusor_, __LINE__) = (expr);    \
  ASSERT_TRUE(CADASTRE_TEST_CONCAT(_statusor_, __LINE__).ok()) \
      << CADASTRE_TEST_CONCAT(_statusor_, __LINE__).status();  \
  lhs = std::move(*CADASTRE_TEST_CONCAT(_statusor_, __LINE__))

// Matches an absl::Status or StatusOr whose code is `code` and whose
// message contains `substring`.
MATCHER_P2(StatusIs, code, substring,
           absl::StrCat("has code ", absl::StatusCodeToString(code), " and a message containing \"",
                        substring, "\"")) {
  absl::Status status;
  if constexpr (std::is_same_v<std::decay_t<decltype(arg)>, absl::Status>) {
    status = arg;
  } else {
    status = arg.status();
  }
  *result_listener << "status is " << status;
  return status.code() == code &&
         std::string(status.message()).find(substring) != std::string::npos;
}

// Matches an OK StatusOr whose value matches `matcher`.
MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

// Matches a message equal to `expected`, printing the difference if not.
MATCHER_P(EqualsProto, expected, "equals " + expected.ShortDebugString()) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(arg, expected)) return true;
  *result_listener << "differs: " << diff;
  return false;
}

inline google::protobuf::Timestamp Micros(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

// A dataset document with only its identity set.
v1::Dataset Dataset(const std::string& ns, const std::string& name);
// A field carrying `tags` and glossary `terms`.
v1::Field Field(const std::string& name, std::vector<std::string> tags = {},
                std::vector<std::string> terms = {});

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Store& store() { return *store_; }

  // Runs one write transaction around `fn`.
  absl::Status Write(const std::function<absl::Status(WriteTxn&)>& fn) { return store_->Write(fn); }

  // Runs `fn` in its own read transaction and answers what it answered.
  template <typename F>
  auto ReadOne(F fn) -> decltype(fn(std::declval<ReadTxn&>())) {
    decltype(fn(std::declval<ReadTxn&>())) result = absl::UnknownError("read function did not run");
    absl::Status status = store_->Read([&](ReadTxn& txn) {
      result = fn(txn);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return result;
  }

  // Shorthands that seed the store, each in its own transaction.
  absl::Status PutNamespace(const std::string& name);
  absl::Status PutTag(const std::string& name);
  absl::Status PutTerm(const std::string& name, const std::string& parent = "",
                       std::vector<std::string> related = {});
  absl::Status PutDataset(const v1::Dataset& dataset);

  absl::StatusOr<v1::Dataset> GetDataset(const std::string& ns, const std::string& name) {
    return ReadOne([&](ReadTxn& txn) { return txn.GetDataset(ns, name); });
  }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace cadastre::store::testing
