// cadastre import | export | sync changes: bulk sync with other catalogs
// (SyncService, proto/cadastre/v1/sync.proto; docs/sync.md).
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cadastre/client.h"
#include "commands.h"
#include "files.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "sync_document.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;
using Json = nlohmann::json;

// An import or export of a big catalog takes longer than one lookup: without
// --timeout they may take this long.
constexpr double kBulkTimeoutSeconds = 600;

struct ImportArgs {
  std::string file;
  std::string mode = "diff";
  bool dry_run = false;
  std::string on_error = "fail";
  std::string missing = "keep";
  std::string format;  // json or csv; empty: from the file name
};

struct ExportArgs {
  std::vector<std::string> namespaces;
  std::string external_system;
  bool glossary = false;
  bool lineage = false;
  std::string format = "json";
  std::string file;
};

struct ChangesArgs {
  std::string cursor;
  std::string cursor_file;
  bool follow = false;
  int limit = 0;  // at most this many changes; 0: all
};

void UseBulkTimeout(Context& context) {
  if (!context.timeout_set) context.timeout_seconds = kBulkTimeoutSeconds;
}

// One line of progress on stderr, rewritten in place, with the seconds spent
// in the current phase; only on a terminal (golden tests see none).
class Progress {
 public:
  explicit Progress(Context& context) : enabled_(context.stderr_is_tty), err_(*context.err) {
    if (enabled_) ticker_ = std::thread([this] { Tick(); });
  }
  ~Progress() { Done(); }

  void Phase(std::string text) {
    if (!enabled_) return;
    std::lock_guard<std::mutex> lock(mutex_);
    phase_ = std::move(text);
    started_ = std::chrono::steady_clock::now();
    DrawLocked();
  }

  // Clears the line and stops the ticker.
  void Done() {
    if (!enabled_) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (done_) return;
      done_ = true;
      err_ << "\r\033[K" << std::flush;
    }
    wake_.notify_all();
    ticker_.join();
  }

 private:
  void DrawLocked() {
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
    err_ << "\r\033[K" << phase_;
    if (seconds > 0) err_ << " " << seconds << "s";
    err_ << std::flush;
  }

  void Tick() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done_) {
      wake_.wait_for(lock, std::chrono::milliseconds(500));
      if (!done_ && !phase_.empty()) DrawLocked();
    }
  }

  const bool enabled_;
  std::ostream& err_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::string phase_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool done_ = false;
  std::thread ticker_;
};

// The message as JSON in a stable text: protobuf prints a Struct's keys (a
// change's snapshot, before and after) in hash order, so those objects are
// printed with sorted keys; the message's own fields keep their order.
std::string StableJson(const google::protobuf::Message& message, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(text, nullptr, false);
  if (json.is_discarded()) return text;
  std::function<void(nlohmann::ordered_json&)> sort_structs = [&](nlohmann::ordered_json& node) {
    if (node.is_array()) {
      for (auto& item : node) sort_structs(item);
    } else if (node.is_object()) {
      for (auto& [key, value] : node.items()) {
        if (key == "snapshot" || key == "before" || key == "after") {
          value = nlohmann::ordered_json(Json(value));  // nlohmann::json keeps keys sorted
        } else {
          sort_structs(value);
        }
      }
    }
  };
  sort_structs(json);
  return pretty ? json.dump(1, ' ', false, Json::error_handler_t::replace)
                : json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string ValueText(const google::protobuf::Value& value) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(value, &json);
  return Shorten(json, 40);
}

std::string ChangeText(const v1::FieldChange& change) {
  return absl::StrCat(change.path(), ": ", change.has_before() ? ValueText(change.before()) : "(none)", " -> ",
                      change.has_after() ? ValueText(change.after()) : "(none)");
}

std::string ActionName(v1::SyncRecordResult::Action action) {
  std::string name = v1::SyncRecordResult::Action_Name(action);
  return name == "ACTION_UNSPECIFIED" ? "" : name;
}

