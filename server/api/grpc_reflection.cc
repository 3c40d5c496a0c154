#include "server/api/grpc_reflection.h"

#include <set>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"

namespace cadastre::api {
namespace {

namespace reflection = grpc::reflection::v1alpha;
using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

// `file` and every file it imports, each once, dependencies first (the order
// grpcurl builds them in).
void AddFileWithImports(const FileDescriptor* file, std::set<const FileDescriptor*>* seen,
                        reflection::FileDescriptorResponse* out) {
  if (!seen->insert(file).second) return;
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFileWithImports(file->dependency(i), seen, out);
  }
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(out->add_file_descriptor_proto());
}

void SetError(grpc::StatusCode code, std::string message,
              reflection::ServerReflectionResponse* response) {
  response->mutable_error_response()->set_error_code(code);
  response->mutable_error_response()->set_error_message(std::move(message));
}

void Answer(const reflection::ServerReflectionRequest& request,
            const std::vector<std::string>& services,
            reflection::ServerReflectionResponse* response) {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  std::set<const FileDescriptor*> seen;
  const FileDescriptor* file = nullptr;
  switch (request.message_request_case()) {
    case reflection::ServerReflectionRequest::kListServices:
      for (const std::string& name : services) {
        response->mutable_list_services_response()->add_service()->set_name(name);
      }
      return;
    case reflection::ServerReflectionRequest::kFileByFilename:
      file = pool->FindFileByName(request.file_by_filename());
      break;
    case reflection::ServerReflectionRequest::kFileContainingSymbol:
      file = pool->FindFileContainingSymbol(request.file_containing_symbol());
      break;
    case reflection::ServerReflectionRequest::kFileContainingExtension: {
      const auto* type =
          pool->FindMessageTypeByName(request.file_containing_extension().containing_type());
      const auto* extension =
          type == nullptr ? nullptr
                          : pool->FindExtensionByNumber(
                                type, request.file_containing_extension().extension_number());
      if (extension != nullptr) file = extension->file();
      break;
    }
    case reflection::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const auto* type = pool->FindMessageTypeByName(request.all_extension_numbers_of_type());
      if (type == nullptr) break;
      auto* numbers = response->mutable_all_extension_numbers_response();
      numbers->set_base_type_name(type->full_name());
      std::vector<const google::protobuf::FieldDescriptor*> extensions;
      pool->FindAllExtensions(type, &extensions);
      for (const auto* extension : extensions) numbers->add_extension_number(extension->number());
      return;
    }
    case reflection::ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
      SetError(grpc::StatusCode::INVALID_ARGUMENT, "message_request is required", response);
      return;
  }
  if (file == nullptr) {
    SetError(grpc::StatusCode::NOT_FOUND, "not found", response);
    return;
  }
  AddFileWithImports(file, &seen, response->mutable_file_descriptor_response());
}

}  // namespace

grpc::Status GrpcReflectionService::ServerReflectionInfo(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<reflection::ServerReflectionResponse,
                             reflection::ServerReflectionRequest>* stream) {
  return call_.Run(context, "ServerReflection.ServerReflectionInfo",
                   [&](const policy::Caller&) -> absl::Status {
                     reflection::ServerReflectionRequest request;
                     while (stream->Read(&request)) {
                       reflection::ServerReflectionResponse response;
                       response.set_valid_host(request.host());
                       *response.mutable_original_request() = request;
                       Answer(request, services_, &response);
                       if (!stream->Write(response)) break;
                     }
                     return absl::OkStatus();
                   });
}

}  // namespace cadastre::api
