// The access model (policy::AccessSnapshot, policy::Access and
// policy::Authorizer) over a real SQLite store: principals, roles and grants
// are stored as AccessService stores them, the snapshot is reloaded as after
// every change, and one principal's answers are checked against the rules in
// docs/access-control.md.
#include <map>
#include <set>

#include "google/protobuf/util/json_util.h"
#include "server/policy/access.h"
#include "server/policy/authorizer.h"
#include "tests/unit/service_fixture.h"

namespace cadastre::policy {
namespace {

template <typename Message>
Message Parse(const char* json) {
  Message message;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &message).ok()) << json;
  return message;
}

// A dataset as grants see it.
DatasetScope Dataset(std::string_view domain, std::string_view created_by = "",
                     std::string_view name = "meters") {
  return {.ns = "postgres://grid:5432", .name = name, .domain = domain, .created_by = created_by};
}

class AccessModelTest : public catalog::ServiceTest {
 protected:
  // Each of these stores one rule (given as the JSON of its message) and
  // makes the model current again, as AccessService does after a change.
  void Principal(const char* json) { Write(Parse<v1::Principal>(json)); }
  void Role(const char* json) { Write(Parse<v1::Role>(json)); }
  void Grant(const char* json) {
    v1::Grant grant = Parse<v1::Grant>(json);
    grant.set_id("g" + std::to_string(++grants_));
    Write(grant);
  }

  // What `principal` may do, evaluated as for a new request; `token_roles`
  // are the roles the authenticator found (used only for a principal the
  // snapshot does not know).
  Access As(const std::string& principal, std::vector<std::string> token_roles = {}) {
    Caller caller;
    caller.principal = principal;
    caller.roles = std::move(token_roles);
    return authorizer_->AccessOf(caller);
  }

 private:
  static absl::Status Put(store::WriteTxn& txn, const v1::Principal& p) {
    return txn.PutPrincipal(p);
  }
  static absl::Status Put(store::WriteTxn& txn, const v1::Role& r) { return txn.PutRole(r); }
  static absl::Status Put(store::WriteTxn& txn, const v1::Grant& g) { return txn.PutGrant(g); }

  template <typename Message>
  void Write(const Message& message) {
    absl::Status status = store_->Write([&](store::WriteTxn& txn) { return Put(txn, message); });
    ASSERT_TRUE(status.ok()) << status;
    ASSERT_TRUE(access_model_->Reload().ok());
  }

  int grants_ = 0;
};

// The roles table of docs/access-control.md, pinned.
TEST_F(AccessModelTest, BuiltInRolesHoldTheDocumentedPermissions) {
  const std::map<std::string, std::pair<std::set<int>, std::set<int>>> expected = {
      {"admin",
       {{v1::READ_METADATA, v1::EDIT_METADATA, v1::MANAGE_CLASSIFICATIONS, v1::MANAGE_GLOSSARY,
         v1::READ_SAMPLES, v1::READ_UNMASKED, v1::WRITE_LINEAGE, v1::READ_AUDIT,
         v1::MANAGE_PRINCIPALS, v1::MANAGE_POLICIES},
        {}}},
      {"steward",
       {{v1::READ_METADATA, v1::EDIT_METADATA, v1::MANAGE_CLASSIFICATIONS, v1::MANAGE_GLOSSARY,
         v1::READ_SAMPLES},
        {}}},
      {"engineer",
       {{v1::READ_METADATA, v1::EDIT_METADATA, v1::READ_SAMPLES, v1::WRITE_LINEAGE}, {}}},
      {"analyst", {{v1::READ_METADATA, v1::READ_SAMPLES}, {}}},
      {"data_scientist", {{v1::READ_METADATA, v1::READ_SAMPLES}, {}}},
      {"auditor", {{v1::READ_METADATA, v1::READ_AUDIT}, {}}},
      {"pipeline", {{v1::WRITE_LINEAGE}, {v1::READ_METADATA, v1::EDIT_METADATA}}},
  };
  std::map<std::string, std::pair<std::set<int>, std::set<int>>> actual;
  for (const v1::Role& role : BuiltInRoles()) {
    EXPECT_TRUE(role.built_in()) << role.name();
    actual[role.name()] = {std::set<int>(role.permissions().begin(), role.permissions().end()),
                           std::set<int>(role.own_dataset_permissions().begin(),
                                         role.own_dataset_permissions().end())};
  }
  EXPECT_EQ(actual, expected);
}

