// Reads one dataset over gRPC and prints it as JSON.
//   grpc-get-dataset 127.0.0.1:50051 "$TOKEN" postgres://crm:5432 public.customers
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "cadastre/v1/catalog.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " HOST:PORT TOKEN NAMESPACE DATASET\n";
    return 2;
  }
  auto channel = grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials());
  auto stub = cadastre::v1::CatalogService::NewStub(channel);

  grpc::ClientContext context;
  context.AddMetadata("authorization", std::string("Bearer ") + argv[2]);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  cadastre::v1::GetDatasetRequest request;
  request.set_namespace_(argv[3]);
  request.set_name(argv[4]);
  cadastre::v1::Dataset dataset;
  grpc::Status status = stub->GetDataset(&context, request, &dataset);
  if (!status.ok()) {
    std::cerr << "error " << status.error_code() << ": " << status.error_message();
    auto field = context.GetServerTrailingMetadata().find("cadastre-field");
    if (field != context.GetServerTrailingMetadata().end()) {
      std::cerr << " (field " << std::string(field->second.data(), field->second.size()) << ")";
    }
    std::cerr << "\n";
    return 1;
  }
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(dataset, &json);
  std::cout << json << "\n";
  return 0;
}
