// Access control: principal listings and removal, custom roles, grants,
// masking policies and dataset samples.
#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {
namespace {

#define CADASTRE_PRINCIPAL_COLUMNS \
  "SELECT name, kind, roles_json, domains_json, teams_json, created_at FROM principals "

absl::StatusOr<v1::Principal> ReadPrincipal(const Statement& row) {
  v1::Principal principal;
  principal.set_name(row.Text(0));
  principal.set_kind(row.Text(1));
  RETURN_IF_ERROR(JsonToStrings(row.Text(2), principal.mutable_roles()));
  RETURN_IF_ERROR(JsonToStrings(row.Text(3), principal.mutable_domains()));
  RETURN_IF_ERROR(JsonToStrings(row.Text(4), principal.mutable_teams()));
  SetTimestamp(row.OptionalInt(5), &principal, &v1::Principal::mutable_created_at);
  return principal;
}

// Reads column 0 of every row of `stmt` as the protobuf JSON of a Message.
template <typename Message>
absl::StatusOr<std::vector<Message>> ReadDocuments(Statement& stmt) {
  std::vector<Message> out;
  absl::Status parse = absl::OkStatus();
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement& row) {
    if (parse.ok()) parse = JsonToMessage(row.Text(0), &out.emplace_back());
  }));
  RETURN_IF_ERROR(parse);
  return out;
}

}  // namespace

absl::StatusOr<v1::Principal> SqliteTxn::GetPrincipal(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare(CADASTRE_PRINCIPAL_COLUMNS "WHERE name = ?"));
  stmt.Bind(name);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError(absl::StrCat("principal ", Quoted(name)));
  return ReadPrincipal(stmt);
}

absl::StatusOr<Listing<v1::Principal>> SqliteTxn::ListPrincipals(Page page) {
  Listing<v1::Principal> listing;
  ASSIGN_OR_RETURN(int64_t count, db_.QueryInt("SELECT COUNT(*) FROM principals"));
  listing.total_count = static_cast<int>(count);
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(CADASTRE_PRINCIPAL_COLUMNS
                                               "ORDER BY name LIMIT ? OFFSET ?"));
  stmt.BindAll(SqlLimit(page), SqlOffset(page));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(listing.items.emplace_back(), ReadPrincipal(stmt));
  }
  return listing;
}

absl::StatusOr<std::vector<v1::Principal>> SqliteTxn::AllPrincipals() {
  std::vector<v1::Principal> out;
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare(CADASTRE_PRINCIPAL_COLUMNS "ORDER BY name"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ASSIGN_OR_RETURN(out.emplace_back(), ReadPrincipal(stmt));
  }
  return out;
}

absl::Status SqliteTxn::DeletePrincipal(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM principals WHERE name = ?"));
  RETURN_IF_ERROR(stmt.Bind(name).Run());
  if (db_.Changes() == 0) return NotFoundError(absl::StrCat("principal ", Quoted(name)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::TokenInfo>> SqliteTxn::ListTokens(std::string_view principal) {
  std::vector<v1::TokenInfo> tokens;
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT id, principal, created_at, expires_at, "
                                               "revoked_at FROM tokens WHERE principal = ? "
                                               "ORDER BY created_at DESC, id"));
  stmt.Bind(principal);
  RETURN_IF_ERROR(stmt.ForEachRow([&](const Statement& row) {
    v1::TokenInfo& token = tokens.emplace_back();
    token.set_id(row.Text(0));
    token.set_principal(row.Text(1));
    SetTimestamp(row.OptionalInt(2), &token, &v1::TokenInfo::mutable_created_at);
    SetTimestamp(row.OptionalInt(3), &token, &v1::TokenInfo::mutable_expires_at);
    SetTimestamp(row.OptionalInt(4), &token, &v1::TokenInfo::mutable_revoked_at);
  }));
  return tokens;
}

absl::Status SqliteTxn::RevokeToken(std::string_view id, const google::protobuf::Timestamp& when) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("UPDATE tokens SET revoked_at = "
                                               "COALESCE(revoked_at, ?) WHERE id = ?"));
  RETURN_IF_ERROR(stmt.BindAll(ToMicros(true, when), id).Run());
  if (db_.Changes() == 0) return NotFoundError(absl::StrCat("token ", Quoted(id)));
  return absl::OkStatus();
}

// ---------------------------------------------------------------------- roles

