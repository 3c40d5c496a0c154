// Sync: external id bindings and the change feed (migrations/0005_sync.sql).
#include "absl/strings/str_cat.h"
#include "server/common/status.h"
#include "server/store/sqlite_codec.h"
#include "server/store/sqlite_txn.h"

namespace cadastre::store {

absl::StatusOr<std::vector<ExternalIdRow>> SqliteTxn::ListExternalIds(
    std::string_view system, std::string_view entity_type) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT external_id, entity_key FROM external_ids "
                               "WHERE system = ? AND entity_type = ? ORDER BY external_id"));
  stmt.BindAll(system, entity_type);
  std::vector<ExternalIdRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    rows.push_back({std::string(system), std::string(entity_type), stmt.Text(0), stmt.Text(1)});
  }
  return rows;
}

absl::StatusOr<std::vector<ChangeRow>> SqliteTxn::VersionsAfter(int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.Prepare("SELECT id, entity_type, entity_key, version, created_at, actor, "
                               "operation, changes_json, snapshot_json FROM entity_versions "
                               "WHERE id > ? ORDER BY id LIMIT ?"));
  stmt.BindAll(after_seq, static_cast<int64_t>(limit));
  std::vector<ChangeRow> rows;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ChangeRow& change = rows.emplace_back();
    change.seq = stmt.Int(0);
    v1::EntityVersion& version = change.version;
    // changes_json is a bare array: parsed as the `changes` member.
    RETURN_IF_ERROR(JsonToMessage(absl::StrCat("{\"changes\":", stmt.Text(7), "}"), &version));
    version.set_entity_type(stmt.Text(1));
    version.set_entity_key(stmt.Text(2));
    version.set_version(stmt.Int(3));
    SetTimestamp(stmt.OptionalInt(4), &version, &v1::EntityVersion::mutable_created_at);
    version.set_actor(stmt.Text(5));
    version.set_operation(stmt.Text(6));
    if (!stmt.IsNull(8)) RETURN_IF_ERROR(JsonToMessage(stmt.Text(8), version.mutable_snapshot()));
  }
  return rows;
}

absl::Status SqliteTxn::PutExternalId(const ExternalIdRow& row) {
  ASSIGN_OR_RETURN(Statement drop,
                   db_.Prepare("DELETE FROM external_ids WHERE system = ? AND entity_type = ? "
                               "AND (external_id = ? OR entity_key = ?)"));
  drop.BindAll(row.system, row.entity_type, row.external_id, row.entity_key);
  RETURN_IF_ERROR(drop.Run());
  ASSIGN_OR_RETURN(Statement insert,
                   db_.Prepare("INSERT INTO external_ids (system, entity_type, external_id, "
                               "entity_key) VALUES (?, ?, ?, ?)"));
  insert.BindAll(row.system, row.entity_type, row.external_id, row.entity_key);
  return insert.Run();
}

absl::Status SqliteTxn::DeleteExternalIds(std::string_view entity_type,
                                          std::string_view entity_key) {
  ASSIGN_OR_RETURN(Statement stmt, db_.Prepare("DELETE FROM external_ids WHERE entity_type = ? "
                                               "AND entity_key = ?"));
  stmt.BindAll(entity_type, entity_key);
  return stmt.Run();
}

}  // namespace cadastre::store
