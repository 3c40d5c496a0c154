// One event that uses every part of the builder, for the builder's test and
// for the schema check (print-sample-event | validate_openlineage.py).
#pragma once

#include "cadastre/openlineage.h"

namespace cadastre::testing {

inline absl::StatusOr<sdk::ol::RunEvent> SampleEvent() {
  namespace ol = sdk::ol;
  return ol::RunEventBuilder(ol::EventType::kComplete)
      .Job("etl", "curate_customers")
      .RunId("01930000-0000-7000-8000-000000000001")
      .EventTime(std::chrono::system_clock::time_point(std::chrono::milliseconds(1795341600250)))
      .Producer("https://example.com/etl/curate")
      .ParentRun("airflow", "nightly", "01930000-0000-7000-8000-0000000000ff")
      .Sql("SELECT 1")
      .Input(ol::Dataset("postgres://crm:5432", "public.customers")
                 .Field("id", "bigint")
                 .Field("email", "text")
                 .Field(ol::SchemaField{"address", "struct", "", {{"city", "text", "", {}}}}))
      .Output(ol::Dataset("warehouse", "curated.customers")
                  .Field("customer_id", "bigint")
                  .Field("email_hash", "text", "SHA-256 of the address")
                  .Field(ol::SchemaField{"address", "struct", "", {{"city", "text", "", {}}}})
                  .ColumnLineage("customer_id",
                                 ol::InputField("postgres://crm:5432", "public.customers", "id"))
                  .ColumnLineage("email_hash",
                                 ol::InputField("postgres://crm:5432", "public.customers", "email",
                                                ol::Transformation::Direct("TRANSFORMATION")
                                                    .Described("sha256(email)")
                                                    .Masked()))
                  .ColumnLineage("address.city", ol::InputField("postgres://crm:5432",
                                                                "public.customers", "address.city"))
                  .DatasetLineage(ol::InputField("postgres://crm:5432", "public.customers", "id",
                                                 ol::Transformation::Indirect("FILTER")))
                  .Facet("dataQuality", R"({"rowCount": 3})"))
      .Build();
}

}  // namespace cadastre::testing
