// The store conformance suite (see store_conformance.h): transactions,
// namespaces, history, principals and tokens. Datasets and the glossary
// have their own files; all run against every backend instantiated here.
#include "tests/store/store_conformance.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "server/store/sqlite_store.h"

namespace cadastre::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

StoreBackend Sqlite() {
  return {"Sqlite", [](const std::string& dir) -> std::unique_ptr<Store> {
            absl::StatusOr<std::unique_ptr<Store>> store =
                OpenSqliteStore({.path = dir + "/cadastre.db", .readers = 2});
            if (!store.ok()) {
              ADD_FAILURE() << store.status();
              return nullptr;
            }
            return std::move(*store);
          }};
}

}  // namespace

// A new store joins the suite here.
std::vector<StoreBackend> AllBackends() { return {Sqlite()}; }

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::ValuesIn(AllBackends()),
                         BackendName);

// ------------------------------------------------------------------ fixture

void StoreConformanceTest::SetUp() {
  std::string pattern = ::testing::TempDir() + "/store_conformance_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  dir_ = pattern;
  store_ = GetParam().open(dir_);
  ASSERT_NE(store_, nullptr);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

absl::Status StoreConformanceTest::PutNamespace(const std::string& name) {
  v1::Namespace ns;
  ns.set_name(name);
  return Write([&](WriteTxn& txn) { return txn.PutNamespace(ns); });
}

absl::Status StoreConformanceTest::PutTag(const std::string& name) {
  v1::Tag tag;
  tag.set_name(name);
  return Write([&](WriteTxn& txn) { return txn.PutTag(tag); });
}

absl::Status StoreConformanceTest::PutTerm(const std::string& name, const std::string& parent,
                                           std::vector<std::string> related) {
  v1::GlossaryTerm term;
  term.set_name(name);
  term.set_parent(parent);
  for (std::string& r : related) term.add_related_terms(std::move(r));
  return Write([&](WriteTxn& txn) { return txn.PutTerm(term); });
}

absl::Status StoreConformanceTest::PutDataset(const v1::Dataset& dataset) {
  return Write([&](WriteTxn& txn) { return txn.PutDataset(dataset); });
}

v1::Dataset Dataset(const std::string& ns, const std::string& name) {
  v1::Dataset dataset;
  dataset.set_namespace_(ns);
  dataset.set_name(name);
  return dataset;
}

v1::Field Field(const std::string& name, std::vector<std::string> tags,
                std::vector<std::string> terms) {
  v1::Field field;
  field.set_name(name);
  for (std::string& tag : tags) field.add_tags(std::move(tag));
  for (std::string& term : terms) field.add_glossary_terms(std::move(term));
  return field;
}

namespace {

// ------------------------------------------------------------- transactions

TEST_P(StoreConformanceTest, FailedWriteLeavesNothingBehind) {
  absl::Status status = Write([](WriteTxn& txn) -> absl::Status {
    v1::Namespace ns;
    ns.set_name("a");
    RETURN_IF_ERROR(txn.PutNamespace(ns));
    v1::Tag tag;
    tag.set_name("PII");
    RETURN_IF_ERROR(txn.PutTag(tag));
    return absl::AbortedError("changed my mind");
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAborted, "changed my mind"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetNamespace("a"); }),
              StatusIs(absl::StatusCode::kNotFound, "a"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTag("PII"); }),
              StatusIs(absl::StatusCode::kNotFound, "PII"));
}

TEST_P(StoreConformanceTest, ReadReturnsTheFunctionsStatus) {
  EXPECT_THAT(store().Read([](ReadTxn&) { return absl::CancelledError("stop"); }),
              StatusIs(absl::StatusCode::kCancelled, "stop"));
  EXPECT_OK(store().Read([](ReadTxn&) { return absl::OkStatus(); }));
}