TEST_F(AccessModelTest, ADomainCoversItselfAndItsSubdomainsOnly) {
  Principal(R"({"name":"ana","kind":"user","roles":["analyst"],"domains":["grid"]})");
  const Access ana = As("ana");
  for (const char* domain : {"grid", "grid.north", "grid.north.meters"}) {
    EXPECT_TRUE(ana.OnDataset(v1::READ_METADATA, Dataset(domain))) << domain;
  }
  // Neither a name that merely starts the same, nor a parent, nor no domain.
  for (const char* domain : {"gridlock", "grid_south", "north", "", "power.grid"}) {
    EXPECT_FALSE(ana.OnDataset(v1::READ_METADATA, Dataset(domain))) << domain;
  }

  Principal(R"({"name":"nora","kind":"user","roles":["analyst"],"domains":["grid.north"]})");
  EXPECT_FALSE(As("nora").OnDataset(v1::READ_METADATA, Dataset("grid")));
  EXPECT_FALSE(As("nora").OnDataset(v1::READ_METADATA, Dataset("grid.south")));
}

TEST_F(AccessModelTest, APrincipalsRolesApplyOverItsDomainsOrEverywhere) {
  Principal(
      R"({"name":"eng","kind":"user","roles":["engineer"],"domains":["grid.north","water"]})");
  Principal(R"({"name":"all","kind":"user","roles":["engineer"]})");
  EXPECT_TRUE(As("eng").OnDataset(v1::EDIT_METADATA, Dataset("water.pumps")));
  EXPECT_FALSE(As("eng").OnDataset(v1::EDIT_METADATA, Dataset("grid.south")));
  EXPECT_FALSE(As("eng").OnDataset(v1::MANAGE_GLOSSARY, Dataset("grid.north")));
  for (const char* domain : {"grid.south", "", "anything"}) {
    EXPECT_TRUE(As("all").OnDataset(v1::EDIT_METADATA, Dataset(domain))) << domain;
  }
}

TEST_F(AccessModelTest, ADatasetScopedGrantCoversThatDatasetOnly) {
  Principal(R"({"name":"sam","kind":"user"})");
  Grant(R"({"principal":"sam","role":"steward",
            "datasets":[{"namespace":"postgres://grid:5432","name":"meters"}]})");
  const Access sam = As("sam");
  EXPECT_TRUE(sam.OnDataset(v1::MANAGE_CLASSIFICATIONS, Dataset("grid.south")));
  EXPECT_TRUE(sam.OnDataset(v1::MANAGE_CLASSIFICATIONS, Dataset("")));
  EXPECT_FALSE(sam.OnDataset(v1::MANAGE_CLASSIFICATIONS, Dataset("grid.south", "", "meters2")));
  DatasetScope other_namespace = Dataset("grid.south");
  other_namespace.ns = "postgres://other:5432";
  EXPECT_FALSE(sam.OnDataset(v1::READ_METADATA, other_namespace));
  EXPECT_TRUE(sam.Anywhere(v1::MANAGE_CLASSIFICATIONS));
  EXPECT_FALSE(sam.Everywhere(v1::READ_METADATA));
}

TEST_F(AccessModelTest, DenyBeatsAllowWhereverItCovers) {
  Principal(R"({"name":"st","kind":"user","roles":["steward"]})");
  Grant(R"({"principal":"st","role":"analyst","effect":"DENY","domains":["grid.south"]})");
  const Access st = As("st");
  EXPECT_TRUE(st.OnDataset(v1::READ_METADATA, Dataset("grid.north")));
  EXPECT_FALSE(st.OnDataset(v1::READ_METADATA, Dataset("grid.south")));
  EXPECT_FALSE(st.OnDataset(v1::READ_METADATA, Dataset("grid.south.substation")));
  // The DENY names analyst, which holds no EDIT_METADATA: only what the
  // denied role holds is denied ...
  EXPECT_TRUE(st.OnDataset(v1::EDIT_METADATA, Dataset("grid.south")));
  // ... but a dataset the principal may not read is hidden whatever it asks.
  const absl::Status hidden = absl::NotFoundError("dataset 'meters' not found");
  Caller caller;
  caller.principal = "st";
  EXPECT_EQ(authorizer_->CheckDataset(caller, v1::EDIT_METADATA, Dataset("grid.south"), hidden),
            hidden);
  // A scoped DENY leaves "somewhere" alone but not "everywhere".
  EXPECT_TRUE(st.Anywhere(v1::READ_METADATA));
  EXPECT_FALSE(st.Everywhere(v1::READ_METADATA));
  EXPECT_TRUE(st.Everywhere(v1::EDIT_METADATA));

  // An unscoped DENY takes the permission away altogether.
  Grant(R"({"principal":"st","role":"analyst","effect":"DENY"})");
  EXPECT_FALSE(As("st").Anywhere(v1::READ_METADATA));
  EXPECT_FALSE(As("st").OnDataset(v1::READ_METADATA, Dataset("grid.north")));
}

