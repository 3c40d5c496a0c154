// The audit log's chain: what Verify finds when records are edited,
// deleted, reordered or truncated behind its back, and what pruning and a
// restart leave verifiable.
#include "server/audit/audit_log.h"
#include "server/audit/access_report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "server/store/sqlite_db.h"

namespace cadastre::audit {
namespace {

namespace fs = std::filesystem;

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           absl::StrCat("cadastre-audit-", ::testing::UnitTest::GetInstance()->random_seed(), "-",
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    options_.path = (dir_ / "audit.db").string();
    options_.head_path = (dir_ / "audit.head").string();
    options_.key = std::string(32, 'k');
    options_.checkpoint_every = 5;
    options_.fsync = false;
  }
  void TearDown() override {
    log_.reset();
    fs::remove_all(dir_);
  }

  void Open() {
    auto opened = AuditLog::Open(options_, &clock_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    log_ = *std::move(opened);
  }

  // Appends `n` records of principal `who`, one second apart.
  void Append(int n, const std::string& who = "alice") {
    for (int i = 0; i < n; ++i) {
      v1::AuditRecord record;
      record.set_principal(who);
      record.set_action("CatalogService.GetDataset");
      record.set_namespace_("crm");
      record.set_dataset(absl::StrCat("t", i));
      record.set_decision(v1::AUDIT_ALLOWED);
      record.set_status("OK");
      ASSERT_TRUE(log_->Append(record).ok());
      clock_.Advance(absl::Seconds(1));
    }
  }

  // Changes the file behind the log's back, as someone with the file would.
  void Tamper(const std::string& sql) {
    auto db = store::SqliteDb::Open(options_.path, {});
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec(sql).ok()) << sql;
  }

  v1::AuditChainStatus Verify() {
    auto status = log_->Verify();
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? *status : v1::AuditChainStatus();
  }

  fs::path dir_;
  AuditOptions options_;
  FakeClock clock_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, AnUntouchedChainVerifies) {
  Open();
  Append(12);
  const v1::AuditChainStatus status = Verify();
  EXPECT_TRUE(status.ok()) << status.reason();
  EXPECT_EQ(status.records(), 12);
  EXPECT_EQ(status.first_seq(), 1);
  EXPECT_EQ(status.last_seq(), 12);
  EXPECT_EQ(status.first_broken_seq(), 0);
  auto records = log_->Query({});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 12u);
  EXPECT_EQ((*records)[0].prev_hash(), std::string(64, '0'));
  EXPECT_EQ((*records)[1].prev_hash(), (*records)[0].hash());
  EXPECT_EQ((*records)[11].hash(), status.head_hash());
  EXPECT_EQ(ChainHash((*records)[5]), (*records)[5].hash());
}

TEST_F(AuditLogTest, AnEditedRecordIsFound) {
  Open();
  Append(12);
  Tamper("UPDATE audit_log SET principal = 'mallory' WHERE seq = 7");
  const v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 7);
  EXPECT_NE(status.reason().find("altered"), std::string::npos) << status.reason();
}

TEST_F(AuditLogTest, ARecomputedHashStillBreaksTheNextLink) {
  Open();
  Append(12);
  auto records = log_->Query({});
  ASSERT_TRUE(records.ok());
  v1::AuditRecord forged = (*records)[6];
  forged.set_principal("mallory");
  Tamper(absl::StrCat("UPDATE audit_log SET principal = 'mallory', hash = '", ChainHash(forged),
                      "' WHERE seq = 7"));
  const v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 8) << status.reason();
}

TEST_F(AuditLogTest, ADeletedRecordIsFound) {
  Open();
  Append(12);
  Tamper("DELETE FROM audit_log WHERE seq = 4");
  const v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 4);
  EXPECT_NE(status.reason().find("missing"), std::string::npos) << status.reason();
}

TEST_F(AuditLogTest, ReorderedRecordsAreFound) {
  Open();
  Append(12);
  Tamper(
      "UPDATE audit_log SET seq = -1 WHERE seq = 3;"
      "UPDATE audit_log SET seq = 3 WHERE seq = 4;"
      "UPDATE audit_log SET seq = 4 WHERE seq = -1;");
  const v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 3) << status.reason();
}

TEST_F(AuditLogTest, ATruncatedTailIsFoundByTheSignedHead) {
  Open();
  Append(12);  // checkpoints at 5 and 10, and the head file
  log_.reset();  // and one at 12 on close
  Open();
  Tamper("DELETE FROM audit_log WHERE seq > 9");
  v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 10) << status.reason();
  EXPECT_NE(status.reason().find("truncated"), std::string::npos) << status.reason();

  // Deleting the checkpoints too does not help: the head file remembers.
  Tamper("DELETE FROM audit_checkpoints");
  status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 10) << status.reason();
}

TEST_F(AuditLogTest, AForgedCheckpointIsFound) {
  Open();
  Append(6);
  Tamper("UPDATE audit_checkpoints SET hash = 'beef' WHERE seq = 5");
  const v1::AuditChainStatus status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 5);
  EXPECT_NE(status.reason().find("signature"), std::string::npos) << status.reason();
}

TEST_F(AuditLogTest, TheChainGoesOnAcrossARestart) {
  Open();
  Append(3);
  log_.reset();
  Open();
  Append(3);
  const v1::AuditChainStatus status = Verify();
  EXPECT_TRUE(status.ok()) << status.reason();
  EXPECT_EQ(status.last_seq(), 6);
}

