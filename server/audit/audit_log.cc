#include "server/audit/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <array>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "nlohmann/json.hpp"
#include "server/common/log.h"
#include "server/common/status.h"
#include "server/common/strings.h"
#include "server/policy/crypto.h"
#include "server/store/sqlite_db.h"

namespace cadastre::audit {
namespace {

using store::SqliteDb;
using store::Statement;

const std::string kGenesis(64, '0');

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  principal TEXT NOT NULL,
  roles TEXT NOT NULL,
  teams TEXT NOT NULL,
  action TEXT NOT NULL,
  transport TEXT NOT NULL,
  client TEXT NOT NULL,
  request_id TEXT NOT NULL,
  namespace TEXT NOT NULL,
  dataset TEXT NOT NULL,
  field TEXT NOT NULL,
  entity TEXT NOT NULL,
  decision INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  columns TEXT NOT NULL,
  result_size INTEGER NOT NULL,
  entity_version TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit_log(time_us);
CREATE INDEX IF NOT EXISTS audit_by_principal ON audit_log(principal, seq);
CREATE INDEX IF NOT EXISTS audit_by_dataset ON audit_log(namespace, dataset, seq);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time_us INTEGER NOT NULL,
  kind TEXT NOT NULL,
  mac TEXT NOT NULL,
  PRIMARY KEY (seq, kind));
)sql";

constexpr char kColumns[] =
    "seq, time_us, principal, roles, teams, action, transport, client, request_id, namespace, "
    "dataset, field, entity, decision, status, reason, columns, result_size, entity_version, "
    "prev_hash, hash";

int64_t MicrosOf(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(t);
}
google::protobuf::Timestamp TimestampOf(int64_t micros) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(micros);
}

void Put(std::string* out, std::string_view name, std::string_view value) {
  absl::StrAppend(out, Absl(name), "=", value.size(), ":", Absl(value), "\n");
}

std::string Hex(std::string_view bytes) { return absl::BytesToHexString(Absl(bytes)); }

std::string JsonList(const google::protobuf::RepeatedPtrField<std::string>& values) {
  return nlohmann::json(std::vector<std::string>(values.begin(), values.end())).dump();
}

std::string ColumnsJson(const v1::AuditRecord& record) {
  nlohmann::json out = nlohmann::json::array();
  for (const v1::AuditColumn& column : record.columns()) {
    out.push_back({column.field(), column.mask_type(), column.policy()});
  }
  return out.dump();
}

v1::AuditRecord RecordFromRow(const Statement& row) {
  v1::AuditRecord r;
  r.set_seq(row.Int(0));
  *r.mutable_time() = TimestampOf(row.Int(1));
  r.set_principal(row.Text(2));
  for (const auto& role : nlohmann::json::parse(row.Text(3), nullptr, false)) {
    if (role.is_string()) r.add_roles(role.get<std::string>());
  }
  for (const auto& team : nlohmann::json::parse(row.Text(4), nullptr, false)) {
    if (team.is_string()) r.add_teams(team.get<std::string>());
  }
  r.set_action(row.Text(5));
  r.set_transport(row.Text(6));
  r.set_client(row.Text(7));
  r.set_request_id(row.Text(8));
  r.set_namespace_(row.Text(9));
  r.set_dataset(row.Text(10));
  r.set_field(row.Text(11));
  r.set_entity(row.Text(12));
  r.set_decision(static_cast<v1::AuditDecision>(row.Int(13)));
  r.set_status(row.Text(14));
  r.set_reason(row.Text(15));
  for (const auto& column : nlohmann::json::parse(row.Text(16), nullptr, false)) {
    if (!column.is_array() || column.size() != 3 || !column[0].is_string() ||
        !column[1].is_string() || !column[2].is_string()) {
      continue;
    }
    v1::AuditColumn* c = r.add_columns();
    c->set_field(column[0].get<std::string>());
    c->set_mask_type(column[1].get<std::string>());
    c->set_policy(column[2].get<std::string>());
  }
  r.set_result_size(row.Int(17));
  r.set_entity_version(row.Text(18));
  r.set_prev_hash(row.Text(19));
  r.set_hash(row.Text(20));
  return r;
}

