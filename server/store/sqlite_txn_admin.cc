// Entity history, token lookups and writes.
#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {

// -------------------------------------------------------------------- history

absl::StatusOr<Listing<v1::EntityVersion>> SqliteTxn::ListVersions(std::string_view entity_type,
                                                                   std::string_view entity_key,
                                                                   Page page) {
  Listing<v1::EntityVersion> listing;
  {
    ASSIGN_OR_RETURN(Statement count, db_.Prepare("SELECT COUNT(*) FROM entity_versions "
                                                  "WHERE entity_type = ? AND entity_key = ?"));
    count.BindAll(entity_type, entity_key);
    ASSIGN_OR_RETURN(bool row, count.Step());
    if (row) listing.total_count = static_cast<int>(count.Int(0));
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT version, created_at, actor, operation, changes_json, "
                               "snapshot_json FROM entity_versions "
                               "WHERE entity_type = ? AND entity_key = ? "
                               "ORDER BY version DESC LIMIT ? OFFSET ?"));
  stmt.BindAll(entity_type, entity_key, SqlLimit(page), SqlOffset(page));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    v1::EntityVersion& version = listing.items.emplace_back();
    // changes_json is a bare array; parsing it as the `changes` member of an
    // EntityVersion reuses the protobuf JSON mapping for FieldChange.
    RETURN_IF_ERROR(JsonToMessage(absl::StrCat("{\"changes\":", stmt.Text(4), "}"), &version));
    version.set_entity_type(std::string(entity_type));
    version.set_entity_key(std::string(entity_key));
    version.set_version(stmt.Int(0));
    SetTimestamp(stmt.OptionalInt(1), &version, &v1::EntityVersion::mutable_created_at);
    version.set_actor(stmt.Text(2));
    version.set_operation(stmt.Text(3));
    if (!stmt.IsNull(5)) {
      RETURN_IF_ERROR(JsonToMessage(stmt.Text(5), version.mutable_snapshot()));
    }
  }
  return listing;
}

absl::StatusOr<int64_t> SqliteTxn::LatestVersion(std::string_view entity_type,
                                                 std::string_view entity_key) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT COALESCE(MAX(version), 0) FROM "
                                               "entity_versions WHERE entity_type = ? AND "
                                               "entity_key = ?"));
  stmt.BindAll(entity_type, entity_key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

absl::Status SqliteTxn::AppendVersion(const v1::EntityVersion& version) {
  ASSIGN_OR_RETURN(std::string changes, ChangesToJson(version.changes()));
  std::optional<std::string> snapshot;
  if (version.has_snapshot()) {
    ASSIGN_OR_RETURN(snapshot, StructToJson(version.snapshot()));
  }
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO entity_versions (entity_type, entity_key, version, "
                               "created_at, actor, operation, changes_json, snapshot_json) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt.BindAll(version.entity_type(), version.entity_key(), version.version(),
               ToMicros(version.has_created_at(), version.created_at()), version.actor(),
               version.operation(), changes, snapshot);
  absl::Status status = stmt.Run();
  if (IsUniqueViolation(status)) {
    return absl::AlreadyExistsError(absl::StrCat("version ", version.version(), " of ",
                                                 version.entity_type(), " ",
                                                 Quoted(version.entity_key()), " already exists"));
  }
  return status;
}

// ----------------------------------------------------------------- principals

absl::StatusOr<int> SqliteTxn::CountPrincipals() {
  ASSIGN_OR_RETURN(int64_t count, db_.QueryInt("SELECT COUNT(*) FROM principals"));
  return static_cast<int>(count);
}

absl::Status SqliteTxn::PutPrincipal(const v1::Principal& principal) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO principals (name, kind, roles_json, domains_json, "
                               "teams_json, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, "
                               "roles_json = excluded.roles_json, "
                               "domains_json = excluded.domains_json, "
                               "teams_json = excluded.teams_json, "
                               "created_at = COALESCE(principals.created_at, "
                               "excluded.created_at)"));
  stmt.BindAll(principal.name(), principal.kind(), StringsToJson(principal.roles()),
               StringsToJson(principal.domains()), StringsToJson(principal.teams()),
               ToMicros(principal.has_created_at(), principal.created_at()));
  return stmt.Run();
}

// --------------------------------------------------------------------- tokens

absl::StatusOr<v1::TokenInfo> SqliteTxn::GetTokenByHash(std::string_view hash) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("SELECT id, principal, created_at, expires_at, "
                                               "revoked_at FROM tokens WHERE hash = ?"));
  stmt.Bind(Blob{hash});
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  // The message never echoes the hash: it is derived from a secret.
  if (!row) return NotFoundError("token");
  v1::TokenInfo token;
  token.set_id(stmt.Text(0));
  token.set_principal(stmt.Text(1));
  SetTimestamp(stmt.OptionalInt(2), &token, &v1::TokenInfo::mutable_created_at);
  SetTimestamp(stmt.OptionalInt(3), &token, &v1::TokenInfo::mutable_expires_at);
  SetTimestamp(stmt.OptionalInt(4), &token, &v1::TokenInfo::mutable_revoked_at);
  return token;
}

absl::Status SqliteTxn::PutToken(const v1::TokenInfo& token, std::string_view hash) {
  ASSIGN_OR_RETURN(std::optional<int64_t> principal,
                   FindId("SELECT 1 FROM principals WHERE name = ?", token.principal()));
  if (!principal) {
    return absl::FailedPreconditionError(
        absl::StrCat("principal ", Quoted(token.principal()), " does not exist"));
  }
  // Upsert by id, so that revoking is putting the token again with
  // revoked_at set.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("INSERT INTO tokens (id, principal, hash, created_at, "
                               "expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?) "
                               "ON CONFLICT (id) DO UPDATE SET principal = excluded.principal, "
                               "hash = excluded.hash, "
                               "created_at = COALESCE(tokens.created_at, excluded.created_at), "
                               "expires_at = excluded.expires_at, "
                               "revoked_at = excluded.revoked_at"));
  stmt.BindAll(token.id(), token.principal(), Blob{hash},
               ToMicros(token.has_created_at(), token.created_at()),
               ToMicros(token.has_expires_at(), token.expires_at()),
               ToMicros(token.has_revoked_at(), token.revoked_at()));
  absl::Status status = stmt.Run();
  if (IsUniqueViolation(status)) {
    return absl::AlreadyExistsError(
        absl::StrCat("another token already has the hash of token ", Quoted(token.id())));
  }
  return status;
}

}  // namespace cadastre::store
