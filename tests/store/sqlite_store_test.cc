// What the SQLite store promises beyond the conformance suite: the file on
// disk (WAL, schema version, migrations), durability across a crash, and
// the row-level identity that later features (lineage) rely on. These tests
// look underneath the Store interface with the sqlite3 C API.
#include "server/store/sqlite_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::HasSubstr;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/sqlite_store_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/cadastre.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  absl::StatusOr<std::unique_ptr<Store>> Open(Durability durability = Durability::kFull,
                                              int readers = 2) {
    return OpenSqliteStore({.path = path_, .durability = durability, .readers = readers});
  }

  // Runs `sql` on its own connection and answers the first column of the
  // first row as text ("" when there is no row).
  std::string Query(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string result;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK) {
      if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0)) {
        result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
      }
    } else {
      ADD_FAILURE() << sqlite3_errmsg(db) << " in " << sql;
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return result;
  }

  static absl::Status PutNamespace(Store& store, const std::string& name) {
    return store.Write([&](WriteTxn& txn) {
      v1::Namespace ns;
      ns.set_name(name);
      return txn.PutNamespace(ns);
    });
  }

  static absl::Status PutFields(Store& store, std::vector<std::string> names) {
    return store.Write([&](WriteTxn& txn) {
      v1::Dataset dataset;
      dataset.set_namespace_("ns");
      dataset.set_name("t");
      for (const std::string& name : names) dataset.add_fields()->set_name(name);
      return txn.PutDataset(dataset);
    });
  }

  std::string FieldId(const std::string& name) {
    return Query("SELECT id FROM dataset_fields WHERE name = '" + name + "'");
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, ReopeningKeepsTheData) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
    ASSERT_OK(PutNamespace(*store, "kept"));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  EXPECT_OK(store->Read([](ReadTxn& txn) { return txn.GetNamespace("kept").status(); }));
}

TEST_F(SqliteStoreTest, MigrationsBringTheFileToTheLatestVersionOnce) {
  EXPECT_GE(LatestSchemaVersion(), 2);  // 0001 catalog, 0002 lineage
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
    ASSERT_OK(PutNamespace(*store, "ns"));
  }
  EXPECT_EQ(Query("PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  // A second open finds nothing to do: rerunning 0001 would fail on its
  // CREATE TABLEs, and would lose the row.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  EXPECT_EQ(Query("PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM namespaces"), "1");
}

TEST_F(SqliteStoreTest, AVersion1DatabaseIsUpgradedInPlace) {
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
    ASSERT_OK(PutNamespace(*store, "ns"));
    ASSERT_OK(PutFields(*store, {"a"}));
  }
  // Take the file back to what 0001 left.
  for (const char* table :
       {"column_edges", "job_io", "lineage_events", "runs", "jobs", "field_tag_blocks",
        "dataset_samples", "masking_policies", "grants", "roles", "search_vocab", "search_fts",
        "search_docs", "search_state", "external_ids"}) {
    Query(std::string("DROP TABLE ") + table);
  }
  Query("ALTER TABLE datasets DROP COLUMN created_by");
  Query("PRAGMA user_version = 1");
  ASSERT_EQ(Query("SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs'"), "0");

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  EXPECT_EQ(Query("PRAGMA user_version"), std::to_string(LatestSchemaVersion()));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM dataset_fields"), "1");
  // What existed before the search index is indexed at the upgrade: the
  // dataset and its column.
  EXPECT_EQ(Query("SELECT group_concat(kind || ':' || title, ' ') FROM "
                  "(SELECT kind, title FROM search_docs ORDER BY kind)"),
            "1:t 2:a");
  // "a" is the column, and a column name of the dataset.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM search_fts WHERE search_fts MATCH 'a'"), "2");
  v1::Job job;
  job.set_namespace_("etl");
  job.set_name("load");
  EXPECT_OK(store->Write([&](WriteTxn& txn) { return txn.PutJob(job).status(); }));
}

TEST_F(SqliteStoreTest, AnOpenEdgeIsStoredWithoutAnEnd) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  ASSERT_OK(PutFields(*store, {"a", "b"}));
  ASSERT_OK(store->Write([&](WriteTxn& txn) -> absl::Status {
    v1::Job job;
    job.set_namespace_("etl");
    job.set_name("load");
    ASSIGN_OR_RETURN(int64_t job_id, txn.PutJob(job));
    ASSIGN_OR_RETURN(int64_t dataset, txn.DatasetRowId("ns", "t"));
    ColumnEdgeRow row;
    row.source_field = std::stoll(FieldId("a"));
    row.target_dataset = dataset;
    row.job = job_id;
    row.type = "DIRECT";
    RETURN_IF_ERROR(txn.InsertColumnEdge(row).status());
    row.source_field = std::stoll(FieldId("b"));
    row.valid_to = 5;
    return txn.InsertColumnEdge(row).status();
  }));
  // kOpenEnd is NULL on disk (as is a dataset-level target), so "open"
  // is an IS NULL test that the partial indexes serve.
  EXPECT_EQ(Query("SELECT COUNT(*) FROM column_edges WHERE valid_to IS NULL"), "1");
  EXPECT_EQ(Query("SELECT COUNT(*) FROM column_edges WHERE target_field IS NULL"), "2");
}

TEST_F(SqliteStoreTest, ANewerDatabaseIsRefused) {
  Query("PRAGMA user_version = 999");
  absl::StatusOr<std::unique_ptr<Store>> store = Open();
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kFailedPrecondition, "999"));
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr(std::to_string(LatestSchemaVersion())));
  // Refusing changed nothing.
  EXPECT_EQ(Query("PRAGMA user_version"), "999");
}