TEST_F(AccessModelTest, TeamMembersInheritTheTeamsRolesAndGrants) {
  Principal(R"({"name":"grid-team","kind":"team","roles":["engineer"],"domains":["grid.north"]})");
  Principal(R"({"name":"carol","kind":"user","teams":["grid-team"]})");
  EXPECT_TRUE(As("carol").OnDataset(v1::EDIT_METADATA, Dataset("grid.north")));
  EXPECT_FALSE(As("carol").OnDataset(v1::EDIT_METADATA, Dataset("grid.south")));

  Grant(R"({"principal":"grid-team","role":"steward","domains":["grid.south"]})");
  EXPECT_TRUE(As("carol").OnDataset(v1::MANAGE_GLOSSARY, Dataset("grid.south")));
  // A team's DENY binds its members too, whatever they hold themselves.
  Principal(R"({"name":"carol","kind":"user","roles":["admin"],"teams":["grid-team"]})");
  Grant(R"({"principal":"grid-team","role":"analyst","effect":"DENY","domains":["grid.east"]})");
  EXPECT_TRUE(As("carol").OnDataset(v1::READ_METADATA, Dataset("grid.west")));
  EXPECT_FALSE(As("carol").OnDataset(v1::READ_METADATA, Dataset("grid.east")));

  // Only a principal of kind "team" passes anything on.
  Principal(R"({"name":"dave","kind":"user","teams":["carol"]})");
  EXPECT_FALSE(As("dave").Anywhere(v1::READ_METADATA));
}

TEST_F(AccessModelTest, OwnDatasetPermissionsHoldOnDatasetsThePrincipalCreated) {
  Principal(R"({"name":"etl","kind":"service","roles":["pipeline"]})");
  const Access etl = As("etl");
  EXPECT_TRUE(etl.OnDataset(v1::READ_METADATA, Dataset("grid.south", "etl")));
  EXPECT_TRUE(etl.OnDataset(v1::EDIT_METADATA, Dataset("grid.south", "etl")));
  EXPECT_FALSE(etl.OnDataset(v1::EDIT_METADATA, Dataset("grid.south", "admin")));
  EXPECT_FALSE(etl.OnDataset(v1::READ_METADATA, Dataset("grid.south", "")));
  EXPECT_FALSE(etl.OnDataset(v1::MANAGE_CLASSIFICATIONS, Dataset("grid.south", "etl")));
  // Held "somewhere" (it may create a dataset), never everywhere.
  EXPECT_TRUE(etl.Anywhere(v1::EDIT_METADATA));
  EXPECT_FALSE(etl.Everywhere(v1::EDIT_METADATA));
  EXPECT_FALSE(etl.Everywhere(v1::READ_METADATA));

  // The principal's domains still bound them: a dataset it created
  // elsewhere, or with no domain (as ingestion creates them), is not its own.
  Principal(
      R"({"name":"etl-north","kind":"service","roles":["pipeline"],"domains":["grid.north"]})");
  EXPECT_TRUE(As("etl-north").OnDataset(v1::EDIT_METADATA, Dataset("grid.north", "etl-north")));
  EXPECT_FALSE(As("etl-north").OnDataset(v1::EDIT_METADATA, Dataset("grid.south", "etl-north")));
  EXPECT_FALSE(As("etl-north").OnDataset(v1::READ_METADATA, Dataset("", "etl-north")));

  // A custom role can have own-dataset permissions too.
  Role(R"({"name":"curator","permissions":["READ_METADATA"],
           "ownDatasetPermissions":["MANAGE_GLOSSARY"]})");
  Principal(R"({"name":"cu","kind":"user","roles":["curator"]})");
  EXPECT_TRUE(As("cu").OnDataset(v1::MANAGE_GLOSSARY, Dataset("x", "cu")));
  EXPECT_FALSE(As("cu").OnDataset(v1::MANAGE_GLOSSARY, Dataset("x", "etl")));
  EXPECT_TRUE(As("cu").OnDataset(v1::READ_METADATA, Dataset("x", "etl")));
}

