// cadastre emit: sends OpenLineage event files through the SDK's emitter.
#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cadastre/emitter.h"
#include "commands.h"
#include "nlohmann/json.hpp"

namespace cadastre::cli {
namespace {

struct EmitArgs {
  std::vector<std::string> files;
  std::string http_url;
  std::string spool_dir;
  double wait_seconds = 30;
};

// The events of one file: an event, or an array of events.
absl::Status ReadEvents(const std::string& file, std::vector<std::string>* events) {
  std::string text;
  if (file == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    text = in.str();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return absl::InvalidArgumentError(absl::StrCat(file, ": cannot read the file"));
    std::ostringstream content;
    content << in.rdbuf();
    text = content.str();
  }
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": not JSON (byte ", error.byte, ")"));
  }
  if (parsed.is_object()) {
    events->push_back(parsed.dump());
    return absl::OkStatus();
  }
  if (!parsed.is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": expected an OpenLineage event (an object) or an array of events"));
  }
  for (size_t i = 0; i < parsed.size(); i++) {
    if (!parsed[i].is_object()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": [", i, "] is not an event (an object)"));
    }
    events->push_back(parsed[i].dump());
  }
  return absl::OkStatus();
}

absl::Status Emit(Context& context, const EmitArgs& args) {
  std::vector<std::string> events;
  for (const std::string& file : args.files) {
    if (absl::Status status = ReadEvents(file, &events); !status.ok()) return status;
  }

  absl::StatusOr<std::unique_ptr<sdk::LineageTransport>> transport;
  if (!args.http_url.empty()) {
    sdk::HttpTransportOptions http;
    http.url = args.http_url;
    http.token = context.settings.token;
    http.tls_ca_file = context.settings.tls_ca;
    http.timeout = std::chrono::milliseconds(static_cast<int64_t>(context.timeout_seconds * 1000));
    transport = sdk::MakeHttpTransport(http);
  } else {
    transport = sdk::MakeGrpcTransport(context.ClientOptions());
  }
  if (!transport.ok()) return transport.status();
  const std::string destination = (*transport)->Describe();

  std::vector<std::string> refusals;
  absl::StatusCode refusal_code = absl::StatusCode::kOk;
  sdk::EmitterOptions options;
  options.spool_dir = args.spool_dir;
  options.max_queued_events = std::max<size_t>(events.size(), 1);
  options.max_backoff = std::chrono::milliseconds(2000);
  options.close_timeout = std::chrono::milliseconds(0);
  options.on_rejected = [&](const std::string& json, const absl::Status& why) {
    const nlohmann::json event = nlohmann::json::parse(json, nullptr, false);
    std::string which = "an event";
    if (event.is_object() && event.contains("job") && event["job"].is_object()) {
      which = absl::StrCat("the event of job ", event["job"].value("namespace", ""), ".",
                           event["job"].value("name", ""));
    }
    refusals.push_back(absl::StrCat(which, ": ", why.message()));
    refusal_code = why.code();
  };
  absl::StatusOr<std::unique_ptr<sdk::Emitter>> emitter =
      sdk::Emitter::Create(*std::move(transport), options);
  if (!emitter.ok()) return emitter.status();
  const uint64_t replayed = (*emitter)->stats().replayed;
  for (const std::string& event : events) {
    if (absl::Status status = (*emitter)->EmitJson(event); !status.ok()) return status;
  }

  // Wait for the server, with progress on a terminal.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(args.wait_seconds * 1000));
  const bool progress = context.stderr_is_tty && events.size() + replayed >= 20;
  absl::Status flushed;
  do {
    flushed = (*emitter)->Flush(std::chrono::milliseconds(100));
    if (progress) {
      const sdk::EmitterStats stats = (*emitter)->stats();
      const uint64_t total = events.size() + replayed;
      const uint64_t done = stats.delivered + stats.rejected;
      const int width = 30;
      const int filled = total == 0 ? width : static_cast<int>(width * done / total);
      *context.err << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
                   << done << "/" << total << " events" << std::flush;
    }
  } while (!flushed.ok() && std::chrono::steady_clock::now() < deadline);
  if (progress) *context.err << "\n";
  const sdk::EmitterStats stats = (*emitter)->stats();
  (void)(*emitter)->Close();

  if (context.format() == Format::kJson) {
    nlohmann::json summary = {{"destination", destination},
                              {"events", events.size()},
                              {"replayed", stats.replayed},
                              {"delivered", stats.delivered},
                              {"duplicates", stats.duplicates},
                              {"rejected", stats.rejected},
                              {"pending", stats.pending}};
    *context.out << summary.dump(2) << "\n";
  } else {
    *context.out << "Sent " << stats.delivered << " of " << events.size() + stats.replayed
                 << " events to " << destination;
    if (stats.duplicates > 0) *context.out << " (" << stats.duplicates << " already stored)";
    *context.out << ".\n";
  }
  for (const std::string& refusal : refusals) *context.err << "refused: " << refusal << "\n";
  if (stats.pending > 0) {
    const std::string where = args.spool_dir.empty()
                                  ? std::string("they are not kept (use --spool DIR to keep them)")
                                  : "they stay in " + args.spool_dir + " for the next `cadastre emit --spool`";
    return absl::UnavailableError(absl::StrCat(stats.pending, " events not delivered: ",
                                               stats.last_error, "; ", where));
  }
  if (!refusals.empty()) {
    return absl::Status(refusal_code, absl::StrCat(refusals.size(), " events refused by the server"));
  }
  return absl::OkStatus();
}

}  // namespace

void AddEmitCommand(CLI::App& app, Context& context) {
  auto args = std::make_shared<EmitArgs>();
  CLI::App* emit = app.add_subcommand(
      "emit", "Send OpenLineage events from files (an event or an array of events per file; - is stdin)");
  emit->add_option("files", args->files, "event files")->required();
  emit->add_option("--http", args->http_url,
                   "send over HTTP to this OpenLineage endpoint, one event per request "
                   "(e.g. http://127.0.0.1:8080/api/v1/lineage) instead of gRPC");
  emit->add_option("--spool", args->spool_dir,
                   "keep undelivered events in this directory; the next emit with it sends them first");
  emit->add_option("--wait", args->wait_seconds, "seconds to wait for the server to acknowledge")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  emit->callback([&context, args] { context.action = [&context, args] { return Emit(context, *args); }; });
}

}  // namespace cadastre::cli
