#include "rpc_transport.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "cadastre/v1/access.pb.h"
#include "cadastre/v1/catalog.pb.h"
#include "cadastre/v1/glossary.pb.h"
#include "cadastre/v1/lineage.pb.h"
#include "cadastre/v1/report.pb.h"
#include "cadastre/v1/sample.pb.h"
#include "rest_routes.h"

namespace cadastre::testing {
namespace {

namespace protobuf = google::protobuf;
using nlohmann::json;

// Makes sure the generated descriptors are linked in and registered, since
// they are looked up only by name below.
void RegisterCadastreDescriptors() {
  cadastre::v1::Dataset::descriptor();
  cadastre::v1::GlossaryTerm::descriptor();
  cadastre::v1::Job::descriptor();
  cadastre::v1::Grant::descriptor();
  cadastre::v1::DatasetSample::descriptor();
  cadastre::v1::TraceReport::descriptor();
}

class GrpcTransport : public RpcTransport {
 public:
  GrpcTransport(const ServerProcess& server, std::string token)
      : token_(std::move(token)), stub_(server.channel()) {
    RegisterCadastreDescriptors();
  }

  std::string_view name() const override { return "grpc"; }

  CallResult Call(std::string_view rpc, const json& request) override {
    CallResult result;
    const protobuf::MethodDescriptor* method =
        protobuf::DescriptorPool::generated_pool()->FindMethodByName(
            "cadastre.v1." + std::string(rpc));
    if (method == nullptr) {
      result.transport_error = "no RPC named cadastre.v1." + std::string(rpc);
      return result;
    }
    protobuf::MessageFactory* factory =
        protobuf::MessageFactory::generated_factory();
    std::unique_ptr<protobuf::Message> request_message(
        factory->GetPrototype(method->input_type())->New());
    protobuf::util::JsonParseOptions parse_options;
    parse_options.ignore_unknown_fields = false;
    if (auto status = protobuf::util::JsonStringToMessage(
            request.dump(), request_message.get(), parse_options);
        !status.ok()) {
      result.transport_error = "the request is not a valid " +
                               method->input_type()->full_name() + ": " +
                               std::string(status.message());
      return result;
    }
    std::string bytes;
    request_message->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request_buffer(&slice, 1);

    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(30));
    context.AddMetadata("authorization", "Bearer " + token_);
    grpc::CompletionQueue queue;
    const std::string path = "/" + method->service()->full_name() + "/" +
                             method->name();
    auto call = stub_.PrepareUnaryCall(&context, path, request_buffer, &queue);
    call->StartCall();
    grpc::ByteBuffer response_buffer;
    grpc::Status status;
    call->Finish(&response_buffer, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    queue.Next(&tag, &ok);
    queue.Shutdown();
    while (queue.Next(&tag, &ok)) {
    }

    result.code = CodeName(status.error_code());
    result.message = status.error_message();
    const auto& trailers = context.GetServerTrailingMetadata();
    if (auto it = trailers.find("cadastre-field"); it != trailers.end()) {
      result.field.assign(it->second.data(), it->second.size());
    }
    if (!status.ok()) return result;

    std::vector<grpc::Slice> slices;
    if (!response_buffer.Dump(&slices).ok()) {
      result.transport_error = "cannot read the response bytes";
      return result;
    }
    std::string response_bytes;
    for (const auto& piece : slices) {
      response_bytes.append(reinterpret_cast<const char*>(piece.begin()),
                            piece.size());
    }
    std::unique_ptr<protobuf::Message> response_message(
        factory->GetPrototype(method->output_type())->New());
    if (!response_message->ParseFromString(response_bytes)) {
      result.transport_error = "cannot parse the response as " +
                               method->output_type()->full_name();
      return result;
    }
    protobuf::util::JsonPrintOptions print_options;
    print_options.always_print_primitive_fields = true;
    print_options.preserve_proto_field_names = false;
    std::string text;
    if (auto printed = protobuf::util::MessageToJsonString(
            *response_message, &text, print_options);
        !printed.ok()) {
      result.transport_error = "cannot print the response as JSON: " +
                               std::string(printed.message());
      return result;
    }
    result.body = json::parse(text);
    return result;
  }

 private:
  const std::string token_;
  grpc::GenericStub stub_;
};

class RestTransport : public RpcTransport {
 public:
  RestTransport(const ServerProcess& server, const std::string& token)
      : client_(server.HttpClient(/*with_token=*/false)) {
    client_->set_bearer_token_auth(token);
  }

  std::string_view name() const override { return "rest"; }

  CallResult Call(std::string_view rpc, const json& request) override {
    CallResult result;
    const RestRoute* route = FindRestRoute(rpc);
    if (route == nullptr) {
      result.transport_error =
          "docs/rest-routes.md has no route for " + std::string(rpc);
      return result;
    }
    std::string error;
    std::optional<HttpCall> call = ToHttpCall(*route, request, &error);
    if (!call) {
      result.transport_error = error;
      return result;
    }
    httplib::Request http_request;
    http_request.method = call->method;
    http_request.path = call->path;
    if (!call->body.empty()) {
      http_request.body = call->body;
      http_request.set_header("Content-Type", "application/json");
    }
    httplib::Result response = client_->send(http_request);
    if (!response) {
      result.transport_error = call->method + " " + call->path + ": " +
                               httplib::to_string(response.error());
      return result;
    }
    result.http_status = response->status;
    result.raw = response->body;
    json body = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      result.transport_error = call->method + " " + call->path +
                               ": the answer (HTTP " +
                               std::to_string(response->status) +
                               ") is not JSON: " + response->body.substr(0, 500);
      return result;
    }
    if (response->status >= 200 && response->status < 300) {
      result.code = "OK";
      result.body = std::move(body);
      return result;
    }
    const json* error_object =
        body.is_object() && body.contains("error") && body["error"].is_object()
            ? &body["error"]
            : nullptr;
    if (error_object == nullptr) {
      result.transport_error = call->method + " " + call->path + ": HTTP " +
                               std::to_string(response->status) +
                               " without an error object: " +
                               response->body.substr(0, 500);
      return result;
    }
    result.code = error_object->value("code", "");
    result.message = error_object->value("message", "");
    result.field = error_object->value("field", "");
    return result;
  }

 private:
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace

std::unique_ptr<RpcTransport> MakeGrpcTransport(const ServerProcess& server,
                                                std::string token) {
  return std::make_unique<GrpcTransport>(
      server, token.empty() ? server.token() : std::move(token));
}

std::unique_ptr<RpcTransport> MakeRestTransport(const ServerProcess& server,
                                                std::string token) {
  return std::make_unique<RestTransport>(
      server, token.empty() ? server.token() : token);
}

std::string Base64Decode(const std::string& text) {
  std::string out;
  return absl::Base64Unescape(text, &out) ? out : "";
}

std::string CodeName(int grpc_status_code) {
  static const char* const kNames[] = {
      "OK",                 "CANCELLED",        "UNKNOWN",
      "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS",     "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION", "ABORTED",         "OUT_OF_RANGE",
      "UNIMPLEMENTED",      "INTERNAL",         "UNAVAILABLE",
      "DATA_LOSS",          "UNAUTHENTICATED"};
  if (grpc_status_code >= 0 && grpc_status_code <= 16) {
    return kNames[grpc_status_code];
  }
  return "CODE_" + std::to_string(grpc_status_code);
}

}  // namespace cadastre::testing
