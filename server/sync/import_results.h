// What an import answers, record by record, shared by the parts of the
// import (sync_import.cc, lineage_import.cc). Internal to server/sync.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cadastre/v1/sync.pb.h"

namespace cadastre::sync {

namespace v1 = ::cadastre::v1;
using Result = v1::SyncRecordResult;
using FieldChanges = std::vector<v1::FieldChange>;

// A record's error with its field named from the document's root:
// "fields[2].name" of a dataset becomes "datasets[3].columns[2].name".
absl::Status InRecord(const std::string& path, const absl::Status& status);

// The kind of record a place names: "datasets[3]" is a dataset.
std::string_view KindOf(const std::string& record);

class ImportResults {
 public:
  // Notes what happened to a record (`record` set) or to an entity the
  // document lacks (`record` empty).
  void Done(const std::string& record, std::string_view kind, const std::string& key,
            Result::Action action, FieldChanges changes = {});
  void Failed(const std::string& record, std::string_view kind, const std::string& key,
              const absl::Status& error);
  // Orders the results as the document does: namespaces, terms, datasets,
  // lineage, each by index; entities the document lacks last.
  void Sort();

  v1::ImportResponse& response() { return response_; }

 private:
  v1::ImportResponse response_;
};

}  // namespace cadastre::sync
