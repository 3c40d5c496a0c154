// What only the gRPC transport has: authentication by metadata, the standard
// health and reflection services, the cadastre-field trailer, typed stubs.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "cadastre/v1/catalog.grpc.pb.h"
#include "cadastre/v1/glossary.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "rpc_transport.h"
#include "suite_server.h"

namespace cadastre::testing {
namespace {

namespace v1 = cadastre::v1;
using grpc::StatusCode;

class GrpcTest : public SuiteServerTest<GrpcTest> {
 protected:
  std::unique_ptr<v1::CatalogService::Stub> Catalog() {
    return v1::CatalogService::NewStub(server().channel());
  }
  std::unique_ptr<v1::GlossaryService::Stub> Glossary() {
    return v1::GlossaryService::NewStub(server().channel());
  }

  // A context with the admin's token, or with `authorization` as given
  // (nullptr: no authorization metadata at all).
  void Prepare(grpc::ClientContext* context, const char* authorization) {
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    if (authorization != nullptr) {
      context->AddMetadata("authorization", authorization);
    }
  }
  void Authorized(grpc::ClientContext* context) {
    server().PrepareContext(context);
  }

  static std::string FieldTrailer(const grpc::ClientContext& context) {
    const auto& trailers = context.GetServerTrailingMetadata();
    const auto it = trailers.find("cadastre-field");
    return it == trailers.end() ? "<no cadastre-field trailer>"
                                : std::string(it->second.data(),
                                              it->second.size());
  }

  void PutNamespace(const std::string& name) {
    grpc::ClientContext context;
    Authorized(&context);
    v1::PutNamespaceRequest request;
    request.set_name(name);
    v1::Namespace response;
    const grpc::Status status = Catalog()->PutNamespace(&context, request,
                                                        &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Calls every method of both services with an empty request and the given
  // authorization; returns "<method>: <code>" for each that did not answer
  // UNAUTHENTICATED.
  std::vector<std::string> MethodsNotAnsweringUnauthenticated(
      const char* authorization) {
    std::vector<std::string> wrong;
    grpc::GenericStub stub(server().channel());
    const auto* catalog_file = v1::Dataset::descriptor()->file();
    const auto* glossary_file = v1::GlossaryTerm::descriptor()->file();
    for (const auto* service :
         {catalog_file->FindServiceByName("CatalogService"),
          glossary_file->FindServiceByName("GlossaryService")}) {
      for (int i = 0; i < service->method_count(); ++i) {
        const std::string path =
            "/" + service->full_name() + "/" + service->method(i)->name();
        grpc::ClientContext context;
        Prepare(&context, authorization);
        grpc::CompletionQueue queue;
        grpc::ByteBuffer empty_request;  // an empty message
        grpc::Slice nothing("");
        empty_request = grpc::ByteBuffer(&nothing, 1);
        auto call = stub.PrepareUnaryCall(&context, path, empty_request, &queue);
        call->StartCall();
        grpc::ByteBuffer response;
        grpc::Status status;
        call->Finish(&response, &status, reinterpret_cast<void*>(1));
        void* tag;
        bool ok;
        queue.Next(&tag, &ok);
        queue.Shutdown();
        while (queue.Next(&tag, &ok)) {
        }
        if (status.error_code() != StatusCode::UNAUTHENTICATED) {
          wrong.push_back(path + ": " + CodeName(status.error_code()) + " " +
                          status.error_message());
        }
      }
    }
    return wrong;
  }
};

TEST_F(GrpcTest, EveryMethodWithoutTokenIsUnauthenticated) {
  const auto wrong = MethodsNotAnsweringUnauthenticated(nullptr);
  EXPECT_TRUE(wrong.empty()) << ::testing::PrintToString(wrong);
}

TEST_F(GrpcTest, EveryMethodWithBadTokenIsUnauthenticated) {
  for (const char* authorization :
       {"Bearer not-a-token", "Bearer ", "Basic YWRtaW46YWRtaW4=", "garbage"}) {
    SCOPED_TRACE(authorization);
    const auto wrong = MethodsNotAnsweringUnauthenticated(authorization);
    EXPECT_TRUE(wrong.empty()) << ::testing::PrintToString(wrong);
  }
  // The real token with one character more is not the real token.
  const std::string almost = "Bearer " + server().token() + "x";
  const auto wrong = MethodsNotAnsweringUnauthenticated(almost.c_str());
  EXPECT_TRUE(wrong.empty()) << ::testing::PrintToString(wrong);
}

TEST_F(GrpcTest, UnauthenticatedWriteChangesNothing) {
  {
    grpc::ClientContext context;
    Prepare(&context, "Bearer wrong");
    v1::PutNamespaceRequest request;
    request.set_name("grpc-unauth-ns");
    v1::Namespace response;
    const grpc::Status status =
        Catalog()->PutNamespace(&context, request, &response);
    EXPECT_EQ(status.error_code(), StatusCode::UNAUTHENTICATED)
        << status.error_message();
  }
  grpc::ClientContext context;
  Authorized(&context);
  v1::GetNamespaceRequest request;
  request.set_name("grpc-unauth-ns");
  v1::Namespace response;
  const grpc::Status status = Catalog()->GetNamespace(&context, request,
                                                      &response);
  EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND)
      << status.error_message();
}

TEST_F(GrpcTest, HealthCheckIsServingWithoutToken) {
  auto health = grpc::health::v1::Health::NewStub(server().channel());
  for (const bool with_token : {false, true}) {
    SCOPED_TRACE(with_token ? "with token" : "without token");
    grpc::ClientContext context;
    server().PrepareContext(&context, with_token);
    grpc::health::v1::HealthCheckRequest request;  // service "": the server
    grpc::health::v1::HealthCheckResponse response;
    const grpc::Status status = health->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << CodeName(status.error_code()) << " "
                             << status.error_message();
    EXPECT_EQ(response.status(),
              grpc::health::v1::HealthCheckResponse::SERVING);
  }
}

class ReflectionClient {
 public:
  // With the admin's token unless `authenticated` is false.
  explicit ReflectionClient(const ServerProcess& server,
                            bool authenticated = true)
      : stub_(grpc::reflection::v1alpha::ServerReflection::NewStub(
            server.channel())) {
    if (authenticated) server.PrepareContext(&context_);
    stream_ = stub_->ServerReflectionInfo(&context_);
  }
  ~ReflectionClient() {
    if (!finished_) {
      context_.TryCancel();
      stream_->Finish();
    }
  }

