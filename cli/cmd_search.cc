// cadastre search (SearchService.Search, proto/cadastre/v1/search.proto)
#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cadastre/v1/search.grpc.pb.h"
#include "commands.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;

struct SearchArgs {
  std::vector<std::string> words;
  std::string type, ns, domain, tag, owner, term;
  int limit = 0;
  int offset = 0;
};

std::string TypeName(v1::SearchHit::Type type) {
  switch (type) {
    case v1::SearchHit::DATASET: return "dataset";
    case v1::SearchHit::FIELD: return "column";
    case v1::SearchHit::JOB: return "job";
    case v1::SearchHit::GLOSSARY_TERM: return "term";
    default: return "";
  }
}

std::string HitName(const v1::SearchHit& hit) {
  switch (hit.type()) {
    case v1::SearchHit::DATASET: return hit.dataset().empty() ? hit.name() : hit.dataset();
    case v1::SearchHit::FIELD: return hit.dataset() + "." + hit.field();
    default: return hit.name();
  }
}

absl::Status Search(Context& context, const SearchArgs& args) {
  v1::SearchRequest request;
  request.set_q(Join(args.words, " "));
  if (args.type == "dataset") request.set_type(v1::SearchHit::DATASET);
  if (args.type == "column") request.set_type(v1::SearchHit::FIELD);
  if (args.type == "job") request.set_type(v1::SearchHit::JOB);
  if (args.type == "term") request.set_type(v1::SearchHit::GLOSSARY_TERM);
  request.set_namespace_(args.ns);
  request.set_domain(args.domain);
  request.set_tag(args.tag);
  request.set_owner(args.owner);
  request.set_term(args.term);
  if (args.limit > 0) request.set_limit(args.limit);
  request.set_offset(args.offset);
  absl::StatusOr<v1::SearchResponse> found = Call(context, &v1::SearchService::Stub::Search, request);
  if (!found.ok()) return found.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *found);
    return absl::OkStatus();
  }
  for (const std::string& correction : found->corrections()) {
    out << context.out_style.Yellow("corrected: " + correction) << "\n";
  }
  if (found->results_size() == 0) {
    out << "No results.\n";
    return absl::OkStatus();
  }
  Table table({"TYPE", "NAME", "NAMESPACE", "MATCH", "TAGS", "DESCRIPTION"});
  for (const v1::SearchHit& hit : found->results()) {
    table.Add({TypeName(hit.type()), HitName(hit), hit.namespace_(), hit.match(), JoinAll(hit.tags()),
               Shorten(hit.description(), 50)});
  }
  table.Print(out, context.out_style);
  out << "\n"
      << absl::StrCat(args.offset + 1, "-", args.offset + found->results_size(), " of ",
                      found->total_count(), " results")
      << "\n";
  for (const v1::SearchFacet& facet : found->facets()) {
    std::vector<std::string> values;
    for (const v1::SearchFacetValue& value : facet.values()) {
      values.push_back(absl::StrCat(value.value(), " ", value.count()));
    }
    if (!values.empty()) out << context.out_style.Dim(facet.name() + ": " + Join(values)) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void AddSearchCommand(CLI::App& app, Context& context) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* search = app.add_subcommand(
      "search", "Find datasets, columns, jobs and glossary terms (typo-tolerant, with facets)");
  search->add_option("query", args->words, "words; the last one also matches as a prefix")->required();
  search->add_option("--type", args->type, "dataset, column, job or term")
      ->check(CLI::IsMember({"dataset", "column", "job", "term"}));
  search->add_option("--namespace", args->ns, "only this namespace");
  search->add_option("--domain", args->domain, "only this domain");
  search->add_option("--tag", args->tag, "only with this classification (or one below it)");
  search->add_option("--owner", args->owner, "only owned by this principal");
  search->add_option("--term", args->term, "only linked to this glossary term");
  search->add_option("--limit", args->limit, "results per page (1-100, default 20)")->check(CLI::Range(1, 100));
  search->add_option("--offset", args->offset, "skip this many results")->check(CLI::NonNegativeNumber);
  search->callback([&context, args] { context.action = [&context, args] { return Search(context, *args); }; });
}

}  // namespace cadastre::cli
