// The Cadastre C++ SDK: a typed client over gRPC for the whole API (the
// Client class is in client_core.h), with the headers of every service.
#pragma once

#include "cadastre/client_core.h"
#include "cadastre/v1/access.grpc.pb.h"
#include "cadastre/v1/audit.grpc.pb.h"
#include "cadastre/v1/catalog.grpc.pb.h"
#include "cadastre/v1/glossary.grpc.pb.h"
#include "cadastre/v1/lineage.grpc.pb.h"
#include "cadastre/v1/report.grpc.pb.h"
#include "cadastre/v1/sample.grpc.pb.h"
#include "cadastre/v1/search.grpc.pb.h"
#include "cadastre/v1/sync.grpc.pb.h"