// A row of SELECT seq, hash, time_us, kind, mac FROM audit_checkpoints.
v1::AuditCheckpoint CheckpointFromRow(const Statement& row) {
  v1::AuditCheckpoint c;
  c.set_seq(row.Int(0));
  c.set_hash(row.Text(1));
  *c.mutable_time() = TimestampOf(row.Int(2));
  c.set_kind(row.Text(3));
  c.set_mac(row.Text(4));
  return c;
}

std::string CheckpointMac(std::string_view key, const v1::AuditCheckpoint& c) {
  return Hex(policy::HmacSha256(
      key, absl::StrCat(c.seq(), "\n", c.hash(), "\n", MicrosOf(c.time()), "\n", c.kind())));
}

// Writes `text` to `path` atomically and durably (temporary file, fsync, rename).
absl::Status WriteFileDurably(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

// The hashed columns of audit_log (all but `hash`), in table order, as the
// canonical text names them.
constexpr std::array<const char*, 20> kHashed = {
    "seq",    "time_us", "principal", "roles",  "teams",   "action", "transport",
    "client", "request_id", "namespace", "dataset", "field", "entity", "decision",
    "status", "reason",  "columns",   "result_size", "entity_version", "prev_hash"};
constexpr int kDecisionColumn = 13;
using Values = std::array<std::string, kHashed.size()>;

std::string DecisionName(int64_t decision) {
  return v1::AuditDecision_IsValid(static_cast<int>(decision))
             ? v1::AuditDecision_Name(static_cast<v1::AuditDecision>(decision))
             : absl::StrCat(decision);
}

// A record's hashed values, as stored (lists as JSON text).
Values StoredValues(const v1::AuditRecord& r) {
  return {absl::StrCat(r.seq()), absl::StrCat(MicrosOf(r.time())), r.principal(),
          JsonList(r.roles()), JsonList(r.teams()), r.action(), r.transport(), r.client(),
          r.request_id(), r.namespace_(), r.dataset(), r.field(), r.entity(),
          DecisionName(r.decision()), r.status(), r.reason(), ColumnsJson(r),
          absl::StrCat(r.result_size()), r.entity_version(), r.prev_hash()};
}

// A row's hashed values, read without parsing anything (Verify's fast path).
Values RowValues(const Statement& row) {
  Values values;
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = static_cast<int>(i) == kDecisionColumn ? DecisionName(row.Int(kDecisionColumn))
                                                       : row.Text(static_cast<int>(i));
  }
  return values;
}

std::string Canonical(const Values& values) {
  std::string out;
  out.reserve(512);
  for (size_t i = 0; i < values.size(); ++i) Put(&out, kHashed[i], values[i]);
  return out;
}

std::string HashOf(const Values& values) {
  return Hex(policy::Sha256(absl::StrCat(values.back(), "\n", Canonical(values))));
}

}  // namespace

std::string CanonicalRecord(const v1::AuditRecord& record) {
  return Canonical(StoredValues(record));
}

std::string ChainHash(const v1::AuditRecord& record) {
  return HashOf(StoredValues(record));
}

// --------------------------------------------------------------------- impl

class AuditLog::Impl {
 public:
  Impl(AuditOptions options, const Clock* clock) : options_(std::move(options)), clock_(clock) {}

