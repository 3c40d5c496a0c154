// The access-control API itself against the real server, over REST and
// gRPC: the token lifecycle (expiry, revocation, deleted principals, no
// secret on disk), bad input that must change nothing, what a principal
// may do for itself and what only an unscoped admin may, and grants and
// teams taking effect at once. Also, disabled until fixed, the leaks found
// while writing these tests (see docs/access-control.md, "Known gaps").
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "access_fixture.h"
#include "cadastre/v1/access.grpc.pb.h"

namespace cadastre::testing {
namespace {

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// An RFC 3339 time `offset` from now.
std::string TimeFromNow(std::chrono::seconds offset) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + offset);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return text;
}

// Every secret the tests of this process were handed, for the on-disk check.
std::vector<std::string>& Secrets() {
  static auto* secrets = new std::vector<std::string>;
  return *secrets;
}

// -------------------------------------------------------------------- tokens

TEST_P(AccessTest, TokensExpireAndCanBeRevokedByTheirPrincipal) {
  const std::string me = Unique("tok");
  const std::string long_lived = MakePrincipal(me, {{"roles", {"analyst"}}});
  auto create = [&](const json& request) {
    json full = request;
    full["principal"] = me;
    const CallResult created = As("root", "AccessService.CreateToken", full);
    EXPECT_EQ(StatusOf(created), Expected(201)) << created.message;
    Secrets().push_back(created.body.value("token", ""));
    return created.body;
  };
  auto whoami = [&](const std::string& token) {
    return WithToken(token, "AccessService.WhoAmI", json::object());
  };
  Secrets().push_back(long_lived);

  const json short_lived = create({{"ttlSeconds", 1}});
  const std::string at = TimeFromNow(std::chrono::hours(1));
  const json dated = create({{"expiresAt", at}});
  EXPECT_EQ(dated["expiresAt"], at);
  EXPECT_EQ(short_lived["token"].get<std::string>().rfind("cad_", 0), 0u);
  const CallResult fresh = whoami(short_lived["token"]);
  ASSERT_EQ(fresh.code, "OK") << fresh.message;
  EXPECT_EQ(fresh.body["principal"]["name"], me);

  // Expiry: the 1 s token stops working; the others do not.
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const CallResult expired = whoami(short_lived["token"]);
  EXPECT_EQ(expired.code, "UNAUTHENTICATED");
  EXPECT_EQ(StatusOf(expired), 401);
  EXPECT_EQ(whoami(dated["token"]).code, "OK");

  // The principal lists its own tokens (metadata only) ...
  const CallResult mine = WithToken(long_lived, "AccessService.ListTokens", {{"principal", me}});
  ASSERT_EQ(mine.code, "OK") << mine.message;
  ASSERT_EQ(mine.body["tokens"].size(), 3u) << mine.body.dump();
  for (const json& token : mine.body["tokens"]) EXPECT_FALSE(token.contains("token")) << token;
  for (const std::string& secret : Secrets()) {
    EXPECT_EQ(mine.body.dump().find(secret), std::string::npos) << "a secret is listed";
  }

  // ... and revokes one at once; revoking again changes nothing.
  const CallResult revoked =
      WithToken(long_lived, "AccessService.RevokeToken", {{"principal", me}, {"id", dated["id"]}});
  ASSERT_EQ(revoked.code, "OK") << revoked.message;
  EXPECT_TRUE(revoked.body.contains("revokedAt"));
  EXPECT_EQ(whoami(dated["token"]).code, "UNAUTHENTICATED");
  EXPECT_EQ(whoami(long_lived).code, "OK");
  const CallResult again =
      As("root", "AccessService.RevokeToken", {{"principal", me}, {"id", dated["id"]}});
  EXPECT_EQ(again.body["revokedAt"], revoked.body["revokedAt"]);

  // Even the token it is calling with (the one that never expires).
  for (const json& token : mine.body["tokens"]) {
    if (token.contains("expiresAt")) continue;
    const json request = {{"principal", me}, {"id", token["id"]}};
    EXPECT_EQ(WithToken(long_lived, "AccessService.RevokeToken", request).code, "OK");
  }
  EXPECT_EQ(whoami(long_lived).code, "UNAUTHENTICATED");
}