TEST_F(AuditLogTest, PruningKeepsTheRestVerifiable) {
  options_.retention = absl::Seconds(30);
  Open();
  Append(40);  // times t0 .. t0+39s; the clock is now t0+40s
  ASSERT_TRUE(log_->Prune().ok());
  v1::AuditChainStatus status = Verify();
  EXPECT_TRUE(status.ok()) << status.reason();
  EXPECT_EQ(status.first_seq(), 11);  // older than 30 s: seq 1..10
  EXPECT_EQ(status.records(), 30);
  auto checkpoints = log_->Checkpoints(100);
  ASSERT_TRUE(checkpoints.ok());
  bool pruned = false;
  for (const v1::AuditCheckpoint& c : *checkpoints) pruned |= c.kind() == "prune" && c.seq() == 10;
  EXPECT_TRUE(pruned);
  // Pruning more by hand is not pruning: the start no longer follows.
  Tamper("DELETE FROM audit_log WHERE seq = 11");
  status = Verify();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.first_broken_seq(), 11);
}

TEST_F(AuditLogTest, QueriesFilterAndPage) {
  Open();
  Append(4, "alice");
  Append(3, "bob");
  AuditQuery bob;
  bob.principal = "bob";
  auto records = log_->Query(bob);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[0].seq(), 5);
  AuditQuery page;
  page.after_seq = 2;
  page.limit = 2;
  records = log_->Query(page);
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].seq(), 3);
  EXPECT_EQ((*records)[1].seq(), 4);
  AuditQuery window;
  window.from_us = (*log_->Query({}))[1].time().seconds() * 1000000;
  window.to_us = window.from_us + 2000000;
  records = log_->Query(window);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->size(), 2u);
  EXPECT_NE(log_->Pseudonym("alice"), log_->Pseudonym("bob"));
  EXPECT_EQ(log_->Pseudonym("alice"), log_->Pseudonym("alice"));
  EXPECT_EQ(log_->Pseudonym("alice").find("alice"), std::string::npos);
}

// The access report keeps the requests that touched personal columns, one
// row per column, and says how each was returned.
TEST_F(AuditLogTest, TheAccessReportListsPersonalColumnsClearMaskedOrMetadata) {
  Open();
  auto record = [&](const std::string& who, const std::string& dataset, const std::string& field,
                    std::vector<std::pair<std::string, std::string>> columns,
                    v1::AuditDecision decision) {
    v1::AuditRecord r;
    r.set_principal(who);
    r.set_action("SampleService.GetSample");
    r.set_namespace_("crm");
    r.set_dataset(dataset);
    r.set_field(field);
    r.set_decision(decision);
    for (const auto& [name, mask] : columns) {
      v1::AuditColumn* c = r.add_columns();
      c->set_field(name);
      c->set_mask_type(mask);
    }
    ASSERT_TRUE(log_->Append(r).ok());
    clock_.Advance(absl::Seconds(1));
  };
  record("ana", "customers", "", {{"email", "MASK_HASH"}, {"city", ""}}, v1::AUDIT_ALLOWED);  // 1
  record("eve", "customers", "", {{"email", ""}}, v1::AUDIT_ALLOWED);                          // 2
  record("ana", "orders", "", {{"total", ""}}, v1::AUDIT_ALLOWED);  // 3: no personal column
  record("bob", "customers", "", {}, v1::AUDIT_DENIED);            // 4: a refused read
  record("bob", "customers", "city", {}, v1::AUDIT_ALLOWED);       // 5: not personal
  record("bob", "customers", "email", {}, v1::AUDIT_ALLOWED);      // 6
  const PersonalColumnsOf personal = [](const std::string& ns, const std::string& dataset) {
    return ns == "crm" && dataset == "customers" ? std::vector<std::string>{"email"}
                                                 : std::vector<std::string>{};
  };
  v1::AccessReportRequest request;
  auto report = BuildAccessReport(*log_, request, personal);
  ASSERT_TRUE(report.ok()) << report.status();
  std::vector<std::string> rows;
  for (const v1::PersonalDataAccess& a : report->accesses()) {
    rows.push_back(absl::StrCat(a.seq(), " ", a.principal(), " ", a.column().field(), " ",
                                a.access(), " ", a.mask_type(), " ",
                                v1::AuditDecision_Name(a.decision())));
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"1 ana email MASKED MASK_HASH AUDIT_ALLOWED",
                                            "2 eve email CLEAR  AUDIT_ALLOWED",
                                            "4 bob  METADATA  AUDIT_DENIED",
                                            "6 bob email METADATA  AUDIT_ALLOWED"}));
  request.set_principal("eve");
  request.set_format("csv");
  report = BuildAccessReport(*log_, request, personal);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->accesses_size(), 0);
  const std::string& csv = report->export_().data();
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "seq,time,principal,action,namespace,dataset,field,access,maskType,decision\r");
  EXPECT_NE(csv.find(",eve,SampleService.GetSample,crm,customers,email,CLEAR,,AUDIT_ALLOWED"),
            std::string::npos)
      << csv;
  request.set_format("xml");
  EXPECT_EQ(BuildAccessReport(*log_, request, personal).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cadastre::audit