  // Sends one request and reads its answer; false if the stream broke.
  bool Ask(const grpc::reflection::v1alpha::ServerReflectionRequest& request,
           grpc::reflection::v1alpha::ServerReflectionResponse* response) {
    return stream_->Write(request) && stream_->Read(response);
  }

  grpc::Status Finish() {
    if (finished_) return finish_status_;
    finished_ = true;
    stream_->WritesDone();
    grpc::reflection::v1alpha::ServerReflectionResponse ignored;
    while (stream_->Read(&ignored)) {
    }
    finish_status_ = stream_->Finish();
    return finish_status_;
  }

 private:
  std::unique_ptr<grpc::reflection::v1alpha::ServerReflection::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<
      grpc::reflection::v1alpha::ServerReflectionRequest,
      grpc::reflection::v1alpha::ServerReflectionResponse>>
      stream_;
  bool finished_ = false;
  grpc::Status finish_status_;
};

TEST_F(GrpcTest, ReflectionListsTheServices) {
  ReflectionClient reflection(server());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(reflection.Ask(request, &response))
      << reflection.Finish().error_message();
  ASSERT_TRUE(response.has_list_services_response())
      << response.DebugString();
  std::set<std::string> names;
  for (const auto& service : response.list_services_response().service()) {
    names.insert(service.name());
  }
  for (const char* expected :
       {"cadastre.v1.CatalogService", "cadastre.v1.GlossaryService",
        "cadastre.v1.LineageService", "cadastre.v1.AccessService",
        "cadastre.v1.SampleService", "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection"}) {
    EXPECT_EQ(names.count(expected), 1u)
        << expected << " missing from " << ::testing::PrintToString(names);
  }
  EXPECT_TRUE(reflection.Finish().ok());
}

TEST_F(GrpcTest, ReflectionDescribesCatalogService) {
  ReflectionClient reflection(server());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_file_containing_symbol("cadastre.v1.CatalogService");
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(reflection.Ask(request, &response))
      << reflection.Finish().error_message();
  ASSERT_TRUE(response.has_file_descriptor_response())
      << response.DebugString();
  bool found = false;
  std::vector<std::string> files;  // in the order sent
  for (const std::string& bytes :
       response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    files.push_back(file.name());
    if (file.name() != "cadastre/v1/catalog.proto") continue;
    for (const auto& service : file.service()) {
      if (service.name() != "CatalogService") continue;
      std::set<std::string> methods;
      for (const auto& method : service.method()) methods.insert(method.name());
      EXPECT_EQ(methods.count("PutDataset"), 1u);
      EXPECT_EQ(methods.count("RestoreDataset"), 1u);
      found = true;
    }
  }
  EXPECT_TRUE(found) << "no CatalogService in cadastre/v1/catalog.proto";
  // Imports come with the file, before it, so that a client can build it.
  auto position = [&](const std::string& name) {
    return std::find(files.begin(), files.end(), name) - files.begin();
  };
  EXPECT_LT(position("google/protobuf/timestamp.proto"),
            position("cadastre/v1/catalog.proto"))
      << ::testing::PrintToString(files);
  EXPECT_LT(position("cadastre/v1/catalog.proto"),
            static_cast<long>(files.size()));
  EXPECT_TRUE(reflection.Finish().ok());
}

TEST_F(GrpcTest, ReflectionAnswersAnUnknownSymbolWithNotFound) {
  ReflectionClient reflection(server());
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_file_containing_symbol("cadastre.v1.NoSuchService");
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  ASSERT_TRUE(reflection.Ask(request, &response))
      << reflection.Finish().error_message();
  ASSERT_TRUE(response.has_error_response()) << response.DebugString();
  EXPECT_EQ(response.error_response().error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(response.original_request().file_containing_symbol(),
            "cadastre.v1.NoSuchService");
  EXPECT_TRUE(reflection.Finish().ok());
}

// Reflection is a call like any other: no token, no schema.
TEST_F(GrpcTest, ReflectionNeedsAToken) {
  ReflectionClient reflection(server(), /*authenticated=*/false);
  grpc::reflection::v1alpha::ServerReflectionRequest request;
  request.set_list_services("");
  grpc::reflection::v1alpha::ServerReflectionResponse response;
  EXPECT_FALSE(reflection.Ask(request, &response)) << response.DebugString();
  EXPECT_EQ(reflection.Finish().error_code(), StatusCode::UNAUTHENTICATED);
}

TEST_F(GrpcTest, InvalidArgumentNamesTheFieldInTheTrailer) {
  ASSERT_NO_FATAL_FAILURE(PutNamespace("grpc-invalid"));
  {
    grpc::ClientContext context;
    Authorized(&context);
    v1::PutDatasetRequest request;
    request.set_namespace_("grpc-invalid");
    request.set_name("orders");
    request.mutable_dataset()->add_fields()->set_name("id");
    request.mutable_dataset()->add_fields()->set_name("id");
    v1::Dataset response;
    const grpc::Status status = Catalog()->PutDataset(&context, request,
                                                      &response);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT)
        << CodeName(status.error_code()) << " " << status.error_message();
    EXPECT_EQ(FieldTrailer(context), "fields[1].name");
    EXPECT_FALSE(status.error_message().empty());
  }
  {
    grpc::ClientContext context;
    Authorized(&context);
    v1::PutNamespaceRequest request;  // empty name
    v1::Namespace response;
    const grpc::Status status = Catalog()->PutNamespace(&context, request,
                                                        &response);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT)
        << CodeName(status.error_code()) << " " << status.error_message();
    EXPECT_EQ(FieldTrailer(context), "name");
  }
  {
    grpc::ClientContext context;
    Authorized(&context);
    v1::ListDatasetsRequest request;
    request.set_namespace_("grpc-invalid");
    request.set_limit(1001);
    v1::ListDatasetsResponse response;
    const grpc::Status status = Catalog()->ListDatasets(&context, request,
                                                        &response);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT)
        << CodeName(status.error_code()) << " " << status.error_message();
    EXPECT_EQ(FieldTrailer(context), "limit");
  }
  {
    grpc::ClientContext context;
    Authorized(&context);
    v1::PutTermRequest request;
    request.set_name("Grpc Term");
    request.mutable_term()->set_parent("No Such Parent");
    v1::GlossaryTerm response;
    const grpc::Status status = Glossary()->PutTerm(&context, request,
                                                    &response);
    EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT)
        << CodeName(status.error_code()) << " " << status.error_message();
    EXPECT_EQ(FieldTrailer(context), "parent");
  }
  // The rejected dataset was not created.
  grpc::ClientContext context;
  Authorized(&context);
  v1::GetDatasetRequest request;
  request.set_namespace_("grpc-invalid");
  request.set_name("orders");
  v1::Dataset response;
  EXPECT_EQ(Catalog()->GetDataset(&context, request, &response).error_code(),
            StatusCode::NOT_FOUND);
}