std::string ResultDetail(const v1::SyncRecordResult& result) {
  if (result.action() == v1::SyncRecordResult::FAILED) {
    return result.error_code().empty() ? result.error() : absl::StrCat(result.error_code(), ": ", result.error());
  }
  if (result.action() == v1::SyncRecordResult::CREATED) {
    return result.changes_size() == 0 ? "" : absl::StrCat(result.changes_size(), " attributes");
  }
  std::vector<std::string> changes;
  for (const v1::FieldChange& change : result.changes()) changes.push_back(ChangeText(change));
  return Join(changes, "; ");
}

// The code a result names ("PERMISSION_DENIED"); INVALID_ARGUMENT when it names none.
absl::StatusCode CodeNamed(const std::string& name) {
  for (int c = 1; c <= 16; c++) {
    const auto code = static_cast<absl::StatusCode>(c);
    if (absl::StatusCodeToString(code) == name) return code;
  }
  return absl::StatusCode::kInvalidArgument;
}

// The document to send: the file's JSON as it is, or the CSV's rows as one.
absl::StatusOr<std::string> ReadDocument(const ImportArgs& args, std::string* format) {
  absl::StatusOr<std::string> text = ReadInput(args.file);
  if (!text.ok()) return text.status();
  *format = args.format;
  if (format->empty()) {
    const bool csv = args.file.size() > 4 && args.file.compare(args.file.size() - 4, 4, ".csv") == 0;
    *format = csv ? "csv" : "json";
  }
  if (*format == "csv") {
    absl::StatusOr<Json> document = CsvToDocument(*text, args.file);
    if (!document.ok()) return document.status();
    return document->dump();
  }
  Json parsed;
  try {
    parsed = Json::parse(*text);
  } catch (const Json::parse_error& error) {
    // The line, for the message: nlohmann counts bytes.
    const size_t byte = std::min<size_t>(error.byte, text->size());
    const auto end = text->begin() + static_cast<std::ptrdiff_t>(byte > 0 ? byte - 1 : 0);
    const size_t line = 1 + static_cast<size_t>(std::count(text->begin(), end, '\n'));
    return absl::InvalidArgumentError(absl::StrCat(args.file, ": line ", line, ": not JSON"));
  }
  if (!parsed.is_object()) {
    return absl::InvalidArgumentError(absl::StrCat(args.file, ": expected a sync document (a JSON object)"));
  }
  return *std::move(text);
}