TEST_P(AccessTest, TokensOfADeletedPrincipalStopWorkingForGood) {
  const std::string name = Unique("gone");
  const std::string token = MakePrincipal(name, {{"roles", {"admin"}}});
  Secrets().push_back(token);
  ASSERT_EQ(WithToken(token, "AccessService.WhoAmI", json::object()).code, "OK");

  ASSERT_EQ(As("root", "AccessService.DeletePrincipal", {{"name", name}}).code, "OK");
  EXPECT_EQ(WithToken(token, "AccessService.WhoAmI", json::object()).code, "UNAUTHENTICATED");
  // A new principal of the same name does not inherit the old tokens.
  ASSERT_EQ(As("root", "AccessService.PutPrincipal",
               {{"name", name}, {"principal", {{"roles", {"admin"}}}}})
                .code,
            "OK");
  EXPECT_EQ(WithToken(token, "AccessService.WhoAmI", json::object()).code, "UNAUTHENTICATED");
  EXPECT_EQ(As("root", "AccessService.ListTokens", {{"principal", name}}).body["tokens"],
            json::array());
  // Nor its grants.
  EXPECT_EQ(As("root", "AccessService.ListGrants", {{"principal", name}}).body["grants"],
            json::array());
}

TEST_P(AccessTest, TokenSecretsNeverReachTheDisk) {
  const std::string name = Unique("disk");
  const std::string token = MakePrincipal(name, {{"roles", {"analyst"}}});
  Secrets().push_back(token);
  const CallResult second = As("root", "AccessService.CreateToken", {{"principal", name}});
  Secrets().push_back(second.body.value("token", ""));
  ASSERT_EQ(
      As("root", "AccessService.RevokeToken", {{"principal", name}, {"id", second.body["id"]}})
          .code,
      "OK");
  for (const auto& entry : tokens_) Secrets().push_back(entry.second);

  std::string stored;
  for (const char* file : {"cadastre.db", "cadastre.db-wal", "cadastre.db-shm"}) {
    stored += ReadBytes(server().data_dir() / file);
  }
  // The files hold the tokens (their ids) ...
  ASSERT_NE(stored.find(second.body.value("id", "?")), std::string::npos);
  // ... but no secret, nor does the log.
  const std::string log = server().ReadLog();
  for (const std::string& secret : Secrets()) {
    ASSERT_GT(secret.size(), 20u);
    EXPECT_EQ(stored.find(secret.substr(4)), std::string::npos) << "a secret is stored";
    EXPECT_EQ(log.find(secret.substr(4)), std::string::npos) << "a secret is logged";
  }
}

// ----------------------------------------------------------------- bad input