  absl::Status Start() {
    ASSIGN_OR_RETURN(writer_, SqliteDb::Open(options_.path, {}));
    RETURN_IF_ERROR(writer_->Exec(options_.fsync ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                                 : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
    RETURN_IF_ERROR(writer_->Exec(kSchema));
    RETURN_IF_ERROR(LoadHead());
    RETURN_IF_ERROR(Prune());
    last_checkpoint_time_ = clock_->Now();
    thread_ = std::thread([this] { Loop(); });
    return absl::OkStatus();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(db_mu_);
    if (since_checkpoint_ > 0) {
      absl::Status status = CheckpointHead();
      if (!status.ok()) log::Error("audit checkpoint failed", {{"error", status.ToString()}});
    }
  }

  absl::Status Append(v1::AuditRecord record) {
    Pending pending{std::move(record), {}};
    std::future<absl::Status> done = pending.done.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return absl::UnavailableError("the audit log is closed");
      queue_.push_back(&pending);
    }
    cv_.notify_one();
    return done.get();
  }

  absl::StatusOr<std::unique_ptr<SqliteDb>> Reader() const {
    return SqliteDb::Open(options_.path, {.read_only = true});
  }

  absl::Status Prune() {
    if (options_.retention <= absl::ZeroDuration()) return absl::OkStatus();
    std::lock_guard<std::mutex> lock(db_mu_);
    const int64_t cutoff = absl::ToUnixMicros(clock_->Now() - options_.retention);
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(Statement last,
                       writer_->Prepare("SELECT seq, hash FROM audit_log WHERE seq = "
                                        "(SELECT max(seq) FROM audit_log WHERE time_us < ?)"));
      last.Bind(cutoff);
      ASSIGN_OR_RETURN(bool found, last.Step());
      if (!found) return absl::OkStatus();
      v1::AuditCheckpoint checkpoint;
      checkpoint.set_seq(last.Int(0));
      checkpoint.set_hash(last.Text(1));
      checkpoint.set_kind("prune");
      RETURN_IF_ERROR(InsertCheckpoint(&checkpoint));
      ASSIGN_OR_RETURN(Statement drop, writer_->Prepare("DELETE FROM audit_log WHERE seq <= ?"));
      RETURN_IF_ERROR(drop.Bind(checkpoint.seq()).Run());
      ASSIGN_OR_RETURN(Statement heads, writer_->Prepare(
                                            "DELETE FROM audit_checkpoints WHERE kind = 'head' "
                                            "AND seq <= ?"));
      RETURN_IF_ERROR(heads.Bind(checkpoint.seq()).Run());
      log::Info("audit log pruned", {{"through_seq", checkpoint.seq()}});
      return absl::OkStatus();
    }();
    if (!status.ok()) {
      (void)writer_->Exec("ROLLBACK");
      return status;
    }
    return writer_->Exec("COMMIT");
  }

  const AuditOptions& options() const { return options_; }
  const Clock* clock() const { return clock_; }

 private:
  struct Pending {
    v1::AuditRecord record;
    std::promise<absl::Status> done;
  };