absl::Status Import(Context& context, const ImportArgs& args) {
  Progress progress(context);
  progress.Phase("reading " + args.file + " ...");
  std::string format;
  absl::StatusOr<std::string> document = ReadDocument(args, &format);
  if (!document.ok()) return document.status();

  v1::ImportRequest request;
  request.set_document(*std::move(document));
  request.set_mode(args.mode == "full" ? v1::FULL : args.mode == "append" ? v1::APPEND : v1::DIFF);
  request.set_dry_run(args.dry_run);
  request.set_on_error(args.on_error == "skip" ? v1::SKIP : v1::FAIL);
  request.set_missing(args.missing == "deprecate" ? v1::DEPRECATE
                      : args.missing == "remove"  ? v1::REMOVE
                                                  : v1::KEEP);
  UseBulkTimeout(context);
  progress.Phase(absl::StrCat("sending ", request.document().size() / 1024 + 1, " KiB and applying",
                              args.dry_run ? " (dry run)" : "", " ..."));
  absl::StatusOr<v1::ImportResponse> response = Call(context, &v1::SyncService::Stub::Import, request);
  progress.Done();
  if (!response.ok()) return response.status();

  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    out << StableJson(*response, /*pretty=*/true) << "\n";
  } else {
    const Style& style = context.out_style;
    const std::string mode = absl::AsciiStrToUpper(args.mode);
    out << (response->dry_run() ? style.Yellow("Dry run") + " of " : std::string("Imported "))
        << (args.file == "-" ? std::string("stdin") : args.file) << " (" << mode
        << (format == "csv" ? ", from CSV" : "") << ")"
        << (response->dry_run() ? ": nothing was changed." : ".") << "\n";
    out << absl::StrCat(response->records(), " records: ", response->created(), " created, ",
                        response->updated(), " updated, ", response->unchanged(), " unchanged, ",
                        response->deprecated(), " deprecated, ", response->removed(), " removed, ")
        << (response->failed() > 0 ? style.Red(absl::StrCat(response->failed(), " failed"))
                                   : std::string("0 failed"))
        << "\n";
    if (response->results_size() > 0) {
      out << "\n";
      Table table({"RECORD", "KIND", "KEY", "ACTION", "CHANGES / ERROR"});
      for (const v1::SyncRecordResult& result : response->results()) {
        table.Add({result.record(), result.kind(), result.key(), ActionName(result.action()),
                   ResultDetail(result)});
      }
      table.Print(out, style);
    }
  }
  if (response->failed() > 0) {
    // The exit code of the first failure's code (5 for a bad record, 3 for
    // one the caller may not write).
    absl::StatusCode code = absl::StatusCode::kInvalidArgument;
    for (const v1::SyncRecordResult& result : response->results()) {
      if (result.action() == v1::SyncRecordResult::FAILED) {
        code = CodeNamed(result.error_code());
        break;
      }
    }
    return absl::Status(code, absl::StrCat(response->failed(), " of ", response->records(), " records failed",
                                           response->dry_run() ? " (dry run: nothing was changed)"
                                                               : "; the other records were applied"));
  }
  return absl::OkStatus();
}

absl::Status Export(Context& context, const ExportArgs& args) {
  if (args.format == "csv" && (args.glossary || args.lineage)) {
    return absl::InvalidArgumentError("CSV holds columns only: --glossary and --lineage need --format json");
  }
  v1::ExportRequest request;
  for (const std::string& ns : args.namespaces) request.add_namespace_(ns);
  request.set_external_system(args.external_system);
  request.set_include_glossary(args.glossary);
  request.set_include_lineage(args.lineage);
  UseBulkTimeout(context);
  absl::StatusOr<google::protobuf::Struct> document = Call(context, &v1::SyncService::Stub::Export, request);
  if (!document.ok()) return document.status();
  const Json json = JsonOfStruct(*document);
  const std::string text = args.format == "csv" ? DocumentToCsv(json) : DocumentText(json);
  if (args.file.empty() || args.file == "-") {
    *context.out << text << std::flush;
    return absl::OkStatus();
  }
  if (absl::Status written = WriteFileAtomically(args.file, text); !written.ok()) return written;
  size_t datasets = 0, columns = 0;
  for (const Json& dataset : json.value("datasets", Json::array())) {
    datasets++;
    columns += dataset.value("columns", Json::array()).size();
  }
  *context.err << "wrote " << args.file << " (" << datasets << " datasets, " << columns << " columns)\n";
  return absl::OkStatus();
}

// SIGINT and SIGTERM end `sync changes --follow` cleanly: the handler only
// raises a flag; a thread that watches it cancels the stream.
std::atomic<bool> interrupted{false};
extern "C" void OnInterrupt(int) { interrupted.store(true); }

class ChangePrinter {
 public:
  ChangePrinter(Context& context, const ChangesArgs& args) : context_(context), args_(args) {}

  absl::Status Print(const v1::Change& change) {
    std::ostream& out = *context_.out;
    if (context_.format() == Format::kJson) {
      out << StableJson(change, /*pretty=*/false) << "\n";
    } else if (args_.follow) {
      // No table: its widths are not known in advance. The same cells, in a line.
      std::vector<std::string> cells = Row(change);
      for (std::string& cell : cells) {
        if (cell.empty()) cell = "-";
      }
      out << Join(cells, "  ") << "\n";
    } else {
      table_.Add(Row(change));
    }
    out << std::flush;  // before the cursor moves past it: at least once
    count_++;
    return Save(change.cursor());
  }