TEST_P(AccessTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  const std::string victim = Unique("bad");
  MakePrincipal(victim, {{"roles", {"analyst"}}});
  struct Bad {
    std::string rpc;
    json request;
    std::string field;
    std::string code = "INVALID_ARGUMENT";
    bool rest_only = false;  // gRPC cannot even carry it
  };
  auto principal = [&](const json& body) { return json{{"name", victim}, {"principal", body}}; };
  auto role = [](const json& body) { return json{{"name", "bad-role"}, {"role", body}}; };
  auto policy = [](json body) {
    if (!body.contains("tag")) body["tag"] = "PII";
    if (!body.contains("maskType")) body["maskType"] = "MASK_NULL";
    return json{{"name", "bad-policy"}, {"policy", body}};
  };
  auto grant = [&](json body) {
    if (!body.contains("principal")) body["principal"] = victim;
    if (!body.contains("role")) body["role"] = "analyst";
    return json{{"grant", body}};
  };
  auto token = [&](json body) {
    body["principal"] = victim;
    return body;
  };
  const std::vector<Bad> bad = {
      {"AccessService.PutPrincipal", principal({{"roles", {"analyst", "no-such-role"}}}),
       "roles[1]"},
      {"AccessService.PutPrincipal",
       {{"name", Unique("never")}, {"principal", {{"roles", {"no-such-role"}}}}},
       "roles[0]"},
      {"AccessService.PutPrincipal", principal({{"teams", {"no-such-team"}}}), "teams[0]"},
      {"AccessService.PutPrincipal", principal({{"teams", {"m-analyst"}}}), "teams[0]"},
      {"AccessService.PutPrincipal", principal({{"kind", "robot"}}), "kind"},
      {"AccessService.PutRole", role({{"permissions", {99}}}), "permissions[0]"},
      {"AccessService.PutRole", role({{"permissions", {"PERMISSION_UNSPECIFIED"}}}),
       "permissions[0]"},
      {"AccessService.PutRole", role({{"ownDatasetPermissions", {"READ_METADATA", 42}}}),
       "ownDatasetPermissions[1]"},
      {"AccessService.PutRole", role({{"permissions", {"FLY"}}}), "permissions", "INVALID_ARGUMENT",
       true},
      {"AccessService.PutRole",
       {{"name", "analyst"}, {"role", {{"permissions", {"READ_AUDIT"}}}}},
       "name",
       "FAILED_PRECONDITION"},
      {"AccessService.DeleteRole", {{"name", "analyst"}}, "name", "FAILED_PRECONDITION"},
      {"AccessService.PutMaskingPolicy", policy({{"maskType", "MASK_TYPE_UNSPECIFIED"}}),
       "maskType"},
      {"AccessService.PutMaskingPolicy", policy({{"maskType", 99}}), "maskType"},
      {"AccessService.PutMaskingPolicy", policy({{"maskType", "MASK_FOO"}}), "maskType",
       "INVALID_ARGUMENT", true},
      {"AccessService.PutMaskingPolicy", policy({{"tag", "No.Such.Tag"}}), "tag"},
      {"AccessService.PutMaskingPolicy", policy({{"unmaskedRoles", {"ghost"}}}),
       "unmaskedRoles[0]"},
      {"AccessService.PutMaskingPolicy",
       policy({{"maskType", "CUSTOM"}, {"customExpression", "upper(x)"}}), "customExpression"},
      {"AccessService.CreateGrant", grant({{"role", "ghost"}}), "role"},
      {"AccessService.CreateGrant", grant({{"principal", "ghost"}}), "principal"},
      {"AccessService.CreateGrant", grant({{"tags", {"No.Such.Tag"}}}), "tags[0]"},
      {"AccessService.CreateGrant", grant({{"effect", 7}}), "effect"},
      {"AccessService.CreateGrant", grant({{"effect", "MAYBE"}}), "effect", "INVALID_ARGUMENT",
       true},
      {"AccessService.CreateToken", token({{"ttlSeconds", -1}}), "ttlSeconds"},
      {"AccessService.CreateToken", token({{"expiresAt", "2020-01-01T00:00:00Z"}}), "expiresAt"},
      {"AccessService.CreateToken",
       token({{"ttlSeconds", 60}, {"expiresAt", TimeFromNow(std::chrono::hours(1))}}),
       "ttlSeconds"},
      // Past year 9999, which no timestamp can carry.
      {"AccessService.CreateToken", token({{"ttlSeconds", "1000000000000"}}), "ttlSeconds"},
      {"AccessService.CreateToken", {{"principal", "ghost"}}, "principal", "NOT_FOUND"},
  };
  for (const Bad& call : bad) {
    if (call.rest_only && !rest()) continue;
    SCOPED_TRACE(call.rpc + " " + call.request.dump());
    const std::vector<json> before = AccessState();
    const json tokens_before = As("root", "AccessService.ListTokens", {{"principal", victim}}).body;
    const CallResult refused = As("root", call.rpc, call.request);
    EXPECT_EQ(refused.code, call.code) << refused.message;
    if (call.rest_only) {
      EXPECT_EQ(refused.field.rfind(call.field, 0), 0u) << refused.field;
    } else {
      EXPECT_EQ(refused.field, call.field) << refused.message;
    }
    EXPECT_EQ(AccessState(), before);
    EXPECT_EQ(As("root", "AccessService.ListTokens", {{"principal", victim}}).body, tokens_before);
  }

  if (!rest()) {
    // Only gRPC carries a timestamp past the year 9999, which JSON cannot.
    grpc::ClientContext context;
    server().PrepareContext(&context);
    cadastre::v1::CreateTokenRequest request;
    request.set_principal(victim);
    request.mutable_expires_at()->set_seconds(int64_t{1} << 40);
    cadastre::v1::CreateTokenResponse response;
    const grpc::Status status = cadastre::v1::AccessService::NewStub(server().channel())
                                    ->CreateToken(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    const auto field = context.GetServerTrailingMetadata().find("cadastre-field");
    ASSERT_NE(field, context.GetServerTrailingMetadata().end());
    EXPECT_EQ(std::string(field->second.data(), field->second.size()), "expiresAt");
  }
}

// ------------------------------------------------ self-service and managers

TEST_P(AccessTest, OnlyAnUnscopedAdminManagesPrincipalsRolesGrantsAndPolicies) {
  const std::string analyst_token_id = token_ids_.at("m-analyst");
  const json some_grant =
      As("root", "AccessService.CreateGrant",
         {{"grant", {{"principal", "m-analyst"}, {"role", "analyst"}, {"domains", {"water"}}}}})
          .body;
  const std::vector<std::pair<std::string, json>> management = {
      {"AccessService.ListPrincipals", json::object()},
      {"AccessService.GetPrincipal", {{"name", "m-analyst"}}},
      {"AccessService.PutPrincipal",
       {{"name", "m-analyst"}, {"principal", {{"roles", {"admin"}}}}}},
      {"AccessService.PutPrincipal", {{"name", Unique("new")}, {"principal", json::object()}}},
      {"AccessService.DeletePrincipal", {{"name", "m-analyst"}}},
      {"AccessService.CreateToken", {{"principal", "m-analyst"}}},
      {"AccessService.ListTokens", {{"principal", "m-analyst"}}},
      {"AccessService.RevokeToken", {{"principal", "m-analyst"}, {"id", analyst_token_id}}},
      {"AccessService.PutRole", {{"name", "custom"}, {"role", {{"permissions", {"READ_AUDIT"}}}}}},
      {"AccessService.DeleteRole", {{"name", "custom"}}},
      {"AccessService.ListGrants", json::object()},
      {"AccessService.ListGrants", {{"principal", "m-analyst"}}},
      {"AccessService.CreateGrant", {{"grant", {{"principal", "m-steward"}, {"role", "admin"}}}}},
      {"AccessService.DeleteGrant", {{"id", some_grant["id"]}}},
      {"AccessService.PutMaskingPolicy",
       {{"name", "p"}, {"policy", {{"tag", "PII"}, {"maskType", "MASK_NONE"}}}}},
      {"AccessService.DeleteMaskingPolicy", {{"name", "matrix-mask"}}},
  };
  // A scoped admin holds MANAGE_PRINCIPALS and MANAGE_POLICIES only in its
  // domains, which does not count.
  for (const std::string who : {"m-steward", "m-admin"}) {
    const std::vector<json> before = AccessState();
    for (const auto& [rpc, request] : management) {
      SCOPED_TRACE(who + " " + rpc + " " + request.dump());
      const CallResult refused = As(who, rpc, request);
      EXPECT_EQ(refused.code, "PERMISSION_DENIED") << refused.message;
      EXPECT_EQ(StatusOf(refused), 403);
    }
    EXPECT_EQ(AccessState(), before);
    EXPECT_EQ(As("m-analyst", "AccessService.WhoAmI", json::object()).code, "OK");
  }
  EXPECT_EQ(As("root", "AccessService.DeleteGrant", {{"id", some_grant["id"]}}).code, "OK");
}

TEST_P(AccessTest, APrincipalManagesItsOwnTokensAndReadsItsOwnGrants) {
  const std::string me = Unique("self");
  const std::string token =
      MakePrincipal(me, {{"roles", {"steward"}}, {"domains", {"grid.north"}}});
  Secrets().push_back(token);
  auto as_me = [&](std::string_view rpc, const json& request) {
    return WithToken(token, rpc, request);
  };

  const CallResult whoami = as_me("AccessService.WhoAmI", json::object());
  ASSERT_EQ(whoami.code, "OK") << whoami.message;
  EXPECT_EQ(whoami.body["principal"]["name"], me);
  ASSERT_EQ(whoami.body["grants"].size(), 1u) << whoami.body.dump();
  EXPECT_EQ(whoami.body["grants"][0]["role"], "steward");
  EXPECT_EQ(whoami.body["grants"][0]["domains"], json({"grid.north"}));
  EXPECT_EQ(as_me("AccessService.GetPrincipal", {{"name", me}}).code, "OK");
  EXPECT_EQ(as_me("AccessService.ListGrants", {{"principal", me}}).code, "OK");
  int built_in = 0;
  const CallResult roles = as_me("AccessService.ListRoles", json::object());
  for (const json& role : roles.body["roles"]) {
    built_in += role.value("builtIn", false);
  }
  EXPECT_EQ(built_in, 7);
  EXPECT_EQ(as_me("AccessService.GetRole", {{"name", "pipeline"}}).body["ownDatasetPermissions"],
            json({"READ_METADATA", "EDIT_METADATA"}));

  const CallResult second =
      as_me("AccessService.CreateToken", {{"principal", me}, {"ttlSeconds", 600}});
  ASSERT_EQ(StatusOf(second), Expected(201)) << second.message;
  Secrets().push_back(second.body["token"].get<std::string>());
  EXPECT_EQ(WithToken(second.body["token"], "AccessService.WhoAmI", json::object()).code, "OK");
  EXPECT_EQ(as_me("AccessService.ListTokens", {{"principal", me}}).body["tokens"].size(), 2u);

  // Another principal's token cannot be revoked through one's own path.
  const CallResult not_mine =
      as_me("AccessService.RevokeToken", {{"principal", me}, {"id", token_ids_.at("m-analyst")}});
  EXPECT_EQ(not_mine.code, "NOT_FOUND");
  EXPECT_EQ(As("m-analyst", "AccessService.WhoAmI", json::object()).code, "OK");

  EXPECT_EQ(as_me("AccessService.RevokeToken", {{"principal", me}, {"id", second.body["id"]}}).code,
            "OK");
  EXPECT_EQ(WithToken(second.body["token"], "AccessService.WhoAmI", json::object()).code,
            "UNAUTHENTICATED");
  EXPECT_EQ(as_me("AccessService.WhoAmI", json::object()).code, "OK");
}

// ------------------------------------------------------ grants, teams, DENY

TEST_P(AccessTest, GrantsAndTeamsTakeEffectAtOnce) {
  const std::string team = Unique("team");
  const std::string member = Unique("member");
  ASSERT_EQ(
      As("root", "AccessService.PutPrincipal",
         {{"name", team},
          {"principal", {{"kind", "team"}, {"roles", {"analyst"}}, {"domains", {"grid.north"}}}}})
          .code,
      "OK");
  const std::string token = MakePrincipal(member, {{"teams", {team}}});
  auto sees = [&](const char* dataset) {
    return WithToken(token, "CatalogService.GetDataset", {{"namespace", kNs}, {"name", dataset}})
        .code;
  };
  EXPECT_EQ(sees(kMatrixNorth), "OK");
  EXPECT_EQ(sees(kMatrixSouth), "NOT_FOUND");

  const CallResult south = As("root", "AccessService.CreateGrant",
                              {{"grant",
                                {{"principal", member},
                                 {"role", "analyst"},
                                 {"datasets", {{{"namespace", kNs}, {"name", kMatrixSouth}}}}}}});
  ASSERT_EQ(StatusOf(south), Expected(201)) << south.message;
  EXPECT_EQ(south.body["createdBy"], "admin");
  EXPECT_EQ(sees(kMatrixSouth), "OK");

  // The team's DENY beats the member's own ALLOW.
  const CallResult deny =
      As("root", "AccessService.CreateGrant",
         {{"grant",
           {{"principal", team}, {"role", "analyst"}, {"effect", "DENY"}, {"domains", {"grid"}}}}});
  ASSERT_EQ(deny.code, "OK") << deny.message;
  EXPECT_EQ(sees(kMatrixNorth), "NOT_FOUND");
  EXPECT_EQ(sees(kMatrixSouth), "NOT_FOUND");
  const CallResult whoami = WithToken(token, "AccessService.WhoAmI", json::object());
  EXPECT_EQ(whoami.body["grants"].size(), 3u) << whoami.body.dump();

  ASSERT_EQ(As("root", "AccessService.DeleteGrant", {{"id", deny.body["id"]}}).code, "OK");
  EXPECT_EQ(sees(kMatrixNorth), "OK");
  EXPECT_EQ(sees(kMatrixSouth), "OK");

  // A team with members stays; a role in use stays.
  const CallResult team_delete = As("root", "AccessService.DeletePrincipal", {{"name", team}});
  EXPECT_EQ(team_delete.code, "FAILED_PRECONDITION");
  EXPECT_NE(team_delete.message.find(member), std::string::npos) << team_delete.message;
  const std::string role = Unique("custom-reader");
  ASSERT_EQ(As("root", "AccessService.PutRole",
               {{"name", role}, {"role", {{"permissions", {"READ_METADATA"}}}}})
                .code,
            "OK");
  ASSERT_EQ(As("root", "AccessService.PutPrincipal",
               {{"name", member}, {"principal", {{"teams", {team}}, {"roles", {role}}}}})
                .code,
            "OK");
  EXPECT_EQ(As("root", "AccessService.DeleteRole", {{"name", role}}).code, "FAILED_PRECONDITION");
}

// ------------------------------------------------ ingestion and job text

// WRITE_LINEAGE somewhere lets a caller record lineage, not change the
// datasets an event names: an engineer of grid.north cannot add columns to,
// tag, rename or DROP a grid.south dataset.
TEST_P(AccessTest, IngestionCannotChangeDatasetsOutsideTheCallersScope) {
  const std::string victim = Unique("victim");
  const CallResult before =
      As("root", "CatalogService.PutDataset",
         {{"namespace", kSouthNs}, {"name", victim}, {"dataset", DatasetBody("grid.south")}});
  ASSERT_EQ(before.code, "OK") << before.message;
  json output = EventDataset(kSouthNs, victim);
  output["facets"] = {{"schema", {{"fields", {{{"name", "injected"}, {"type", "TEXT"}}}}}},
                      {"lifecycleStateChange", {{"lifecycleStateChange", "DROP"}}}};
  As("m-engineer", "LineageService.IngestLineage",
     {{"event", RunEvent("acc.sneaky", {}, {output})}});
  const CallResult after =
      As("root", "CatalogService.GetDataset", {{"namespace", kSouthNs}, {"name", victim}});
  ASSERT_EQ(after.code, "OK") << "the engineer dropped a dataset it cannot see";
  EXPECT_EQ(after.body["fields"], before.body["fields"]);
  EXPECT_EQ(after.body["currentVersion"], before.body["currentVersion"]);
}

// A column-lineage facet cannot add a column to a dataset the caller may not
// edit either: the edges that name such a column are left out, the others
// are recorded.
TEST_P(AccessTest, ColumnLineageAddsNoColumnToADatasetTheCallerMayNotEdit) {
  const std::string source = Unique("src");
  const std::string target = Unique("out");
  const CallResult before =
      As("root", "CatalogService.PutDataset",
         {{"namespace", kSouthNs}, {"name", source}, {"dataset", DatasetBody("grid.south")}});
  ASSERT_EQ(before.code, "OK") << before.message;
  const json output =
      EventDataset(kSouthNs, target, {{"a", {source, "id"}}, {"b", {source, "ghost"}}});
  const CallResult ingested =
      As("m-pipeline", "LineageService.IngestLineage", {{"event", RunEvent("acc.ghost", {}, {output})}});
  ASSERT_EQ(ingested.code, "OK") << ingested.message;
  EXPECT_EQ(ingested.body.value("columnEdgesAdded", 0), 1) << ingested.body.dump();

  const CallResult after =
      As("root", "CatalogService.GetDataset", {{"namespace", kSouthNs}, {"name", source}});
  ASSERT_EQ(after.code, "OK") << after.message;
  EXPECT_EQ(after.body["fields"], before.body["fields"]);
  EXPECT_EQ(after.body["currentVersion"], before.body["currentVersion"]);
  // The pipeline's own output got both columns: it created it.
  const CallResult created =
      As("root", "CatalogService.GetDataset", {{"namespace", kSouthNs}, {"name", target}});
  ASSERT_EQ(created.code, "OK") << created.message;
  ASSERT_EQ(created.body["fields"].size(), 2u) << created.body.dump();
  EXPECT_EQ(created.body["createdBy"], "m-pipeline");
}

// Jobs are not scoped: their inputs and outputs are filtered, but their SQL
// and facets are served whole, naming the hidden datasets they touch.
TEST_P(AccessTest, AJobsSqlNamesNoHiddenDataset) {
  const json facets = {{"sql", {{"query", "SELECT count(*) FROM matrix.south"}}}};
  ASSERT_EQ(As("root", "LineageService.IngestLineage",
               {{"event", RunEvent("acc.sql", {EventDataset(kNs, kMatrixSouth)}, {}, facets)}})
                .code,
            "OK");
  const CallResult job =
      As("m-analyst", "LineageService.GetJob", {{"namespace", kJobNs}, {"name", "acc.sql"}});
  ASSERT_EQ(job.code, "OK") << job.message;
  EXPECT_EQ(job.body.dump().find("south"), std::string::npos) << job.body.dump();
}

}  // namespace
}  // namespace cadastre::testing