  absl::Status LoadHead() {
    ASSIGN_OR_RETURN(Statement last,
                     writer_->Prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1"));
    ASSIGN_OR_RETURN(bool found, last.Step());
    if (found) {
      last_seq_ = last.Int(0);
      head_ = last.Text(1);
      return absl::OkStatus();
    }
    // Everything pruned: the chain goes on from the prune checkpoint.
    ASSIGN_OR_RETURN(Statement pruned,
                     writer_->Prepare("SELECT seq, hash FROM audit_checkpoints WHERE kind = "
                                      "'prune' ORDER BY seq DESC LIMIT 1"));
    ASSIGN_OR_RETURN(found, pruned.Step());
    last_seq_ = found ? pruned.Int(0) : 0;
    head_ = found ? pruned.Text(1) : kGenesis;
    return absl::OkStatus();
  }

  void Loop() {
    const absl::Duration hour = absl::Hours(1);
    absl::Time last_prune = clock_->Now();
    while (true) {
      std::vector<Pending*> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !queue_.empty(); });
        batch.assign(queue_.begin(), queue_.end());
        queue_.clear();
        if (batch.empty() && stopping_) return;
      }
      if (!batch.empty()) {
        absl::Status status = WriteBatch(batch);
        for (Pending* pending : batch) pending->done.set_value(status);
      }
      const absl::Time now = clock_->Now();
      if (since_checkpoint_ > 0 && now - last_checkpoint_time_ >= options_.checkpoint_interval) {
        std::lock_guard<std::mutex> lock(db_mu_);
        absl::Status status = CheckpointHead();
        if (!status.ok()) log::Error("audit checkpoint failed", {{"error", status.ToString()}});
      }
      if (now - last_prune >= hour) {
        last_prune = now;
        absl::Status status = Prune();
        if (!status.ok()) log::Error("audit prune failed", {{"error", status.ToString()}});
      }
    }
  }

  absl::Status WriteBatch(const std::vector<Pending*>& batch) {
    std::lock_guard<std::mutex> lock(db_mu_);
    const int64_t first_seq = last_seq_;
    const std::string first_head = head_;
    const int first_since = since_checkpoint_;
    bool checkpointed = false;
    absl::Status status = [&]() -> absl::Status {
      RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
      for (Pending* pending : batch) {
        v1::AuditRecord& r = pending->record;
        r.set_seq(last_seq_ + 1);
        if (!r.has_time()) *r.mutable_time() = TimestampOf(absl::ToUnixMicros(clock_->Now()));
        r.set_prev_hash(head_);
        r.set_hash(ChainHash(r));
        ASSIGN_OR_RETURN(Statement insert,
                         writer_->Prepare("INSERT INTO audit_log VALUES "
                                          "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"));
        insert.BindAll(r.seq(), MicrosOf(r.time()), r.principal(), JsonList(r.roles()),
                       JsonList(r.teams()), r.action(), r.transport(), r.client(), r.request_id(),
                       r.namespace_(), r.dataset(), r.field(), r.entity(),
                       static_cast<int64_t>(r.decision()), r.status(), r.reason(), ColumnsJson(r),
                       r.result_size(), r.entity_version(), r.prev_hash(), r.hash());
        RETURN_IF_ERROR(insert.Run());
        last_seq_ = r.seq();
        head_ = r.hash();
        ++since_checkpoint_;
      }
      if (since_checkpoint_ >= options_.checkpoint_every) {
        RETURN_IF_ERROR(CheckpointHeadInTransaction());
        checkpointed = true;
      }
      return writer_->Exec("COMMIT");
    }();
    if (!status.ok()) {
      (void)writer_->Exec("ROLLBACK");
      last_seq_ = first_seq;
      head_ = first_head;
      since_checkpoint_ = first_since;
      log::Error("audit write failed", {{"error", status.ToString()}});
      return absl::UnavailableError("the audit log cannot record this request");
    }
    if (checkpointed) return WriteHeadFile();
    return absl::OkStatus();
  }

  // Signs the current head inside the open transaction.
  absl::Status CheckpointHeadInTransaction() {
    head_checkpoint_.Clear();
    head_checkpoint_.set_seq(last_seq_);
    head_checkpoint_.set_hash(head_);
    head_checkpoint_.set_kind("head");
    RETURN_IF_ERROR(InsertCheckpoint(&head_checkpoint_));
    since_checkpoint_ = 0;
    last_checkpoint_time_ = clock_->Now();
    return absl::OkStatus();
  }

  // A checkpoint in a transaction of its own, and the head file.
  absl::Status CheckpointHead() {
    if (last_seq_ == 0) return absl::OkStatus();
    RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
    absl::Status status = CheckpointHeadInTransaction();
    if (status.ok()) status = writer_->Exec("COMMIT");
    if (!status.ok()) {
      (void)writer_->Exec("ROLLBACK");
      return status;
    }
    return WriteHeadFile();
  }

  absl::Status InsertCheckpoint(v1::AuditCheckpoint* checkpoint) {
    *checkpoint->mutable_time() = TimestampOf(absl::ToUnixMicros(clock_->Now()));
    checkpoint->set_mac(CheckpointMac(options_.key, *checkpoint));
    ASSIGN_OR_RETURN(Statement insert,
                     writer_->Prepare("INSERT OR REPLACE INTO audit_checkpoints VALUES (?,?,?,?,?)"));
    return insert
        .BindAll(checkpoint->seq(), checkpoint->hash(), MicrosOf(checkpoint->time()),
                 checkpoint->kind(), checkpoint->mac())
        .Run();
  }

  absl::Status WriteHeadFile() {
    if (options_.head_path.empty()) return absl::OkStatus();
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(head_checkpoint_, &json);
    return WriteFileDurably(options_.head_path, json + "\n");
  }

  AuditOptions options_;
  const Clock* clock_;
  std::unique_ptr<SqliteDb> writer_;

  std::mutex db_mu_;  // the writer connection and the chain state below
  int64_t last_seq_ = 0;
  std::string head_;
  int since_checkpoint_ = 0;
  absl::Time last_checkpoint_time_;
  v1::AuditCheckpoint head_checkpoint_;

  std::mutex mu_;  // the queue
  std::condition_variable cv_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// ------------------------------------------------------------------ queries

