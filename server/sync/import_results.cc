#include "server/sync/import_results.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/status.h"

namespace cadastre::sync {
namespace {

std::tuple<int, int64_t> Place(const std::string& record) {
  static const char* kSections[] = {"namespaces", "glossaryTerms", "datasets", "lineage"};
  for (int s = 0; s < 4; s++) {
    if (absl::StartsWith(record, absl::StrCat(kSections[s], "["))) {
      int64_t index = 0;
      const size_t open = record.find('[');
      (void)absl::SimpleAtoi(record.substr(open + 1, record.find(']') - open - 1), &index);
      return {s, index};
    }
  }
  return {4, 0};
}

}  // namespace

absl::Status InRecord(const std::string& path, const absl::Status& status) {
  const std::string original = FieldOf(status).value_or("");
  std::string message(status.message());
  if (!original.empty() && absl::StartsWith(message, original + ": ")) {
    message = message.substr(original.size() + 2);
  }
  std::string field = original;
  if (absl::StartsWith(field, "fields[")) field = "columns" + field.substr(6);
  const std::string full = field.empty() ? path : absl::StrCat(path, ".", field);
  return WithField(absl::Status(status.code(), absl::StrCat(full, ": ", message)), full);
}

std::string_view KindOf(const std::string& record) {
  static const char* kKinds[] = {"namespace", "glossaryTerm", "dataset", "lineage", ""};
  return kKinds[std::get<0>(Place(record))];
}

void ImportResults::Done(const std::string& record, std::string_view kind, const std::string& key,
                         Result::Action action, FieldChanges changes) {
  switch (action) {
    case Result::UNCHANGED:
      response_.set_unchanged(response_.unchanged() + 1);
      return;
    case Result::CREATED:
      response_.set_created(response_.created() + 1);
      break;
    case Result::UPDATED:
      response_.set_updated(response_.updated() + 1);
      break;
    case Result::DEPRECATED:
      response_.set_deprecated(response_.deprecated() + 1);
      break;
    case Result::REMOVED:
      response_.set_removed(response_.removed() + 1);
      break;
    default:
      break;
  }
  v1::SyncRecordResult* result = response_.add_results();
  result->set_record(record);
  result->set_kind(std::string(kind));
  result->set_key(key);
  result->set_action(action);
  for (v1::FieldChange& change : changes) *result->add_changes() = std::move(change);
}

void ImportResults::Failed(const std::string& record, std::string_view kind, const std::string& key,
                           const absl::Status& error) {
  response_.set_failed(response_.failed() + 1);
  v1::SyncRecordResult* result = response_.add_results();
  result->set_record(record);
  result->set_kind(std::string(kind));
  result->set_key(key);
  result->set_action(Result::FAILED);
  result->set_error(std::string(error.message()));
  result->set_field(FieldOf(error).value_or(record));
  result->set_error_code(absl::StatusCodeToString(error.code()));
}

void ImportResults::Sort() {
  std::stable_sort(
      response_.mutable_results()->begin(), response_.mutable_results()->end(),
      [](const auto& a, const auto& b) { return Place(a.record()) < Place(b.record()); });
}

}  // namespace cadastre::sync