TEST_F(AccessModelTest, EverywhereNeedsAnUnscopedGrantAnywhereAnyGrant) {
  Principal(R"({"name":"aud-north","kind":"user","roles":["auditor"],"domains":["grid.north"]})");
  Principal(R"({"name":"aud","kind":"user","roles":["auditor"]})");
  Principal(R"({"name":"adm-north","kind":"user","roles":["admin"],"domains":["grid.north"]})");
  Principal(R"({"name":"root","kind":"user","roles":["admin"]})");
  EXPECT_TRUE(As("aud-north").Anywhere(v1::READ_AUDIT));
  EXPECT_FALSE(As("aud-north").Everywhere(v1::READ_AUDIT));
  EXPECT_TRUE(As("aud").Everywhere(v1::READ_AUDIT));
  EXPECT_TRUE(As("aud").Everywhere(v1::READ_METADATA));
  EXPECT_FALSE(As("aud").Anywhere(v1::EDIT_METADATA));

  // The authorizer asks "everywhere" for the permissions that only mean
  // something unscoped, "anywhere" for the rest.
  auto check = [&](const std::string& principal, Permission permission) {
    Caller caller;
    caller.principal = principal;
    return authorizer_->Check(caller, permission, Resource::System()).code();
  };
  EXPECT_EQ(check("aud", v1::READ_AUDIT), absl::StatusCode::kOk);
  EXPECT_EQ(check("aud-north", v1::READ_AUDIT), absl::StatusCode::kPermissionDenied);
  for (Permission permission :
       {v1::READ_AUDIT, v1::READ_UNMASKED, v1::MANAGE_PRINCIPALS, v1::MANAGE_POLICIES}) {
    EXPECT_EQ(check("adm-north", permission), absl::StatusCode::kPermissionDenied)
        << v1::Permission_Name(permission);
    EXPECT_EQ(check("root", permission), absl::StatusCode::kOk) << v1::Permission_Name(permission);
  }
  for (Permission permission : {v1::READ_METADATA, v1::EDIT_METADATA, v1::MANAGE_CLASSIFICATIONS,
                                v1::MANAGE_GLOSSARY, v1::WRITE_LINEAGE}) {
    EXPECT_EQ(check("adm-north", permission), absl::StatusCode::kOk)
        << v1::Permission_Name(permission);
  }
}

TEST_F(AccessModelTest, TagNarrowedGrantsSpeakOnlyAboutColumnData) {
  ASSERT_TRUE(PutTag("PII.Email").ok());
  Principal(R"({"name":"ds","kind":"user","roles":["data_scientist"]})");
  Grant(R"({"principal":"ds","role":"admin","tags":["PII"],"domains":["grid"]})");
  Grant(R"({"principal":"ds","role":"analyst","effect":"DENY","tags":["PII.Phone"]})");
  const Access ds = As("ds");
  const DatasetScope north = Dataset("grid.north");

  // The ALLOW of admin over PII columns unmasks them, and nothing else.
  EXPECT_TRUE(ds.OnColumn(v1::READ_UNMASKED, north, {"PII.Email"}));
  EXPECT_TRUE(ds.OnColumn(v1::READ_UNMASKED, north, {"Finance", "PII"}));
  EXPECT_FALSE(ds.OnColumn(v1::READ_UNMASKED, north, {"PIIX"}));
  EXPECT_FALSE(ds.OnColumn(v1::READ_UNMASKED, north, {}));
  EXPECT_FALSE(ds.OnColumn(v1::READ_UNMASKED, Dataset("water"), {"PII.Email"}));
  EXPECT_FALSE(ds.OnDataset(v1::READ_UNMASKED, north));
  EXPECT_FALSE(ds.OnDataset(v1::MANAGE_PRINCIPALS, north));
  EXPECT_FALSE(ds.Everywhere(v1::READ_UNMASKED));

  // The DENY hides PII.Phone columns (and any below it) from samples, not
  // the parent classification's other children nor the dataset.
  EXPECT_FALSE(ds.OnColumn(v1::READ_SAMPLES, north, {"PII.Phone"}));
  EXPECT_FALSE(ds.OnColumn(v1::READ_SAMPLES, north, {"PII.Phone.Mobile"}));
  EXPECT_TRUE(ds.OnColumn(v1::READ_SAMPLES, north, {"PII.Email"}));
  EXPECT_TRUE(ds.OnColumn(v1::READ_SAMPLES, north, {"PII"}));
  EXPECT_TRUE(ds.OnDataset(v1::READ_SAMPLES, north));
  EXPECT_TRUE(ds.OnDataset(v1::READ_METADATA, north));
  EXPECT_TRUE(ds.Everywhere(v1::READ_METADATA));

  // Masking policies compare unmasked roles with the unnarrowed ALLOW roles.
  EXPECT_EQ(ds.RolesOn(north), std::vector<std::string>{"data_scientist"});
}