absl::StatusOr<std::vector<v1::Role>> SqliteTxn::ListRoles() {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT body_json FROM roles ORDER BY name"));
  return ReadDocuments<v1::Role>(stmt);
}

absl::Status SqliteTxn::PutRole(const v1::Role& role) {
  ASSIGN_OR_RETURN(std::string body, MessageToJson(role));
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("INSERT INTO roles (name, body_json) VALUES (?, ?) "
                                               "ON CONFLICT (name) DO UPDATE SET "
                                               "body_json = excluded.body_json"));
  return stmt.BindAll(role.name(), body).Run();
}

absl::Status SqliteTxn::DeleteRole(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM roles WHERE name = ?"));
  RETURN_IF_ERROR(stmt.Bind(name).Run());
  if (db_.Changes() == 0) return NotFoundError(absl::StrCat("role ", Quoted(name)));
  return absl::OkStatus();
}

// --------------------------------------------------------------------- grants

absl::StatusOr<std::vector<v1::Grant>> SqliteTxn::ListGrants() {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT body_json FROM grants ORDER BY id"));
  return ReadDocuments<v1::Grant>(stmt);
}

absl::Status SqliteTxn::PutGrant(const v1::Grant& grant) {
  ASSIGN_OR_RETURN(std::optional<int64_t> principal,
                   FindId("SELECT 1 FROM principals WHERE name = ?", grant.principal()));
  if (!principal) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal ", Quoted(grant.principal()), " does not exist"));
  }
  ASSIGN_OR_RETURN(std::string body, MessageToJson(grant));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO grants (id, principal, role, body_json) "
                               "VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                               "principal = excluded.principal, role = excluded.role, "
                               "body_json = excluded.body_json"));
  return stmt.BindAll(grant.id(), grant.principal(), grant.role(), body).Run();
}

absl::Status SqliteTxn::DeleteGrant(std::string_view id) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM grants WHERE id = ?"));
  RETURN_IF_ERROR(stmt.Bind(id).Run());
  if (db_.Changes() == 0) return NotFoundError(absl::StrCat("grant ", Quoted(id)));
  return absl::OkStatus();
}

// ----------------------------------------------------------- masking policies

absl::StatusOr<std::vector<v1::MaskingPolicy>> SqliteTxn::ListMaskingPolicies() {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT body_json FROM masking_policies ORDER BY name"));
  return ReadDocuments<v1::MaskingPolicy>(stmt);
}

absl::Status SqliteTxn::PutMaskingPolicy(const v1::MaskingPolicy& policy) {
  ASSIGN_OR_RETURN(std::optional<int64_t> tag,
                   FindId("SELECT id FROM tags WHERE name = ?", policy.tag()));
  if (!tag) {
    return absl::FailedPreconditionError(
        absl::StrCat("tag ", Quoted(policy.tag()), " does not exist"));
  }
  ASSIGN_OR_RETURN(std::string body, MessageToJson(policy));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO masking_policies (name, tag, body_json) "
                               "VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                               "tag = excluded.tag, body_json = excluded.body_json"));
  return stmt.BindAll(policy.name(), policy.tag(), body).Run();
}

absl::Status SqliteTxn::DeleteMaskingPolicy(std::string_view name) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM masking_policies WHERE name = ?"));
  RETURN_IF_ERROR(stmt.Bind(name).Run());
  if (db_.Changes() == 0) return NotFoundError(absl::StrCat("masking policy ", Quoted(name)));
  return absl::OkStatus();
}

// -------------------------------------------------------------------- samples

absl::StatusOr<v1::DatasetSample> SqliteTxn::GetSample(int64_t dataset_id) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT body_json FROM dataset_samples WHERE dataset_id = ?"));
  stmt.Bind(dataset_id);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return NotFoundError("sample");
  v1::DatasetSample sample;
  RETURN_IF_ERROR(JsonToMessage(stmt.Text(0), &sample));
  return sample;
}

absl::Status SqliteTxn::PutSample(int64_t dataset_id, const v1::DatasetSample& sample) {
  ASSIGN_OR_RETURN(std::string body, MessageToJson(sample));
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO dataset_samples (dataset_id, body_json) VALUES (?, ?) "
                               "ON CONFLICT (dataset_id) DO UPDATE SET "
                               "body_json = excluded.body_json"));
  return stmt.BindAll(dataset_id, body).Run();
}

}  // namespace cadastre::store