TEST_P(StoreConformanceTest, WriteSeesItsOwnChanges) {
  EXPECT_OK(Write([](WriteTxn& txn) -> absl::Status {
    v1::Namespace ns;
    ns.set_name("warehouse");
    RETURN_IF_ERROR(txn.PutNamespace(ns));
    v1::Tag tag;
    tag.set_name("PII");
    RETURN_IF_ERROR(txn.PutTag(tag));
    v1::Dataset dataset = Dataset("warehouse", "customers");
    dataset.add_tags("PII");
    RETURN_IF_ERROR(txn.PutDataset(dataset));
    ASSIGN_OR_RETURN(v1::Dataset read, txn.GetDataset("warehouse", "customers"));
    if (read.tags_size() != 1) return absl::InternalError("tag not visible");
    return absl::OkStatus();
  }));
}

TEST_P(StoreConformanceTest, ReadSeesOneSnapshot) {
  v1::Namespace ns;
  ns.set_name("a");
  ns.set_description("before");
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutNamespace(ns); }));

  ASSERT_OK(store().Read([&](ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(v1::Namespace first, txn.GetNamespace("a"));
    // A write commits while this read is open, from another thread.
    absl::Status written;
    std::thread writer([&] {
      written = Write([](WriteTxn& w) -> absl::Status {
        v1::Namespace changed;
        changed.set_name("a");
        changed.set_description("after");
        RETURN_IF_ERROR(w.PutNamespace(changed));
        changed.set_name("b");
        return w.PutNamespace(changed);
      });
    });
    writer.join();
    EXPECT_OK(written);
    ASSIGN_OR_RETURN(v1::Namespace second, txn.GetNamespace("a"));
    EXPECT_EQ(first.description(), "before");
    EXPECT_EQ(second.description(), "before");
    ASSIGN_OR_RETURN(auto listing, txn.ListNamespaces(Page{}, true));
    EXPECT_EQ(listing.total_count, 1);
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(v1::Namespace now,
                       ReadOne([](ReadTxn& txn) { return txn.GetNamespace("a"); }));
  EXPECT_EQ(now.description(), "after");
}

TEST_P(StoreConformanceTest, WritesAreSerialised) {
  // Each write reads the latest version and appends the next one: if two
  // writes interleaved, one would fail with ALREADY_EXISTS.
  constexpr int kThreads = 4;
  constexpr int kWritesPerThread = 10;
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        absl::Status status = Write([](WriteTxn& txn) -> absl::Status {
          ASSIGN_OR_RETURN(int64_t latest, txn.LatestVersion("dataset", "ns:d"));
          v1::EntityVersion version;
          version.set_entity_type("dataset");
          version.set_entity_key("ns:d");
          version.set_version(latest + 1);
          return txn.AppendVersion(version);
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.LatestVersion("dataset", "ns:d"); }),
              IsOkAndHolds(kThreads * kWritesPerThread));
}

// --------------------------------------------------------------- namespaces

TEST_P(StoreConformanceTest, GetNamespaceMissingIsNotFound) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetNamespace("nowhere"); }),
              StatusIs(absl::StatusCode::kNotFound, "nowhere"));
}

TEST_P(StoreConformanceTest, PutNamespaceRoundTrips) {
  v1::Namespace ns;
  ns.set_name("postgres://crm:5432");
  ns.set_owner_name("crm-team");
  ns.set_description("the CRM database");
  *ns.mutable_created_at() = Micros(1'700'000'000'123'456);
  *ns.mutable_updated_at() = Micros(1'700'000'000'654'321);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutNamespace(ns); }));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetNamespace("postgres://crm:5432"); }),
              IsOkAndHolds(EqualsProto(ns)));
}

TEST_P(StoreConformanceTest, PutNamespaceReplacesAllButCreatedAt) {
  v1::Namespace first;
  first.set_name("a");
  first.set_owner_name("alice");
  first.set_description("one");
  *first.mutable_created_at() = Micros(1000);
  *first.mutable_updated_at() = Micros(1000);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutNamespace(first); }));

  v1::Namespace second;
  second.set_name("a");
  second.set_description("two");
  second.set_is_hidden(true);
  *second.mutable_created_at() = Micros(5000);
  *second.mutable_updated_at() = Micros(5000);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutNamespace(second); }));

  v1::Namespace expected = second;
  *expected.mutable_created_at() = Micros(1000);
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetNamespace("a"); }),
              IsOkAndHolds(EqualsProto(expected)));
}

