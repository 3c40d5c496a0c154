// The fixture of the access-control tests (access_test.cc,
// access_admin_test.cc): one server for the suite, seeded once by the
// bootstrap admin with a small world of principals, datasets and lineage,
// and every test run over REST and over gRPC (the test parameter) through
// the same RpcTransport the scenario runner uses.
//
// The world: one principal per built-in role, each with domains
// ["grid.north"] (m-admin, m-steward, …, m-pipeline), plus "root", the
// unscoped bootstrap admin. Namespace kNs holds datasets of grid.north and
// grid.south; kSouthNs holds grid.south ones only. Lineage runs
// leak.src (north) -> leak.mid_south (south) -> leak.dst (north), so that a
// north-scoped caller meets a hidden dataset in the middle of a walk.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rest_routes.h"
#include "rpc_transport.h"
#include "suite_server.h"

namespace cadastre::testing {

using nlohmann::json;

inline constexpr char kNs[] = "postgres://grid:5432";
inline constexpr char kSouthNs[] = "postgres://south-only:5432";
inline constexpr char kJobNs[] = "acc-jobs";
inline constexpr char kMatrixNorth[] = "matrix.north";
inline constexpr char kMatrixSouth[] = "matrix.south";
inline constexpr char kOnlySouth[] = "only.south";

// The matrix's callers: the unscoped admin, then one principal per built-in
// role scoped to grid.north.
inline const std::vector<std::string> kMatrixPrincipals = {
    "root",      "m-admin",          "m-steward", "m-engineer",
    "m-analyst", "m-data_scientist", "m-auditor", "m-pipeline"};

// A dataset body of the seeded shape: columns id and email in `domain`.
json DatasetBody(const std::string& domain, const std::string& description = "seeded");

// One OpenLineage run event (COMPLETE, a fresh runId) of job kJobNs/`job`,
// as JSON text.
std::string RunEvent(const std::string& job, const std::vector<json>& inputs,
                     const std::vector<json>& outputs, const json& job_facets = json::object());
// An input or output of an event: {"namespace","name"} plus, for an output,
// columnLineage facets mapping each of its columns to one column of `from`.
json EventDataset(const std::string& ns, const std::string& name,
                  const std::map<std::string, std::pair<std::string, std::string>>& columns = {});

class AccessTest : public SuiteServerTest<AccessTest>,
                   public ::testing::WithParamInterface<std::string> {
 public:
  static void SetUpTestSuite();

 protected:
  void SetUp() override;

  bool rest() const { return GetParam() == "rest"; }

  // Calls `rpc` with the token of `who` (a seeded principal, or "root").
  CallResult As(const std::string& who, std::string_view rpc, const json& request);
  CallResult WithToken(const std::string& token, std::string_view rpc, const json& request);

  // The HTTP status of an answer: REST's own, or the one docs/rest-routes.md
  // gives for a gRPC code.
  int StatusOf(const CallResult& result) const;
  // `http` as this transport says it: gRPC has no 201.
  int Expected(int http) const { return !rest() && http == 201 ? 200 : http; }

  // Name suffix for things a test creates, so that the two transports'
  // runs do not meet.
  std::string Unique(const std::string& name) const { return name + "-" + GetParam(); }

  // Creates (as root) a principal and a token for it; answers the token.
  std::string MakePrincipal(const std::string& name, const json& principal);

  // The access-control state as root sees it: principals, roles, grants,
  // masking policies. For "a rejected request changed nothing".
  std::vector<json> AccessState();

  static inline std::map<std::string, std::string> tokens_;     // who -> secret
  static inline std::map<std::string, std::string> token_ids_;  // who -> token id

 private:
  static std::string SeedWorld();
  static inline std::string seed_error_;
};

// `text` with every occurrence of `from` replaced by `to`.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to);

}  // namespace cadastre::testing
