// cadastre principal list|show|create|delete and cadastre token create|list|revoke
#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cadastre/client.h"
#include "commands.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;

struct PrincipalArgs {
  std::string name;
  std::string kind = "user";
  std::vector<std::string> roles, domains, teams;
  bool replace = false;
  int limit = 0;
  int offset = 0;
  std::string ttl;  // token create
  std::string id;   // token revoke
};

std::string TokenState(const v1::TokenInfo& token) {
  if (token.has_revoked_at()) return "revoked";
  if (token.has_expires_at() &&
      absl::FromUnixSeconds(token.expires_at().seconds()) <= absl::Now()) {
    return "expired";
  }
  return "active";
}

void PrintPrincipal(Context& context, const v1::Principal& principal) {
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, principal);
    return;
  }
  KeyValues kv;
  kv.Add("Principal", principal.name());
  kv.Add("Kind", principal.kind());
  kv.Add("Roles", JoinAll(principal.roles()));
  kv.Add("Domains", JoinAll(principal.domains()));
  kv.Add("Teams", JoinAll(principal.teams()));
  kv.Add("Created", FormatTime(principal.created_at()));
  kv.Print(*context.out, context.out_style);
}

absl::Status List(Context& context, const PrincipalArgs& args) {
  v1::ListPrincipalsRequest request;
  if (args.limit > 0) request.set_limit(args.limit);
  request.set_offset(args.offset);
  auto listed = Call(context, &v1::AccessService::Stub::ListPrincipals, request);
  if (!listed.ok()) return listed.status();
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, *listed);
    return absl::OkStatus();
  }
  Table table({"NAME", "KIND", "ROLES", "DOMAINS", "TEAMS", "CREATED"});
  for (const v1::Principal& p : listed->principals()) {
    table.Add({p.name(), p.kind(), JoinAll(p.roles()), JoinAll(p.domains()), JoinAll(p.teams()),
               FormatTime(p.created_at())});
  }
  table.Print(*context.out, context.out_style);
  if (listed->total_count() > listed->principals_size()) {
    *context.out << "\n" << listed->principals_size() << " of " << listed->total_count()
                 << " principals (--limit, --offset)\n";
  }
  return absl::OkStatus();
}

absl::Status Show(Context& context, const PrincipalArgs& args) {
  v1::GetPrincipalRequest request;
  request.set_name(args.name);
  auto principal = Call(context, &v1::AccessService::Stub::GetPrincipal, request);
  if (!principal.ok()) return principal.status();
  PrintPrincipal(context, *principal);
  return absl::OkStatus();
}

absl::Status Create(Context& context, const PrincipalArgs& args) {
  if (!args.replace) {
    // The API puts (creates or replaces); "create" must not silently replace.
    v1::GetPrincipalRequest get;
    get.set_name(args.name);
    auto existing = Call(context, &v1::AccessService::Stub::GetPrincipal, get);
    if (existing.ok()) {
      return absl::AlreadyExistsError(
          absl::StrCat("principal ", args.name, " exists (--replace to replace its roles, domains, teams)"));
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  }
  v1::PutPrincipalRequest request;
  request.set_name(args.name);
  v1::Principal* principal = request.mutable_principal();
  principal->set_name(args.name);
  principal->set_kind(args.kind);
  for (const std::string& role : args.roles) principal->add_roles(role);
  for (const std::string& domain : args.domains) principal->add_domains(domain);
  for (const std::string& team : args.teams) principal->add_teams(team);
  auto created = Call(context, &v1::AccessService::Stub::PutPrincipal, request);
  if (!created.ok()) return created.status();
  PrintPrincipal(context, *created);
  return absl::OkStatus();
}

absl::Status Delete(Context& context, const PrincipalArgs& args) {
  v1::DeletePrincipalRequest request;
  request.set_name(args.name);
  auto deleted = Call(context, &v1::AccessService::Stub::DeletePrincipal, request);
  if (!deleted.ok()) return deleted.status();
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, *deleted);
  } else {
    *context.out << "Deleted principal " << deleted->name() << ".\n";
  }
  return absl::OkStatus();
}

// "90d", "24h", "30m", "45s" or plain seconds.
absl::StatusOr<int64_t> ParseTtl(const std::string& text) {
  absl::Duration duration;
  if (!text.empty() && text.back() == 'd') {
    int64_t days = 0;
    if (absl::SimpleAtoi(text.substr(0, text.size() - 1), &days) && days > 0) return days * 86400;
  } else if (int64_t seconds = 0; absl::SimpleAtoi(text, &seconds) && seconds > 0) {
    return seconds;
  } else if (absl::ParseDuration(text, &duration) && duration > absl::ZeroDuration()) {
    return absl::ToInt64Seconds(duration);
  }
  return absl::InvalidArgumentError("--ttl: a duration such as 90d, 24h, 30m or 3600: " + text);
}

