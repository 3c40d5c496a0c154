// The CLI's commands, one file per group. Each adds its subcommands to the
// app; a subcommand's callback sets Context::action, which main() runs.
#pragma once

#include "context.h"

namespace CLI {
class App;
}

namespace cadastre::cli {

void AddLoginCommand(CLI::App& app, Context& context);
void AddSearchCommand(CLI::App& app, Context& context);
void AddShowCommands(CLI::App& app, Context& context);
void AddLineageCommands(CLI::App& app, Context& context);  // lineage, impact
void AddEmitCommand(CLI::App& app, Context& context);
void AddAuditCommands(CLI::App& app, Context& context);
void AddPrincipalCommands(CLI::App& app, Context& context);  // principal, token
void AddSyncCommands(CLI::App& app, Context& context);       // import, export, sync changes

// Shorthands for the commands.
template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(Context& context,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                              const Request& request) {
  absl::StatusOr<sdk::Client*> client = context.Client();
  if (!client.ok()) return client.status();
  return (*client)->Call(method, request);
}

}  // namespace cadastre::cli
