// Reads one dataset over gRPC with the SDK and prints it as JSON.
//   grpc-get-dataset 127.0.0.1:50051 "$TOKEN" postgres://crm:5432 public.customers
#include <iostream>

#include "cadastre/client.h"
#include "google/protobuf/util/json_util.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: " << argv[0] << " HOST:PORT TOKEN NAMESPACE DATASET\n";
    return 2;
  }
  cadastre::sdk::ClientOptions options;
  options.target = argv[1];
  options.token = argv[2];
  options.deadline = std::chrono::seconds(5);
  auto client = cadastre::sdk::Client::Connect(options);
  if (!client.ok()) {
    std::cerr << client.status() << "\n";
    return 2;
  }
  cadastre::v1::GetDatasetRequest request;
  request.set_namespace_(argv[3]);
  request.set_name(argv[4]);
  absl::StatusOr<cadastre::v1::Dataset> dataset =
      (*client)->Call(&cadastre::v1::CatalogService::Stub::GetDataset, request);
  if (!dataset.ok()) {
    std::cerr << "error " << dataset.status();
    if (auto field = cadastre::sdk::FieldOf(dataset.status())) std::cerr << " (field " << *field << ")";
    std::cerr << "\n";
    return 1;
  }
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(*dataset, &json);
  std::cout << json << "\n";
  return 0;
}