  absl::Status Save(const std::string& cursor) {
    if (cursor.empty() || cursor == saved_) return absl::OkStatus();
    saved_ = cursor;
    if (args_.cursor_file.empty()) return absl::OkStatus();
    return WriteFileAtomically(args_.cursor_file, cursor + "\n");
  }

  void Finish(const std::string& next_cursor) {
    if (context_.format() == Format::kJson || args_.follow) return;
    std::ostream& out = *context_.out;
    if (table_.empty()) {
      out << "No changes.\n";
    } else {
      table_.Print(out, context_.out_style);
      out << "\n" << count_ << " changes.\n";
    }
    out << "next cursor: " << (next_cursor.empty() ? "-" : next_cursor) << "\n";
  }

  int count() const { return count_; }

 private:
  static std::vector<std::string> Row(const v1::Change& change) {
    std::vector<std::string> paths;
    for (const v1::FieldChange& field : change.changes()) paths.push_back(field.path());
    return {change.cursor(), FormatTime(change.created_at()), change.operation(), change.entity_type(),
            change.entity_key(), absl::StrCat("v", change.version()), change.actor(),
            Shorten(Join(paths), 60)};
  }

  Context& context_;
  const ChangesArgs& args_;
  Table table_{{"CURSOR", "TIME", "OPERATION", "ENTITY", "KEY", "VERSION", "ACTOR", "CHANGED"}};
  std::string saved_;
  int count_ = 0;
};

absl::Status Changes(Context& context, const ChangesArgs& args) {
  std::string cursor = args.cursor;
  if (cursor.empty() && !args.cursor_file.empty() && access(args.cursor_file.c_str(), F_OK) == 0) {
    absl::StatusOr<std::string> saved = ReadInput(args.cursor_file);
    if (!saved.ok()) return saved.status();
    cursor = std::string(absl::StripAsciiWhitespace(*saved));
  }
  absl::StatusOr<sdk::Client*> client = context.Client();
  if (!client.ok()) return client.status();
  ChangePrinter printer(context, args);

  if (!args.follow) {
    // Page until caught up (or --limit).
    while (args.limit == 0 || printer.count() < args.limit) {
      v1::ListChangesRequest request;
      request.set_cursor(cursor);
      if (args.limit > 0) request.set_limit(std::min(1000, args.limit - printer.count()));
      absl::StatusOr<v1::ListChangesResponse> page =
          (*client)->Call(&v1::SyncService::Stub::ListChanges, request);
      if (!page.ok()) return page.status();
      for (const v1::Change& change : page->changes()) {
        if (absl::Status saved = printer.Print(change); !saved.ok()) return saved;
      }
      // The next cursor may pass changes hidden from the caller: keep it.
      if (absl::Status saved = printer.Save(page->next_cursor()); !saved.ok()) return saved;
      const bool caught_up = page->changes_size() == 0 || page->next_cursor() == cursor;
      if (!page->next_cursor().empty()) cursor = page->next_cursor();
      if (caught_up) break;
    }
    printer.Finish(cursor);
    return absl::OkStatus();
  }

  v1::WatchChangesRequest request;
  request.set_cursor(cursor);
  sdk::StreamCanceller canceller;
  interrupted.store(false);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished.load()) {
      if (interrupted.load()) {
        canceller.Cancel();
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  absl::Status write_error;
  absl::Status status = (*client)->Stream(
      &v1::SyncService::Stub::WatchChanges, request,
      std::function<bool(const v1::Change&)>([&](const v1::Change& change) {
        write_error = printer.Print(change);
        return write_error.ok() && (args.limit == 0 || printer.count() < args.limit);
      }),
      &canceller);
  finished.store(true);
  watcher.join();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!write_error.ok()) return write_error;
  return status;
}

}  // namespace

