// The access audit log: one hash-chained record per request, in its own
// SQLite file (DATA_DIR/audit.db). See docs/audit.md.
//
// Append blocks until the record is durable: one writer thread commits
// whatever has queued meanwhile in one fsynced transaction (group commit),
// so a request is answered only once its record would survive kill -9.
// Every record carries SHA-256(previous hash, its canonical content); chain
// heads are checkpointed with an HMAC under a key kept outside the database,
// in the table and in DATA_DIR/audit.head, so that editing, deleting,
// reordering and truncating records are all found by Verify.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cadastre/v1/audit.pb.h"
#include "server/common/clock.h"

namespace cadastre::audit {

struct AuditOptions {
  std::string path;       // the SQLite file
  std::string head_path;  // the signed chain head, beside it
  std::string key;        // HMAC key of checkpoints (DeriveKey of the master secret)
  bool fsync = true;      // synchronous=FULL; false: NORMAL (survives kill -9, not power loss)
  absl::Duration retention = absl::Hours(24 * 400);  // zero: keep for ever
  int checkpoint_every = 1000;                        // records between head checkpoints
  absl::Duration checkpoint_interval = absl::Seconds(10);
};

// Filters of Query; empty strings and an unset decision match everything.
struct AuditQuery {
  std::string principal, action, ns, dataset, field;
  v1::AuditDecision decision = v1::AUDIT_DECISION_UNSPECIFIED;
  int64_t from_us = 0;  // time >= from (0: no bound)
  int64_t to_us = 0;    // time < to (0: no bound)
  int64_t after_seq = 0;
  int limit = 100;      // 0: no limit
};

// The canonical text a record's hash covers (docs/audit.md spells it out
// for external verifiers): every field but `hash`, in a fixed order.
std::string CanonicalRecord(const v1::AuditRecord& record);
// hex(SHA-256(prev_hash "\n" canonical)).
std::string ChainHash(const v1::AuditRecord& record);

class AuditLog {
 public:
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(AuditOptions options, const Clock* clock);
  ~AuditLog();  // checkpoints the head and stops the writer

  // Assigns seq, time (when unset) and the chain hashes, and returns once
  // the record is committed. An error means it was not recorded: the
  // caller must fail its request (fail closed).
  absl::Status Append(v1::AuditRecord record);

  // Records matching `query`, by seq ascending.
  absl::StatusOr<std::vector<v1::AuditRecord>> Query(const AuditQuery& query) const;
  // Walks the whole retained chain and every checkpoint.
  absl::StatusOr<v1::AuditChainStatus> Verify() const;
  absl::StatusOr<std::vector<v1::AuditCheckpoint>> Checkpoints(int limit) const;
  // Deletes records older than the retention, leaving a signed "prune"
  // checkpoint of the last one deleted. Runs at start and every hour.
  absl::Status Prune();

  // Allowed requests per dataset ({namespace, dataset} -> count) among the
  // records after `after_seq` and at or after `from_us`; `*last_seq` is set
  // to the newest record counted over, so the next call can go on from it.
  // What search ranks by (docs/search.md).
  using DatasetCounts = std::map<std::pair<std::string, std::string>, int64_t>;
  absl::StatusOr<DatasetCounts> CountDatasetAccesses(int64_t after_seq, int64_t from_us,
                                                     int64_t* last_seq) const;

  // A keyed pseudonym of a principal, for exports ("p-" + 16 hex digits).
  std::string Pseudonym(std::string_view principal) const;

 private:
  class Impl;
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cadastre::audit