TEST_F(SqliteStoreTest, TheFileIsInWalMode) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  EXPECT_EQ(Query("PRAGMA journal_mode"), "wal");
}

TEST_F(SqliteStoreTest, AnAcknowledgedWriteSurvivesKill9) {
  pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    // The child writes, then dies without closing anything.
    absl::StatusOr<std::unique_ptr<Store>> store = Open(Durability::kNormal);
    if (!store.ok() || !PutNamespace(**store, "durable").ok()) _exit(1);
    kill(getpid(), SIGKILL);
    _exit(2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited with " << status;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  EXPECT_OK(store->Read([](ReadTxn& txn) { return txn.GetNamespace("durable").status(); }));
}

TEST_F(SqliteStoreTest, FieldsKeepTheirRowIdAcrossPuts) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  ASSERT_OK(PutFields(*store, {"a", "b"}));
  std::string a = FieldId("a");
  std::string b = FieldId("b");
  ASSERT_NE(a, "");

  ASSERT_OK(PutFields(*store, {"b", "a", "c"}));
  EXPECT_EQ(FieldId("a"), a);
  EXPECT_EQ(FieldId("b"), b);

  // A removed field's id is never handed to a newcomer.
  ASSERT_OK(PutFields(*store, {"a"}));
  ASSERT_OK(PutFields(*store, {"a", "d"}));
  EXPECT_GT(std::stoll(FieldId("d")), std::stoll(b));
}

// A dataset one read found is kept for the next reads until a write
// (KeptDatasets). A read still sees every write committed before it began,
// and one snapshot throughout, even when its first dataset came from the
// cache and a write committed before its next read.
TEST_F(SqliteStoreTest, AKeptDatasetNeverHidesAWriteNorMixesSnapshots) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  ASSERT_OK(PutFields(*store, {"a"}));
  auto fields = [](ReadTxn& txn) -> absl::StatusOr<int> {
    ASSIGN_OR_RETURN(v1::Dataset dataset, txn.GetDataset("ns", "t"));
    return dataset.fields_size();
  };
  auto read = [&] {
    int count = -1;
    EXPECT_OK(store->Read([&](ReadTxn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(count, fields(txn));
      return absl::OkStatus();
    }));
    return count;
  };
  EXPECT_EQ(read(), 1);
  EXPECT_EQ(read(), 1);
  ASSERT_OK(PutFields(*store, {"a", "b"}));
  EXPECT_EQ(read(), 2);
  EXPECT_EQ(read(), 2);

  ASSERT_OK(store->Read([&](ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(int first, fields(txn));  // kept by the reads above
    std::thread writer([&] { EXPECT_OK(PutFields(*store, {"a", "b", "c"})); });
    writer.join();
    ASSIGN_OR_RETURN(int second, fields(txn));  // read from SQLite
    EXPECT_EQ(first, 2);
    EXPECT_EQ(second, 2);
    return absl::OkStatus();
  }));
  EXPECT_EQ(read(), 3);
}

// A write that throws is rolled back and still closes its generation, so
// what readers keep works again afterwards.
TEST_F(SqliteStoreTest, AWriteThatThrowsEndsItsGeneration) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  const uint64_t before = store->Generation();
  EXPECT_THROW((void)store->Write([](WriteTxn& txn) -> absl::Status {
    v1::Namespace ns;
    ns.set_name("thrown");
    (void)txn.PutNamespace(ns);
    throw std::runtime_error("a bug in the write");
  }),
               std::runtime_error);
  EXPECT_EQ(store->Generation(), before + 2);
  EXPECT_EQ(Query("SELECT COUNT(*) FROM namespaces WHERE name = 'thrown'"), "0");
}

TEST_F(SqliteStoreTest, AFailedPutDatasetChangesNothingEvenInACommittedWrite) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  ASSERT_OK(PutFields(*store, {"a", "b"}));
  ASSERT_OK(store->Write([](WriteTxn& txn) {
    v1::Dataset bad;
    bad.set_namespace_("ns");
    bad.set_name("t");
    bad.add_fields()->set_name("a");
    bad.add_tags("NoSuchTag");
    EXPECT_THAT(txn.PutDataset(bad), StatusIs(absl::StatusCode::kFailedPrecondition, "NoSuchTag"));
    return absl::OkStatus();  // commit whatever the failed call left
  }));
  EXPECT_EQ(Query("SELECT COUNT(*) FROM dataset_fields"), "2");
}

TEST_F(SqliteStoreTest, DuplicateFieldNamesAreInvalid) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open());
  ASSERT_OK(PutNamespace(*store, "ns"));
  EXPECT_THAT(PutFields(*store, {"a", "b", "a"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "\"a\""));
}

TEST_F(SqliteStoreTest, NormalDurabilityWorks) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open(Durability::kNormal));
  ASSERT_OK(PutNamespace(*store, "ns"));
  EXPECT_OK(store->Read([](ReadTxn& txn) { return txn.GetNamespace("ns").status(); }));
}

TEST_F(SqliteStoreTest, MoreReadersThanConnectionsWaitTheirTurn) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> store, Open(Durability::kFull, 1));
  ASSERT_OK(PutNamespace(*store, "ns"));
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        absl::Status status =
            store->Read([](ReadTxn& txn) { return txn.GetNamespace("ns").status(); });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
}

TEST_F(SqliteStoreTest, AtLeastOneReaderIsNeeded) {
  EXPECT_THAT(Open(Durability::kFull, 0), StatusIs(absl::StatusCode::kInvalidArgument, "reader"));
}

}  // namespace
}  // namespace cadastre::store::testing