void AddSyncCommands(CLI::App& app, Context& context) {
  auto import_args = std::make_shared<ImportArgs>();
  CLI::App* import = app.add_subcommand(
      "import", "Apply a sync document (JSON) or a spreadsheet of columns (CSV) to the catalog");
  import->add_option("file", import_args->file, "the document (- is stdin); *.csv is read as CSV")->required();
  import->add_option("--mode", import_args->mode,
                     "diff: merge what the records give; full: the document is the whole truth of its "
                     "scope; append: only add")
      ->check(CLI::IsMember({"diff", "full", "append"}, CLI::ignore_case))
      ->capture_default_str();
  import->add_flag("--dry-run", import_args->dry_run, "answer what would change, change nothing");
  import->add_option("--on-error", import_args->on_error,
                     "fail: one bad record fails the whole import; skip: report bad records, apply the rest")
      ->check(CLI::IsMember({"fail", "skip"}, CLI::ignore_case))
      ->capture_default_str();
  import->add_option("--missing", import_args->missing,
                     "--mode full: what happens to entities of the scope the document lacks")
      ->check(CLI::IsMember({"keep", "deprecate", "remove"}, CLI::ignore_case))
      ->capture_default_str();
  import->add_option("--format", import_args->format,
                     "json (a sync document) or csv (namespace,dataset,column,type,description,tags,"
                     "glossaryTerms); default: from the file name")
      ->check(CLI::IsMember({"json", "csv"}, CLI::ignore_case));
  import->footer(
      "Exit 0 when every record was applied (or, dry, would be); 5 when the import was refused or\n"
      "records failed (3 when the first failure was a permission). See docs/sync.md.");
  import->callback([&context, import_args] {
    context.action = [&context, import_args] { return Import(context, *import_args); };
  });

  auto export_args = std::make_shared<ExportArgs>();
  CLI::App* export_command = app.add_subcommand(
      "export", "Write the catalog as a sync document (JSON, stable) or its columns as CSV");
  export_command->add_option("--namespace", export_args->namespaces,
                             "only this namespace (repeat for more); default: every one you see");
  export_command->add_option("--external-system", export_args->external_system,
                             "give records this system's external ids (e.g. collibra)");
  export_command->add_flag("--glossary", export_args->glossary, "include the glossary terms");
  export_command->add_flag("--lineage", export_args->lineage,
                           "include the column lineage into the exported datasets");
  export_command->add_option("--format", export_args->format,
                             "json (the sync document) or csv (one row per column)")
      ->check(CLI::IsMember({"json", "csv"}, CLI::ignore_case))
      ->capture_default_str();
  export_command->add_option("-o,--out-file", export_args->file, "write to this file instead of stdout");
  export_command->callback([&context, export_args] {
    context.action = [&context, export_args] { return Export(context, *export_args); };
  });

  CLI::App* sync = app.add_subcommand("sync", "The change feed, for outbound syncs");
  sync->require_subcommand(1);
  auto changes_args = std::make_shared<ChangesArgs>();
  CLI::App* changes = sync->add_subcommand(
      "changes", "Print the catalog's changes after a cursor, oldest first; --follow waits for new ones");
  changes->add_option("--cursor", changes_args->cursor, "start after this cursor (default: the beginning)");
  changes->add_option("--cursor-file", changes_args->cursor_file,
                      "read the cursor from this file at start (when it exists and --cursor is not "
                      "given) and write the last cursor to it after each change");
  changes->add_flag("--follow", changes_args->follow, "keep watching for new changes until interrupted");
  changes->add_option("--limit", changes_args->limit, "stop after this many changes")
      ->check(CLI::PositiveNumber);
  changes->footer(
      "With --output json, one change per line (JSON Lines). A change is printed before the cursor\n"
      "file moves past it: a job that stops and resumes sees each change at least once.");
  changes->callback([&context, changes_args] {
    context.action = [&context, changes_args] { return Changes(context, *changes_args); };
  });
}

}  // namespace cadastre::cli