TEST_F(GrpcTest, TypedRoundTripKeepsEveryAttribute) {
  ASSERT_NO_FATAL_FAILURE(PutNamespace("postgres://grpc:5432"));
  v1::PutDatasetRequest request;
  request.set_namespace_("postgres://grpc:5432");
  request.set_name("public.meters");
  v1::Dataset* dataset = request.mutable_dataset();
  dataset->set_type(v1::VIEW);
  dataset->set_physical_name("public.meters_v");
  dataset->set_source_name("grid-db");
  dataset->set_description("Smart meters");
  dataset->set_display_name("Meters");
  dataset->set_domain("grid.north");
  dataset->set_update_frequency("daily");
  (*dataset->mutable_custom_properties())["tier"] = "gold";
  v1::Owner* owner = dataset->add_owners();
  owner->set_name("grid-team");
  owner->set_type(v1::TEAM);
  owner->set_role(v1::STEWARD);
  v1::Field* id = dataset->add_fields();
  id->set_name("id");
  id->set_type("BIGINT");
  id->set_nullable(false);
  v1::Field* city = dataset->add_fields();
  city->set_name("address.city");
  city->set_type("TEXT");
  city->set_description("nested");

  v1::Dataset put;
  {
    grpc::ClientContext context;
    Authorized(&context);
    const grpc::Status status = Catalog()->PutDataset(&context, request, &put);
    ASSERT_TRUE(status.ok()) << CodeName(status.error_code()) << " "
                             << status.error_message();
  }
  v1::Dataset got;
  {
    grpc::ClientContext context;
    Authorized(&context);
    v1::GetDatasetRequest get;
    get.set_namespace_("postgres://grpc:5432");
    get.set_name("public.meters");
    const grpc::Status status = Catalog()->GetDataset(&context, get, &got);
    ASSERT_TRUE(status.ok()) << CodeName(status.error_code()) << " "
                             << status.error_message();
  }
  for (const v1::Dataset* answer : {&put, &got}) {
    SCOPED_TRACE(answer == &put ? "PutDataset answer" : "GetDataset answer");
    EXPECT_EQ(answer->id().namespace_(), "postgres://grpc:5432");
    EXPECT_EQ(answer->id().name(), "public.meters");
    EXPECT_EQ(answer->name(), "public.meters");
    EXPECT_EQ(answer->namespace_(), "postgres://grpc:5432");
    EXPECT_EQ(answer->type(), v1::VIEW);
    EXPECT_EQ(answer->physical_name(), "public.meters_v");
    EXPECT_EQ(answer->source_name(), "grid-db");
    EXPECT_EQ(answer->description(), "Smart meters");
    EXPECT_EQ(answer->display_name(), "Meters");
    EXPECT_EQ(answer->domain(), "grid.north");
    EXPECT_EQ(answer->update_frequency(), "daily");
    EXPECT_EQ(answer->custom_properties().size(), 1u);
    EXPECT_EQ(answer->custom_properties().count("tier") == 1
                  ? answer->custom_properties().at("tier")
                  : "",
              "gold");
    ASSERT_EQ(answer->owners_size(), 1);
    EXPECT_EQ(answer->owners(0).name(), "grid-team");
    EXPECT_EQ(answer->owners(0).type(), v1::TEAM);
    EXPECT_EQ(answer->owners(0).role(), v1::STEWARD);
    ASSERT_EQ(answer->fields_size(), 2);
    EXPECT_EQ(answer->fields(0).name(), "id");
    EXPECT_EQ(answer->fields(0).type(), "BIGINT");
    EXPECT_TRUE(answer->fields(0).has_nullable());
    EXPECT_FALSE(answer->fields(0).nullable());
    EXPECT_EQ(answer->fields(0).ordinal_position(), 1);
    EXPECT_EQ(answer->fields(1).name(), "address.city");
    EXPECT_FALSE(answer->fields(1).has_nullable());
    EXPECT_EQ(answer->fields(1).description(), "nested");
    EXPECT_EQ(answer->fields(1).ordinal_position(), 2);
    EXPECT_EQ(answer->current_version(), "1");
    EXPECT_FALSE(answer->deleted());
    EXPECT_TRUE(answer->has_created_at());
    EXPECT_TRUE(answer->has_updated_at());
  }
}

TEST_F(GrpcTest, NotFoundForMissingDataset) {
  grpc::ClientContext context;
  Authorized(&context);
  v1::GetDatasetRequest request;
  request.set_namespace_("grpc-nowhere");
  request.set_name("nothing");
  v1::Dataset response;
  const grpc::Status status = Catalog()->GetDataset(&context, request,
                                                    &response);
  EXPECT_EQ(status.error_code(), StatusCode::NOT_FOUND)
      << CodeName(status.error_code()) << " " << status.error_message();
  EXPECT_FALSE(status.error_message().empty());
}

}  // namespace
}  // namespace cadastre::testing