absl::Status TokenCreate(Context& context, const PrincipalArgs& args) {
  v1::CreateTokenRequest request;
  request.set_principal(args.name);
  if (!args.ttl.empty()) {
    absl::StatusOr<int64_t> ttl = ParseTtl(args.ttl);
    if (!ttl.ok()) return ttl.status();
    request.set_ttl_seconds(*ttl);
  }
  auto token = Call(context, &v1::AccessService::Stub::CreateToken, request);
  if (!token.ok()) return token.status();
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, *token);
  } else {
    KeyValues kv;
    kv.Add("Token", token->token());
    kv.Add("ID", token->id());
    kv.Add("Principal", args.name);
    kv.Add("Expires", token->has_expires_at() ? FormatTime(token->expires_at()) : "never");
    kv.Print(*context.out, context.out_style);
  }
  *context.err << context.err_style.Yellow("The token is shown only now: store it safely.") << "\n";
  return absl::OkStatus();
}

absl::Status TokenList(Context& context, const PrincipalArgs& args) {
  v1::ListTokensRequest request;
  request.set_principal(args.name);
  auto listed = Call(context, &v1::AccessService::Stub::ListTokens, request);
  if (!listed.ok()) return listed.status();
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, *listed);
    return absl::OkStatus();
  }
  Table table({"ID", "STATE", "CREATED", "EXPIRES", "REVOKED"});
  for (const v1::TokenInfo& token : listed->tokens()) {
    table.Add({token.id(), TokenState(token), FormatTime(token.created_at()),
               token.has_expires_at() ? FormatTime(token.expires_at()) : "never",
               FormatTime(token.revoked_at())});
  }
  if (table.empty()) {
    *context.out << "No tokens.\n";
  } else {
    table.Print(*context.out, context.out_style);
  }
  return absl::OkStatus();
}

absl::Status TokenRevoke(Context& context, const PrincipalArgs& args) {
  v1::RevokeTokenRequest request;
  request.set_principal(args.name);
  request.set_id(args.id);
  auto revoked = Call(context, &v1::AccessService::Stub::RevokeToken, request);
  if (!revoked.ok()) return revoked.status();
  if (context.format() == Format::kJson) {
    PrintJson(*context.out, *revoked);
  } else {
    *context.out << "Revoked token " << revoked->id() << " of " << revoked->principal() << ".\n";
  }
  return absl::OkStatus();
}

}  // namespace

void AddPrincipalCommands(CLI::App& app, Context& context) {
  auto args = std::make_shared<PrincipalArgs>();
  auto bind = [&context, args](CLI::App* command, absl::Status (*run)(Context&, const PrincipalArgs&)) {
    command->callback([&context, args, run] {
      context.action = [&context, args, run] { return run(context, *args); };
    });
  };

  CLI::App* principal = app.add_subcommand("principal", "Users, teams and service accounts");
  principal->require_subcommand(1);
  CLI::App* list = principal->add_subcommand("list", "List principals");
  list->add_option("--limit", args->limit, "at most this many (1-1000, default 100)")->check(CLI::Range(1, 1000));
  list->add_option("--offset", args->offset, "skip this many")->check(CLI::NonNegativeNumber);
  bind(list, List);
  CLI::App* show = principal->add_subcommand("show", "Show a principal");
  show->add_option("name", args->name)->required();
  bind(show, Show);
  CLI::App* create = principal->add_subcommand("create", "Create a principal");
  create->add_option("name", args->name)->required();
  create->add_option("--kind", args->kind, "user, team or service")
      ->check(CLI::IsMember({"user", "team", "service"}))
      ->capture_default_str();
  create->add_option("--role", args->roles, "a role (repeat): admin, steward, engineer, analyst, …");
  create->add_option("--domain", args->domains, "a domain it works in (repeat)");
  create->add_option("--team", args->teams, "a team it belongs to (repeat)");
  create->add_flag("--replace", args->replace, "replace an existing principal's roles, domains and teams");
  bind(create, Create);
  CLI::App* remove = principal->add_subcommand("delete", "Delete a principal (its tokens stop working)");
  remove->add_option("name", args->name)->required();
  bind(remove, Delete);

  CLI::App* token = app.add_subcommand("token", "API tokens of principals");
  token->require_subcommand(1);
  CLI::App* token_create = token->add_subcommand("create", "Create a token (shown once)");
  token_create->add_option("principal", args->name)->required();
  token_create->add_option("--ttl", args->ttl, "expires after: 90d, 24h, 30m or seconds (default never)");
  bind(token_create, TokenCreate);
  CLI::App* token_list = token->add_subcommand("list", "List a principal's tokens (never their secrets)");
  token_list->add_option("principal", args->name)->required();
  bind(token_list, TokenList);
  CLI::App* token_revoke = token->add_subcommand("revoke", "Revoke a token");
  token_revoke->add_option("principal", args->name)->required();
  token_revoke->add_option("id", args->id, "the token's id (token list)")->required();
  bind(token_revoke, TokenRevoke);
}

}  // namespace cadastre::cli