std::vector<std::string> Names(const Listing<v1::Namespace>& listing) {
  std::vector<std::string> names;
  for (const v1::Namespace& ns : listing.items) names.push_back(ns.name());
  return names;
}

TEST_P(StoreConformanceTest, ListNamespacesIsOrderedPagedAndCounted) {
  for (const char* name : {"c", "a", "e", "b", "d"}) ASSERT_OK(PutNamespace(name));
  ASSERT_OK_AND_ASSIGN(auto page, ReadOne([](ReadTxn& txn) {
                         return txn.ListNamespaces(Page{.limit = 2, .offset = 1}, false);
                       }));
  EXPECT_THAT(Names(page), ElementsAre("b", "c"));
  EXPECT_EQ(page.total_count, 5);

  ASSERT_OK_AND_ASSIGN(auto past_end, ReadOne([](ReadTxn& txn) {
                         return txn.ListNamespaces(Page{.limit = 2, .offset = 9}, false);
                       }));
  EXPECT_THAT(past_end.items, IsEmpty());
  EXPECT_EQ(past_end.total_count, 5);
}

TEST_P(StoreConformanceTest, ListNamespacesShowsHiddenOnlyWhenAsked) {
  ASSERT_OK(PutNamespace("visible"));
  v1::Namespace hidden;
  hidden.set_name("hidden");
  hidden.set_is_hidden(true);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutNamespace(hidden); }));

  ASSERT_OK_AND_ASSIGN(auto shown,
                       ReadOne([](ReadTxn& txn) { return txn.ListNamespaces(Page{}, false); }));
  EXPECT_THAT(Names(shown), ElementsAre("visible"));
  EXPECT_EQ(shown.total_count, 1);

  ASSERT_OK_AND_ASSIGN(auto all,
                       ReadOne([](ReadTxn& txn) { return txn.ListNamespaces(Page{}, true); }));
  EXPECT_THAT(Names(all), ElementsAre("hidden", "visible"));
  EXPECT_EQ(all.total_count, 2);

  // Get answers hidden namespaces too: the caller decides whether they count.
  ASSERT_OK_AND_ASSIGN(v1::Namespace got,
                       ReadOne([](ReadTxn& txn) { return txn.GetNamespace("hidden"); }));
  EXPECT_TRUE(got.is_hidden());
}

// ------------------------------------------------------------------ history

v1::EntityVersion Version(const std::string& type, const std::string& key, int64_t number) {
  v1::EntityVersion version;
  version.set_entity_type(type);
  version.set_entity_key(key);
  version.set_version(number);
  return version;
}