TEST_F(AccessModelTest, CustomRolesTakeEffectWhenTheSnapshotIsReplaced) {
  Role(R"({"name":"reader","permissions":["READ_METADATA"]})");
  Principal(R"({"name":"rita","kind":"user","roles":["reader"],"domains":["grid"]})");
  const Access before = As("rita");
  const std::string version = access_model_->Current()->version();
  EXPECT_FALSE(before.OnDataset(v1::EDIT_METADATA, Dataset("grid")));

  Role(R"({"name":"reader","permissions":["READ_METADATA","EDIT_METADATA"]})");
  EXPECT_TRUE(As("rita").OnDataset(v1::EDIT_METADATA, Dataset("grid")));
  EXPECT_NE(access_model_->Current()->version(), version);
  // An Access already handed to a request keeps the snapshot it began with.
  EXPECT_FALSE(before.OnDataset(v1::EDIT_METADATA, Dataset("grid")));

  // Reloading unchanged rules gives the same version.
  const std::string current = access_model_->Current()->version();
  ASSERT_TRUE(access_model_->Reload().ok());
  EXPECT_EQ(access_model_->Current()->version(), current);
}

TEST_F(AccessModelTest, AGrantOfAnUnknownRoleGivesNothing) {
  Principal(R"({"name":"uma","kind":"user"})");
  Grant(R"({"principal":"uma","role":"no-such-role"})");
  EXPECT_FALSE(As("uma").Anywhere(v1::READ_METADATA));
  EXPECT_FALSE(As("uma").OnDataset(v1::READ_METADATA, Dataset("")));
}

TEST_F(AccessModelTest, AnUnknownPrincipalGetsItsTokenRolesEverywhere) {
  const Access ghost = As("ghost", {"analyst"});
  EXPECT_TRUE(ghost.Everywhere(v1::READ_METADATA));
  EXPECT_TRUE(ghost.OnDataset(v1::READ_SAMPLES, Dataset("grid.south")));
  EXPECT_FALSE(ghost.Anywhere(v1::EDIT_METADATA));
  ASSERT_EQ(ghost.grants().size(), 1u);
  EXPECT_EQ(ghost.grants()[0].role(), "analyst");
  EXPECT_EQ(ghost.grants()[0].principal(), "ghost");

  EXPECT_FALSE(As("nobody").Anywhere(v1::READ_METADATA));

  // A known principal's stored roles win over what the token carried.
  Principal(R"({"name":"ghost","kind":"user","roles":["auditor"],"domains":["grid"]})");
  EXPECT_FALSE(As("ghost", {"admin"}).Anywhere(v1::EDIT_METADATA));
  EXPECT_FALSE(As("ghost", {"admin"}).Everywhere(v1::READ_METADATA));
}

TEST_F(AccessModelTest, EffectiveGrantsListOwnRolesGrantsAndTeams) {
  Principal(R"({"name":"ops","kind":"team","roles":["auditor"]})");
  Principal(
      R"({"name":"eve","kind":"user","roles":["analyst"],"domains":["grid"],"teams":["ops"]})");
  Grant(R"({"principal":"eve","role":"steward","domains":["water"]})");
  std::set<std::string> summary;
  for (const v1::Grant& grant : access_model_->Current()->EffectiveGrants("eve", {"admin"})) {
    std::string line =
        grant.principal() + " " + grant.role() + " " + v1::GrantEffect_Name(grant.effect());
    for (const std::string& domain : grant.domains()) line += " " + domain;
    summary.insert(line);
  }
  EXPECT_EQ(summary, (std::set<std::string>{"eve analyst ALLOW grid", "eve steward ALLOW water",
                                            "ops auditor ALLOW"}));
}

}  // namespace
}  // namespace cadastre::policy
