// The store conformance suite (see store_conformance.h): jobs, runs and
// raw lineage events.
#include <climits>
#include <optional>

#include "tests/store/store_conformance.h"

namespace cadastre::store::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class JobsTest : public StoreConformanceTest {
 protected:
  absl::StatusOr<int64_t> PutJob(const v1::Job& job) {
    int64_t id = 0;
    absl::Status status = Write([&](WriteTxn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(id, txn.PutJob(job));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return id;
  }
  absl::StatusOr<int64_t> PutJob(const std::string& ns, const std::string& name) {
    return PutJob(Job(ns, name));
  }
  absl::Status PutRun(const v1::Run& run) {
    return Write([&](WriteTxn& txn) { return txn.PutRun(run); });
  }
  absl::StatusOr<v1::Job> GetJob(const std::string& ns, const std::string& name) {
    return ReadOne([&](ReadTxn& txn) { return txn.GetJob(ns, name); });
  }
  absl::StatusOr<bool> Append(const LineageEventRow& event) {
    bool appended = false;
    absl::Status status = Write([&](WriteTxn& txn) -> absl::Status {
      ASSIGN_OR_RETURN(appended, txn.AppendLineageEvent(event));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return appended;
  }
  // ListLineageEvents with the query's fields spelled out.
  absl::StatusOr<Listing<std::string>> Events(std::optional<int64_t> before = std::nullopt,
                                              std::optional<int64_t> after = std::nullopt,
                                              bool ascending = false, Page page = {}) {
    EventQuery query;
    query.before = before;
    query.after = after;
    query.ascending = ascending;
    query.page = page;
    return ReadOne([&](ReadTxn& txn) { return txn.ListLineageEvents(query); });
  }

  static v1::Job Job(const std::string& ns, const std::string& name) {
    v1::Job job;
    job.set_namespace_(ns);
    job.set_name(name);
    return job;
  }
  static v1::Run Run(const std::string& id, const std::string& job_ns, const std::string& job_name,
                     int64_t created_at) {
    v1::Run run;
    run.set_id(id);
    run.mutable_job()->set_namespace_(job_ns);
    run.mutable_job()->set_name(job_name);
    *run.mutable_created_at() = Micros(created_at);
    return run;
  }
  // An event whose JSON is "e<n>" and whose hash is n's digits preceded by
  // a NUL byte (hashes are raw bytes, not text).
  static LineageEventRow Event(int n, int64_t time) {
    LineageEventRow event;
    event.hash = std::string(1, '\0') + std::to_string(n);
    event.event_time = time;
    event.event_type = "COMPLETE";
    event.run_id = "run-" + std::to_string(n);
    event.job_ns = "etl";
    event.job_name = "load";
    event.producer = "test";
    event.json = "e" + std::to_string(n);
    return event;
  }
};

std::vector<std::string> JobNames(const Listing<v1::Job>& listing) {
  std::vector<std::string> names;
  for (const v1::Job& job : listing.items) names.push_back(job.name());
  return names;
}

std::vector<std::string> RunIds(const Listing<v1::Run>& listing) {
  std::vector<std::string> ids;
  for (const v1::Run& run : listing.items) ids.push_back(run.id());
  return ids;
}

// ----------------------------------------------------------------------- jobs

v1::Job FullJob() {
  v1::Job job;
  job.set_namespace_("airflow");
  job.set_name("daily.load_customers");
  job.set_type("BATCH");
  job.set_description("Loads customers.");
  job.set_location("https://git.example/etl/load.py");
  job.set_integration("AIRFLOW");
  job.set_job_type("TASK");
  job.set_sql("INSERT INTO dst SELECT * FROM src");
  job.set_source_code_language("python");
  job.set_source_code("print('hi')");
  job.mutable_parent()->set_namespace_("airflow");
  job.mutable_parent()->set_name("daily");
  auto& facets = *job.mutable_facets()->mutable_fields();
  facets["owner"].set_string_value("etl-team");
  (*facets["sql"].mutable_struct_value()->mutable_fields())["query"].set_string_value("SELECT 1");
  *job.mutable_created_at() = Micros(1'000);
  *job.mutable_updated_at() = Micros(2'000);
  return job;
}

// What GetJob answers for `document` with no I/O and no runs.
v1::Job AsStored(v1::Job job) {
  job.mutable_id()->set_namespace_(job.namespace_());
  job.mutable_id()->set_name(job.name());
  job.set_simple_name(job.name());
  if (job.has_parent()) {
    job.set_parent_job_name(job.parent().name());
    std::string prefix = job.parent().name() + ".";
    if (job.name().rfind(prefix, 0) == 0) job.set_simple_name(job.name().substr(prefix.size()));
  }
  return job;
}

TEST_P(JobsTest, GetJobMissingIsNotFound) {
  EXPECT_THAT(GetJob("etl", "nothing"), StatusIs(absl::StatusCode::kNotFound, "nothing"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.JobRowId("etl", "nothing"); }),
              StatusIs(absl::StatusCode::kNotFound, "nothing"));
}

TEST_P(JobsTest, PutJobRoundTripsAndDerivesNames) {
  ASSERT_OK_AND_ASSIGN(int64_t id, PutJob(FullJob()));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.JobRowId("airflow", "daily.load_customers"); }),
              IsOkAndHolds(id));
  ASSERT_OK_AND_ASSIGN(v1::Job got, GetJob("airflow", "daily.load_customers"));
  EXPECT_THAT(got, EqualsProto(AsStored(FullJob())));
  EXPECT_EQ(got.simple_name(), "load_customers");
  EXPECT_EQ(got.parent_job_name(), "daily");
  EXPECT_FALSE(got.has_latest_run());

  // A bare job: no parent, no facets, no times.
  ASSERT_OK(PutJob("etl", "bare").status());
  ASSERT_OK_AND_ASSIGN(got, GetJob("etl", "bare"));
  EXPECT_THAT(got, EqualsProto(AsStored(Job("etl", "bare"))));
  EXPECT_FALSE(got.has_parent());
  EXPECT_FALSE(got.has_facets());
  EXPECT_FALSE(got.has_created_at());
}

TEST_P(JobsTest, PutJobReplacesAllButCreatedAtAndKeepsItsId) {
  ASSERT_OK_AND_ASSIGN(int64_t first, PutJob(FullJob()));
  v1::Job changed = Job("airflow", "daily.load_customers");
  changed.set_type("STREAM");
  *changed.mutable_created_at() = Micros(9'000);
  *changed.mutable_updated_at() = Micros(9'500);
  // Ignored: they come from job I/O and runs.
  changed.add_inputs()->set_name("ignored");
  changed.add_outputs()->set_name("ignored");
  changed.mutable_latest_run()->set_id("ignored");
  ASSERT_OK_AND_ASSIGN(int64_t second, PutJob(changed));
  EXPECT_EQ(first, second);

  ASSERT_OK_AND_ASSIGN(v1::Job got, GetJob("airflow", "daily.load_customers"));
  v1::Job want = Job("airflow", "daily.load_customers");
  want.set_type("STREAM");
  *want.mutable_created_at() = Micros(1'000);
  *want.mutable_updated_at() = Micros(9'500);
  EXPECT_THAT(got, EqualsProto(AsStored(want)));
  ASSERT_OK_AND_ASSIGN(int64_t other, PutJob("airflow", "another"));
  EXPECT_NE(other, first);
}

TEST_P(JobsTest, ListJobsIsScopedOrderedPagedAndCounted) {
  for (const char* name : {"c", "a", "d", "b"}) ASSERT_OK(PutJob("etl", name).status());
  ASSERT_OK(PutJob("other", "a0").status());
  ASSERT_OK_AND_ASSIGN(auto all, ReadOne([](ReadTxn& txn) { return txn.ListJobs("etl", Page{}); }));
  EXPECT_THAT(JobNames(all), ElementsAre("a", "b", "c", "d"));
  EXPECT_EQ(all.total_count, 4);
  EXPECT_EQ(all.items[0].namespace_(), "etl");
  ASSERT_OK_AND_ASSIGN(auto page, ReadOne([](ReadTxn& txn) {
                         return txn.ListJobs("etl", Page{.limit = 2, .offset = 1});
                       }));
  EXPECT_THAT(JobNames(page), ElementsAre("b", "c"));
  EXPECT_EQ(page.total_count, 4);
  ASSERT_OK_AND_ASSIGN(auto none,
                       ReadOne([](ReadTxn& txn) { return txn.ListJobs("nowhere", Page{}); }));
  EXPECT_THAT(none.items, IsEmpty());
  EXPECT_EQ(none.total_count, 0);
}

// ----------------------------------------------------------------------- runs

v1::Run FullRun() {
  v1::Run run;
  run.set_id("3f5e1a2b-0000-4000-8000-000000000001");
  run.mutable_job()->set_namespace_("etl");
  run.mutable_job()->set_name("load");
  run.set_state(v1::COMPLETED);
  *run.mutable_created_at() = Micros(1'000'000);
  *run.mutable_updated_at() = Micros(5'000'000);
  *run.mutable_nominal_start_time() = Micros(900'000);
  *run.mutable_nominal_end_time() = Micros(6'000'000);
  *run.mutable_started_at() = Micros(1'500'000);
  *run.mutable_ended_at() = Micros(4'000'000);
  *run.mutable_last_event_time() = Micros(4'000'001);
  run.set_parent_run_id("parent-run");
  (*run.mutable_facets()->mutable_fields())["spark_version"].set_string_value("3.5");
  return run;
}

TEST_P(JobsTest, PutRunRoundTripsWithItsDurationDerived) {
  ASSERT_OK(PutJob("etl", "load").status());
  ASSERT_OK(PutRun(FullRun()));
  ASSERT_OK_AND_ASSIGN(v1::Run got,
                       ReadOne([](ReadTxn& txn) { return txn.GetRun(FullRun().id()); }));
  v1::Run want = FullRun();
  want.set_duration_ms(2'500);
  EXPECT_THAT(got, EqualsProto(want));

  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetRun("no-such-run"); }),
              StatusIs(absl::StatusCode::kNotFound, "no-such-run"));
}

TEST_P(JobsTest, PutRunReplacesTheRun) {
  ASSERT_OK(PutJob("etl", "load").status());
  ASSERT_OK(PutJob("etl", "other").status());
  ASSERT_OK(PutRun(FullRun()));
  v1::Run replaced = Run(FullRun().id(), "etl", "other", 7);
  replaced.set_state(v1::RUNNING);
  ASSERT_OK(PutRun(replaced));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetRun(FullRun().id()); }),
              IsOkAndHolds(EqualsProto(replaced)));
}

TEST_P(JobsTest, PutRunRequiresItsJob) {
  EXPECT_THAT(PutRun(Run("r1", "etl", "missing", 1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, "missing"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.GetRun("r1"); }),
              StatusIs(absl::StatusCode::kNotFound, "r1"));
}

TEST_P(JobsTest, RunsAreListedNewestFirstAndTheNewestIsTheLatestRun) {
  ASSERT_OK_AND_ASSIGN(int64_t load, PutJob("etl", "load"));
  ASSERT_OK_AND_ASSIGN(int64_t other, PutJob("etl", "other"));
  ASSERT_OK(PutRun(Run("r-old", "etl", "load", 100)));
  ASSERT_OK(PutRun(Run("r-new", "etl", "load", 300)));
  ASSERT_OK(PutRun(Run("r-mid", "etl", "load", 200)));
  ASSERT_OK(PutRun(Run("r-else", "etl", "other", 999)));

  ASSERT_OK_AND_ASSIGN(auto runs,
                       ReadOne([&](ReadTxn& txn) { return txn.ListRuns(load, Page{}); }));
  EXPECT_THAT(RunIds(runs), ElementsAre("r-new", "r-mid", "r-old"));
  EXPECT_EQ(runs.total_count, 3);
  EXPECT_EQ(runs.items[0].job().name(), "load");
  ASSERT_OK_AND_ASSIGN(auto page, ReadOne([&](ReadTxn& txn) {
                         return txn.ListRuns(load, Page{.limit = 1, .offset = 1});
                       }));
  EXPECT_THAT(RunIds(page), ElementsAre("r-mid"));
  EXPECT_EQ(page.total_count, 3);

  ASSERT_OK_AND_ASSIGN(v1::Job job, GetJob("etl", "load"));
  EXPECT_EQ(job.latest_run().id(), "r-new");
  EXPECT_EQ(job.latest_run().job().name(), "load");
  ASSERT_OK_AND_ASSIGN(auto listed,
                       ReadOne([](ReadTxn& txn) { return txn.ListJobs("etl", Page{}); }));
  ASSERT_EQ(listed.items.size(), 2u);
  EXPECT_EQ(listed.items[0].latest_run().id(), "r-new");
  EXPECT_EQ(listed.items[1].latest_run().id(), "r-else");

  // A run moved forward in time becomes the latest.
  ASSERT_OK(PutRun(Run("r-old", "etl", "load", 400)));
  ASSERT_OK_AND_ASSIGN(job, GetJob("etl", "load"));
  EXPECT_EQ(job.latest_run().id(), "r-old");

  ASSERT_OK_AND_ASSIGN(auto others,
                       ReadOne([&](ReadTxn& txn) { return txn.ListRuns(other, Page{}); }));
  EXPECT_THAT(RunIds(others), ElementsAre("r-else"));
  EXPECT_THAT(ReadOne([](ReadTxn& txn) { return txn.ListRuns(987654, Page{}); }),
              StatusIs(absl::StatusCode::kNotFound, "987654"));
}

// --------------------------------------------------------------------- events

TEST_P(JobsTest, AppendLineageEventIgnoresADuplicateHash) {
  EXPECT_THAT(Append(Event(1, 100)), IsOkAndHolds(true));
  LineageEventRow again = Event(1, 500);
  again.json = "different text, same hash";
  EXPECT_THAT(Append(again), IsOkAndHolds(false));
  // Hashes are bytes: one differing only after a NUL is another event.
  LineageEventRow near = Event(1, 100);
  near.hash += "x";
  near.json = "near";
  EXPECT_THAT(Append(near), IsOkAndHolds(true));

  ASSERT_OK_AND_ASSIGN(auto events, Events({}, {}, /*ascending=*/true));
  EXPECT_THAT(events.items, ElementsAre("e1", "near"));
  EXPECT_EQ(events.total_count, 2);
}

TEST_P(JobsTest, ADuplicateEventDoesNotFailItsTransaction) {
  ASSERT_OK(Append(Event(1, 100)).status());
  ASSERT_OK(Write([](WriteTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(bool first, txn.AppendLineageEvent(Event(1, 100)));
    ASSIGN_OR_RETURN(bool second, txn.AppendLineageEvent(Event(2, 200)));
    EXPECT_FALSE(first);
    EXPECT_TRUE(second);
    return absl::OkStatus();
  }));
  EXPECT_THAT(Events(), IsOkAndHolds(::testing::Field(&Listing<std::string>::items,
                                                      ElementsAre("e2", "e1"))));
}

TEST_P(JobsTest, ListLineageEventsFiltersSortsAndPages) {
  // Arrival order breaks ties between equal times: e2 came before e3.
  for (auto [n, time] :
       std::vector<std::pair<int, int64_t>>{{1, 100}, {2, 200}, {3, 200}, {4, 300}, {5, 50}}) {
    ASSERT_THAT(Append(Event(n, time)), IsOkAndHolds(true));
  }
  ASSERT_OK_AND_ASSIGN(auto desc, Events());
  EXPECT_THAT(desc.items, ElementsAre("e4", "e3", "e2", "e1", "e5"));
  EXPECT_EQ(desc.total_count, 5);
  ASSERT_OK_AND_ASSIGN(auto asc, Events({}, {}, /*ascending=*/true));
  EXPECT_THAT(asc.items, ElementsAre("e5", "e1", "e2", "e3", "e4"));

  // Bounds are exclusive.
  ASSERT_OK_AND_ASSIGN(auto before, Events(/*before=*/200));
  EXPECT_THAT(before.items, ElementsAre("e1", "e5"));
  EXPECT_EQ(before.total_count, 2);
  ASSERT_OK_AND_ASSIGN(auto after, Events({}, /*after=*/100, /*ascending=*/true));
  EXPECT_THAT(after.items, ElementsAre("e2", "e3", "e4"));
  EXPECT_EQ(after.total_count, 3);
  ASSERT_OK_AND_ASSIGN(auto between, Events(300, 50));
  EXPECT_THAT(between.items, ElementsAre("e3", "e2", "e1"));
  ASSERT_OK_AND_ASSIGN(auto empty, Events(200, 100));
  EXPECT_THAT(empty.items, IsEmpty());
  EXPECT_EQ(empty.total_count, 0);

  // Pages count every match.
  ASSERT_OK_AND_ASSIGN(auto page, Events({}, {}, false, {.limit = 2, .offset = 1}));
  EXPECT_THAT(page.items, ElementsAre("e3", "e2"));
  EXPECT_EQ(page.total_count, 5);
  ASSERT_OK_AND_ASSIGN(auto past_end, Events({}, {}, true, {.limit = 2, .offset = 4}));
  EXPECT_THAT(past_end.items, ElementsAre("e4"));
  ASSERT_OK_AND_ASSIGN(auto zero, Events({}, {}, false, {.limit = 0}));
  EXPECT_THAT(zero.items, IsEmpty());
  EXPECT_EQ(zero.total_count, 5);

  // Extreme bounds neither overflow nor drop events.
  ASSERT_OK_AND_ASSIGN(auto wide, Events(INT64_MAX, INT64_MIN));
  EXPECT_EQ(wide.total_count, 5);
  ASSERT_OK_AND_ASSIGN(auto none, Events({}, INT64_MAX));
  EXPECT_EQ(none.total_count, 0);
  ASSERT_OK_AND_ASSIGN(none, Events(INT64_MIN));
  EXPECT_EQ(none.total_count, 0);
}

TEST_P(JobsTest, ListLineageEventsOfAnEmptyStore) {
  EXPECT_THAT(Events(), IsOkAndHolds(::testing::Field(&Listing<std::string>::total_count, 0)));
}

INSTANTIATE_TEST_SUITE_P(Backends, JobsTest, ::testing::ValuesIn(AllBackends()), BackendName);

}  // namespace
}  // namespace cadastre::store::testing