TEST_P(StoreConformanceTest, VersionsRoundTripNewestFirst) {
  v1::EntityVersion first = Version("dataset", "ns:orders", 1);
  *first.mutable_created_at() = Micros(1'000'000);
  first.set_actor("alice");
  first.set_operation("CREATE");
  (*first.mutable_snapshot()->mutable_fields())["description"].set_string_value("v1");

  v1::EntityVersion second = Version("dataset", "ns:orders", 2);
  *second.mutable_created_at() = Micros(2'000'000);
  second.set_actor("bob");
  second.set_operation("UPDATE");
  v1::FieldChange* change = second.add_changes();
  change->set_path("description");
  change->mutable_before()->set_string_value("v1");
  change->mutable_after()->set_string_value("v2");
  v1::FieldChange* added = second.add_changes();
  added->set_path("fields[email].tags");
  added->mutable_after()->mutable_list_value()->add_values()->set_string_value("PII");
  (*second.mutable_snapshot()->mutable_fields())["description"].set_string_value("v2");

  v1::EntityVersion third = Version("dataset", "ns:orders", 3);  // no snapshot

  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.AppendVersion(first));
    RETURN_IF_ERROR(txn.AppendVersion(third));  // order of appends is irrelevant
    return txn.AppendVersion(second);
  }));
  ASSERT_OK_AND_ASSIGN(auto listing, ReadOne([](ReadTxn& txn) {
                         return txn.ListVersions("dataset", "ns:orders", Page{});
                       }));
  EXPECT_EQ(listing.total_count, 3);
  ASSERT_EQ(listing.items.size(), 3u);
  EXPECT_THAT(listing.items[0], EqualsProto(third));
  EXPECT_FALSE(listing.items[0].has_snapshot());
  EXPECT_THAT(listing.items[1], EqualsProto(second));
  EXPECT_THAT(listing.items[2], EqualsProto(first));
}

TEST_P(StoreConformanceTest, ListVersionsIsPagedAndScopedToTheEntity) {
  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    for (int i = 1; i <= 5; ++i) RETURN_IF_ERROR(txn.AppendVersion(Version("tag", "PII", i)));
    RETURN_IF_ERROR(txn.AppendVersion(Version("tag", "PII.Email", 1)));
    return txn.AppendVersion(Version("glossaryTerm", "PII", 1));
  }));
  ASSERT_OK_AND_ASSIGN(auto page, ReadOne([](ReadTxn& txn) {
                         return txn.ListVersions("tag", "PII", Page{.limit = 2, .offset = 1});
                       }));
  EXPECT_EQ(page.total_count, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].version(), 4);
  EXPECT_EQ(page.items[1].version(), 3);

  ASSERT_OK_AND_ASSIGN(
      auto none, ReadOne([](ReadTxn& txn) { return txn.ListVersions("tag", "Unknown", Page{}); }));
  EXPECT_THAT(none.items, IsEmpty());
  EXPECT_EQ(none.total_count, 0);
}

TEST_P(StoreConformanceTest, AppendVersionRefusesADuplicate) {
  ASSERT_OK(Write([](WriteTxn& txn) { return txn.AppendVersion(Version("dataset", "ns:d", 1)); }));
  EXPECT_THAT(Write([](WriteTxn& txn) {
                v1::EntityVersion again = Version("dataset", "ns:d", 1);
                again.set_actor("someone else");
                return txn.AppendVersion(again);
              }),
              StatusIs(absl::StatusCode::kAlreadyExists, ""));
  // The same number for another entity is no conflict.
  EXPECT_OK(
      Write([](WriteTxn& txn) { return txn.AppendVersion(Version("dataset", "ns:other", 1)); }));
}

TEST_P(StoreConformanceTest, LatestVersionIsZeroWithoutHistory) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.LatestVersion("dataset", "ns:d"); }),
              IsOkAndHolds(0));
  ASSERT_OK(Write([](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.AppendVersion(Version("dataset", "ns:d", 1)));
    RETURN_IF_ERROR(txn.AppendVersion(Version("dataset", "ns:d", 7)));
    return txn.AppendVersion(Version("tag", "ns:d", 9));
  }));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.LatestVersion("dataset", "ns:d"); }),
              IsOkAndHolds(7));
}

// --------------------------------------------------------------- principals

v1::Principal Principal(const std::string& name) {
  v1::Principal principal;
  principal.set_name(name);
  principal.set_kind("user");
  return principal;
}

