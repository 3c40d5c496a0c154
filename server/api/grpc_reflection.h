// gRPC server reflection (v1alpha, what grpcurl speaks), served by Cadastre
// rather than by gRPC::grpc++_reflection so that it authenticates like every
// other call. Any principal may read the schema: it is the public .proto
// files, no metadata.
#pragma once

#include <string>
#include <vector>

#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "server/api/grpc_services.h"

namespace cadastre::api {

class GrpcReflectionService final
    : public grpc::reflection::v1alpha::ServerReflection::Service {
 public:
  // `services`: the full names `list_services` answers with.
  GrpcReflectionService(const Dispatcher* dispatcher, std::vector<std::string> services)
      : call_(dispatcher), services_(std::move(services)) {}

  grpc::Status ServerReflectionInfo(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<grpc::reflection::v1alpha::ServerReflectionResponse,
                               grpc::reflection::v1alpha::ServerReflectionRequest>* stream)
      override;

 private:
  GrpcCall call_;
  std::vector<std::string> services_;
};

}  // namespace cadastre::api
