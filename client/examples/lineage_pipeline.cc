// A pipeline step that reports its column-level lineage to Cadastre.
//
//   lineage-pipeline 127.0.0.1:50051 "$TOKEN" /tmp/curate-spool          # gRPC
//   lineage-pipeline http://127.0.0.1:8080/api/v1/lineage "$TOKEN" /tmp/curate-spool
//
// It emits START, does its work, then COMPLETE with the output's schema and
// where each output column comes from. Events go through a spool directory:
// if Cadastre is down they wait there, and the next run (of this or any
// program using the same directory) delivers them.
#include <iostream>
#include <string>

#include "cadastre/emitter.h"
#include "cadastre/openlineage.h"

namespace ol = cadastre::sdk::ol;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " HOST:PORT|http(s)://…/api/v1/lineage TOKEN SPOOL_DIR\n";
    return 2;
  }
  const std::string target = argv[1];
  const std::string token = argv[2];

  // 1. Where events go: gRPC to Cadastre, or HTTP to any OpenLineage endpoint.
  absl::StatusOr<std::unique_ptr<cadastre::sdk::LineageTransport>> transport;
  if (target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0) {
    cadastre::sdk::HttpTransportOptions http;
    http.url = target;
    http.token = token;
    http.batch_as_array = true;  // Cadastre takes arrays; leave false for other servers
    transport = cadastre::sdk::MakeHttpTransport(http);
  } else {
    cadastre::sdk::ClientOptions grpc;
    grpc.target = target;
    grpc.token = token;
    grpc.deadline = std::chrono::seconds(10);
    transport = cadastre::sdk::MakeGrpcTransport(grpc);
  }
  if (!transport.ok()) {
    std::cerr << transport.status() << "\n";
    return 1;
  }

  // 2. The emitter: events are on disk once Emit() returns.
  cadastre::sdk::EmitterOptions options;
  options.spool_dir = argv[3];
  options.on_rejected = [](const std::string&, const absl::Status& why) {
    std::cerr << "an event was refused: " << why << "\n";
  };
  auto emitter = cadastre::sdk::Emitter::Create(*std::move(transport), options);
  if (!emitter.ok()) {
    std::cerr << emitter.status() << "\n";
    return 1;
  }

  // 3. The run: START, the work, COMPLETE with column lineage.
  const std::string run = ol::NewRunId();
  const ol::Dataset customers = ol::Dataset("postgres://crm:5432", "public.customers")
                                    .Field("id", "bigint")
                                    .Field("email", "text")
                                    .Field("country", "text");
  auto start = ol::RunEventBuilder(ol::EventType::kStart)
                   .Job("etl", "curate_customers")
                   .RunId(run)
                   .Input(customers)
                   .Build();
  if (!start.ok() || !(*emitter)->Emit(*start).ok()) {
    std::cerr << "cannot emit START: " << start.status() << "\n";
    return 1;
  }

  // ... read public.customers, write curated.customers ...

  auto complete =
      ol::RunEventBuilder(ol::EventType::kComplete)
          .Job("etl", "curate_customers")
          .RunId(run)
          .Sql("INSERT INTO curated.customers SELECT id, sha256(email), country "
               "FROM public.customers WHERE country IS NOT NULL")
          .Input(customers)
          .Output(ol::Dataset("warehouse", "curated.customers")
                      .Field("customer_id", "bigint", "The CRM's customer id")
                      .Field("email_hash", "text", "SHA-256 of the e-mail address")
                      .Field("country", "text")
                      .ColumnLineage("customer_id",
                                     ol::InputField("postgres://crm:5432", "public.customers", "id"))
                      .ColumnLineage("email_hash",
                                     ol::InputField("postgres://crm:5432", "public.customers", "email",
                                                    ol::Transformation::Direct("TRANSFORMATION")
                                                        .Masked()
                                                        .Described("sha256(email)")))
                      .ColumnLineage("country",
                                     ol::InputField("postgres://crm:5432", "public.customers", "country"))
                      .DatasetLineage(ol::InputField("postgres://crm:5432", "public.customers",
                                                     "country", ol::Transformation::Indirect("FILTER"))))
          .Build();
  if (!complete.ok()) {
    std::cerr << "cannot build COMPLETE: " << complete.status() << "\n";
    return 1;
  }
  if (absl::Status status = (*emitter)->Emit(*complete); !status.ok()) {
    std::cerr << "cannot emit COMPLETE: " << status << "\n";
    return 1;
  }

  // 4. Optional: wait for the server. What it does not acknowledge in time
  // stays in the spool for the next run.
  absl::Status flushed = (*emitter)->Flush(std::chrono::seconds(10));
  const cadastre::sdk::EmitterStats stats = (*emitter)->stats();
  std::cout << "run " << run << ": " << stats.delivered << " events delivered ("
            << stats.replayed << " from an earlier run), " << stats.pending << " waiting in "
            << options.spool_dir << "\n";
  if (!flushed.ok()) std::cerr << flushed << "\n";
  return 0;
}