TEST_P(StoreConformanceTest, PrincipalsRoundTripAndCount) {
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetPrincipal("alice"); }),
              StatusIs(absl::StatusCode::kNotFound, "alice"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.CountPrincipals(); }), IsOkAndHolds(0));

  v1::Principal alice = Principal("alice");
  alice.add_roles("steward");
  alice.add_roles("analyst");
  alice.add_domains("grid.north");
  alice.add_teams("data-platform");
  *alice.mutable_created_at() = Micros(42);
  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.PutPrincipal(alice));
    return txn.PutPrincipal(Principal("etl"));
  }));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetPrincipal("alice"); }),
              IsOkAndHolds(EqualsProto(alice)));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.CountPrincipals(); }), IsOkAndHolds(2));
}

TEST_P(StoreConformanceTest, PutPrincipalReplacesAllButCreatedAt) {
  v1::Principal first = Principal("alice");
  first.add_roles("analyst");
  *first.mutable_created_at() = Micros(1);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutPrincipal(first); }));
  v1::Principal second = Principal("alice");
  second.add_roles("admin");
  *second.mutable_created_at() = Micros(2);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutPrincipal(second); }));

  v1::Principal expected = second;
  *expected.mutable_created_at() = Micros(1);
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetPrincipal("alice"); }),
              IsOkAndHolds(EqualsProto(expected)));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.CountPrincipals(); }), IsOkAndHolds(1));
}

// ------------------------------------------------------------------- tokens

std::string Hash(char fill) { return std::string(32, fill); }

TEST_P(StoreConformanceTest, TokensAreFoundByHash) {
  v1::TokenInfo forever;
  forever.set_id("t1");
  forever.set_principal("alice");
  *forever.mutable_created_at() = Micros(10);
  v1::TokenInfo expiring = forever;
  expiring.set_id("t2");
  *expiring.mutable_expires_at() = Micros(20);
  // Raw hashes are bytes, NULs and high bytes included.
  std::string hash1 = Hash('\0');
  std::string hash2 = Hash('\xff');
  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.PutPrincipal(Principal("alice")));
    RETURN_IF_ERROR(txn.PutToken(forever, hash1));
    return txn.PutToken(expiring, hash2);
  }));

  ASSERT_OK_AND_ASSIGN(v1::TokenInfo got1,
                       ReadOne([&](ReadTxn& txn) { return txn.GetTokenByHash(hash1); }));
  EXPECT_THAT(got1, EqualsProto(forever));
  EXPECT_FALSE(got1.has_expires_at());
  EXPECT_FALSE(got1.has_revoked_at());
  EXPECT_THAT(ReadOne([&](ReadTxn& txn) { return txn.GetTokenByHash(hash2); }),
              IsOkAndHolds(EqualsProto(expiring)));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTokenByHash(Hash('x')); }),
              StatusIs(absl::StatusCode::kNotFound, ""));
}

TEST_P(StoreConformanceTest, PutTokenUpdatesByIdSoTokensCanBeRevoked) {
  v1::TokenInfo token;
  token.set_id("t1");
  token.set_principal("alice");
  *token.mutable_created_at() = Micros(10);
  ASSERT_OK(Write([&](WriteTxn& txn) -> absl::Status {
    RETURN_IF_ERROR(txn.PutPrincipal(Principal("alice")));
    return txn.PutToken(token, Hash('a'));
  }));
  *token.mutable_revoked_at() = Micros(99);
  ASSERT_OK(Write([&](WriteTxn& txn) { return txn.PutToken(token, Hash('a')); }));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetTokenByHash(Hash('a')); }),
              IsOkAndHolds(EqualsProto(token)));
}

TEST_P(StoreConformanceTest, PutTokenRequiresItsPrincipal) {
  v1::TokenInfo token;
  token.set_id("t1");
  token.set_principal("ghost");
  EXPECT_THAT(Write([&](WriteTxn& txn) { return txn.PutToken(token, Hash('a')); }),
              StatusIs(absl::StatusCode::kFailedPrecondition, "ghost"));
}

}  // namespace
}  // namespace cadastre::store::testing