namespace {

// The verification state: the first break found wins.
struct Verdict {
  v1::AuditChainStatus* status;
  void Break(int64_t seq, std::string reason) {
    if (!status->ok()) return;
    status->set_ok(false);
    status->set_first_broken_seq(seq);
    status->set_reason(std::move(reason));
  }
};

}  // namespace

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(AuditOptions options, const Clock* clock) {
  auto impl = std::make_unique<Impl>(std::move(options), clock);
  RETURN_IF_ERROR(impl->Start());
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AuditLog::~AuditLog() { impl_->Stop(); }

absl::Status AuditLog::Append(v1::AuditRecord record) { return impl_->Append(std::move(record)); }

absl::Status AuditLog::Prune() { return impl_->Prune(); }

std::string AuditLog::Pseudonym(std::string_view principal) const {
  if (principal.empty()) return "";
  return absl::StrCat(
      "p-", Hex(policy::HmacSha256(impl_->options().key, absl::StrCat("pseudonym\n", Absl(principal))))
                .substr(0, 16));
}

absl::StatusOr<std::vector<v1::AuditRecord>> AuditLog::Query(const AuditQuery& q) const {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, impl_->Reader());
  // Constant fragments only: values are bound.
  std::string sql = absl::StrCat("SELECT ", kColumns, " FROM audit_log WHERE seq > ?");
  if (!q.principal.empty()) sql += " AND principal = ?";
  if (!q.action.empty()) sql += " AND action = ?";
  if (!q.ns.empty()) sql += " AND namespace = ?";
  if (!q.dataset.empty()) sql += " AND dataset = ?";
  if (!q.field.empty()) sql += " AND field = ?";
  if (q.decision != v1::AUDIT_DECISION_UNSPECIFIED) sql += " AND decision = ?";
  if (q.from_us != 0) sql += " AND time_us >= ?";
  if (q.to_us != 0) sql += " AND time_us < ?";
  sql += " ORDER BY seq";
  if (q.limit > 0) sql += " LIMIT ?";
  ASSIGN_OR_RETURN(Statement select, db->Prepare(sql));
  select.Bind(q.after_seq);
  for (const std::string* value : {&q.principal, &q.action, &q.ns, &q.dataset, &q.field}) {
    if (!value->empty()) select.Bind(*value);
  }
  if (q.decision != v1::AUDIT_DECISION_UNSPECIFIED) select.Bind(static_cast<int64_t>(q.decision));
  if (q.from_us != 0) select.Bind(q.from_us);
  if (q.to_us != 0) select.Bind(q.to_us);
  if (q.limit > 0) select.Bind(q.limit);
  std::vector<v1::AuditRecord> out;
  RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) { out.push_back(RecordFromRow(row)); }));
  return out;
}

absl::StatusOr<AuditLog::DatasetCounts> AuditLog::CountDatasetAccesses(int64_t after_seq,
                                                                       int64_t from_us,
                                                                       int64_t* last_seq) const {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, impl_->Reader());
  RETURN_IF_ERROR(db->Exec("BEGIN"));  // one snapshot for both queries
  ASSIGN_OR_RETURN(int64_t newest, db->QueryInt("SELECT COALESCE(MAX(seq), 0) FROM audit_log"));
  ASSIGN_OR_RETURN(Statement select,
                   db->Prepare("SELECT namespace, dataset, COUNT(*) FROM audit_log "
                               "WHERE seq > ? AND seq <= ? AND time_us >= ? AND dataset != '' "
                               "AND decision = ? GROUP BY namespace, dataset"));
  select.BindAll(after_seq, newest, from_us, static_cast<int64_t>(v1::AUDIT_ALLOWED));
  DatasetCounts counts;
  RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) {
    counts[{row.Text(0), row.Text(1)}] = row.Int(2);
  }));
  RETURN_IF_ERROR(db->Exec("COMMIT"));
  *last_seq = std::max(after_seq, newest);
  return counts;
}

absl::StatusOr<std::vector<v1::AuditCheckpoint>> AuditLog::Checkpoints(int limit) const {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, impl_->Reader());
  ASSIGN_OR_RETURN(Statement select,
                   db->Prepare("SELECT seq, hash, time_us, kind, mac FROM audit_checkpoints "
                               "ORDER BY seq DESC, kind LIMIT ?"));
  select.Bind(limit);
  std::vector<v1::AuditCheckpoint> out;
  RETURN_IF_ERROR(
      select.ForEachRow([&](const Statement& row) { out.push_back(CheckpointFromRow(row)); }));
  return out;
}

absl::StatusOr<v1::AuditChainStatus> AuditLog::Verify() const {
  const AuditOptions& options = impl_->options();
  v1::AuditChainStatus status;
  status.set_ok(true);
  *status.mutable_checked_at() = TimestampOf(absl::ToUnixMicros(impl_->clock()->Now()));
  Verdict verdict{&status};
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteDb> db, impl_->Reader());
  // One read transaction: the records and checkpoints of one moment.
  RETURN_IF_ERROR(db->Exec("BEGIN"));

  // Checkpoints: each signed; the latest prune one is where the chain starts.
  std::vector<v1::AuditCheckpoint> checkpoints;
  {
    ASSIGN_OR_RETURN(Statement select,
                     db->Prepare("SELECT seq, hash, time_us, kind, mac FROM audit_checkpoints "
                                 "ORDER BY seq, kind"));
    RETURN_IF_ERROR(select.ForEachRow(
        [&](const Statement& row) { checkpoints.push_back(CheckpointFromRow(row)); }));
  }
  // The head file: the latest head, kept outside the database.
  if (!options.head_path.empty()) {
    FILE* file = std::fopen(options.head_path.c_str(), "rb");
    if (file != nullptr) {
      std::string text;
      char buffer[4096];
      size_t n;
      while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
      std::fclose(file);
      v1::AuditCheckpoint head;
      if (!google::protobuf::util::JsonStringToMessage(text, &head).ok()) {
        verdict.Break(0, "the head file " + options.head_path + " is unreadable");
      } else {
        checkpoints.push_back(head);
      }
    }
  }
  int64_t start_seq = 0;
  std::string expected_prev = kGenesis;
  std::vector<const v1::AuditCheckpoint*> signed_heads;
  for (const v1::AuditCheckpoint& c : checkpoints) {
    if (CheckpointMac(options.key, c) != c.mac()) {
      verdict.Break(c.seq(), absl::StrCat("the ", c.kind(), " checkpoint at seq ", c.seq(),
                                          " has a bad signature"));
    } else if (c.kind() == "prune" && c.seq() >= start_seq) {
      start_seq = c.seq();
      expected_prev = c.hash();
    } else if (c.kind() == "head") {
      signed_heads.push_back(&c);
    }
  }
  std::map<int64_t, std::string> heads;  // seq -> the hash a checkpoint signed
  for (const v1::AuditCheckpoint* c : signed_heads) {
    if (c->seq() > start_seq) heads[c->seq()] = c->hash();
  }

  // The records, in seq order: contiguous, chained, each hash its content's.
  int64_t expected_seq = start_seq + 1;
  int64_t records = 0;
  std::string last_hash = expected_prev;
  ASSIGN_OR_RETURN(Statement select,
                   db->Prepare(absl::StrCat("SELECT ", kColumns, " FROM audit_log ORDER BY seq")));
  RETURN_IF_ERROR(select.ForEachRow([&](const Statement& row) {
    const Values values = RowValues(row);
    const int64_t seq = row.Int(0);
    const std::string hash = row.Text(20);
    ++records;
    if (records == 1) status.set_first_seq(seq);
    status.set_last_seq(seq);
    if (seq < expected_seq) {
      verdict.Break(seq, absl::StrCat("record ", seq, " precedes the chain's start"));
    } else if (seq != expected_seq) {
      verdict.Break(expected_seq, absl::StrCat("records ", expected_seq, " to ", seq - 1,
                                               " are missing"));
    } else if (values.back() != last_hash) {
      verdict.Break(seq, absl::StrCat("record ", seq,
                                          " does not follow the one before it (reordered, "
                                          "or the one before was altered)"));
    } else if (HashOf(values) != hash) {
      verdict.Break(seq, absl::StrCat("record ", seq, " was altered"));
    }
    if (auto it = heads.find(seq); it != heads.end() && it->second != hash) {
      verdict.Break(seq, absl::StrCat("record ", seq, " differs from its checkpoint"));
    }
    expected_seq = seq + 1;
    last_hash = hash;
  }));
  (void)db->Exec("COMMIT");
  status.set_records(records);
  status.set_head_hash(last_hash);
  if (!heads.empty() && heads.rbegin()->first >= expected_seq) {
    verdict.Break(expected_seq, absl::StrCat("the log ends at seq ", expected_seq - 1,
                                             " but a checkpoint signed seq ",
                                             heads.rbegin()->first, " (truncated)"));
  }
  return status;
}

}  // namespace cadastre::audit
