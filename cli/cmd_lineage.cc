// cadastre lineage (a tree, up or down) and cadastre impact
#include <map>
#include <set>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cadastre/client.h"
#include "commands.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;

struct LineageArgs {
  std::string ns, dataset, field;
  std::string direction = "up";
  int depth = -1;
  std::string granularity;
  std::string as_of;
  int max_nodes = -1;
};

absl::Status ParseTime(const std::string& text, google::protobuf::Timestamp* out) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--as-of: not an RFC 3339 time (2026-01-31T00:00:00Z): ", text));
  }
  out->set_seconds(absl::ToUnixSeconds(time));
  return absl::OkStatus();
}

std::string Label(const v1::LineageNode& node) {
  if (node.redacted()) return "(hidden: you may not see this node)";
  const v1::FieldRef& ref = node.ref();
  return ref.field().empty() ? absl::StrCat(ref.dataset(), "  (", ref.namespace_(), ")")
                             : absl::StrCat(ref.dataset(), ".", ref.field(), "  (", ref.namespace_(), ")");
}

std::string EdgeText(const v1::LineageEdge& edge, const Style& style) {
  std::vector<std::string> parts;
  std::string type = edge.transformation().type();
  if (!edge.transformation().subtype().empty()) type += "/" + edge.transformation().subtype();
  if (!type.empty()) parts.push_back(type);
  if (edge.transformation().masking()) parts.push_back("masking");
  if (!edge.job().name().empty()) parts.push_back("job " + edge.job().namespace_() + "." + edge.job().name());
  if (edge.has_valid_to()) parts.push_back("until " + FormatTime(edge.valid_to()));
  return parts.empty() ? "" : style.Dim("[" + Join(parts) + "]");
}

class TreePrinter {
 public:
  TreePrinter(const v1::GetLineageResponse& graph, const Style& style, std::ostream& out)
      : style_(style), out_(out) {
    for (const v1::LineageNode& node : graph.nodes()) nodes_[node.id()] = &node;
    for (const v1::LineageEdge& edge : graph.edges()) edges_.push_back(&edge);
  }

  void PrintRoot(const std::string& id) {
    out_ << style_.Bold(LabelOf(id)) << "\n";
  }

  // The nodes one hop from `id` in `direction`, printed below it.
  void PrintChildren(const std::string& id, bool upstream, const std::string& prefix,
                     std::set<std::string>& path) {
    std::vector<std::pair<std::string, const v1::LineageEdge*>> children;
    for (const v1::LineageEdge* edge : edges_) {
      if (upstream && edge->target() == id) children.emplace_back(edge->source(), edge);
      if (!upstream && edge->source() == id) children.emplace_back(edge->target(), edge);
    }
    std::sort(children.begin(), children.end(), [&](const auto& a, const auto& b) {
      return std::make_pair(LabelOf(a.first), a.second->job().name()) <
             std::make_pair(LabelOf(b.first), b.second->job().name());
    });
    for (size_t i = 0; i < children.size(); i++) {
      const auto& [child, edge] = children[i];
      const bool last = i + 1 == children.size();
      std::string line = prefix + (last ? "└── " : "├── ") + LabelOf(child);
      const std::string annotation = EdgeText(*edge, style_);
      if (!annotation.empty()) line += "  " + annotation;
      const bool cycle = path.count(child) > 0;
      const bool seen = !cycle && expanded_.count(child) > 0;
      if (cycle) line += "  " + style_.Yellow("(cycle)");
      if (seen && HasChildren(child, upstream)) line += "  " + style_.Dim("(see above)");
      out_ << line << "\n";
      if (cycle || seen) continue;
      expanded_.insert(child);
      path.insert(child);
      PrintChildren(child, upstream, prefix + (last ? "    " : "│   "), path);
      path.erase(child);
    }
  }

 private:
  bool HasChildren(const std::string& id, bool upstream) const {
    for (const v1::LineageEdge* edge : edges_) {
      if ((upstream ? edge->target() : edge->source()) == id) return true;
    }
    return false;
  }
  std::string LabelOf(const std::string& id) const {
    auto it = nodes_.find(id);
    return it == nodes_.end() ? id : Label(*it->second);
  }

  const Style& style_;
  std::ostream& out_;
  std::map<std::string, const v1::LineageNode*> nodes_;
  std::vector<const v1::LineageEdge*> edges_;
  std::set<std::string> expanded_;
};

absl::Status Lineage(Context& context, const LineageArgs& args) {
  v1::GetLineageRequest request;
  request.set_namespace_(args.ns);
  request.set_dataset(args.dataset);
  request.set_field(args.field);
  request.set_direction(args.direction == "up"     ? v1::UPSTREAM
                        : args.direction == "down" ? v1::DOWNSTREAM
                                                   : v1::BOTH);
  if (args.depth >= 0) request.set_depth(args.depth);
  if (args.max_nodes > 0) request.set_max_nodes(args.max_nodes);
  if (args.granularity == "column") request.set_granularity(v1::COLUMN);
  if (args.granularity == "dataset") request.set_granularity(v1::DATASET);
  if (!args.as_of.empty()) {
    if (absl::Status status = ParseTime(args.as_of, request.mutable_as_of()); !status.ok()) return status;
  }
  absl::StatusOr<v1::GetLineageResponse> graph =
      Call(context, &v1::LineageService::Stub::GetLineage, request);
  if (!graph.ok()) return graph.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *graph);
    return absl::OkStatus();
  }
  std::vector<std::string> roots;
  for (const v1::LineageNode& node : graph->nodes()) {
    if (node.depth() == 0) roots.push_back(node.id());
  }
  std::sort(roots.begin(), roots.end());
  TreePrinter tree(*graph, context.out_style, out);
  for (const std::string& root : roots) {
    tree.PrintRoot(root);
    std::set<std::string> path = {root};
    if (args.direction == "both") {
      out << "├── " << context.out_style.Cyan("upstream") << "\n";
      tree.PrintChildren(root, /*upstream=*/true, "│   ", path);
      out << "└── " << context.out_style.Cyan("downstream") << "\n";
      tree.PrintChildren(root, /*upstream=*/false, "    ", path);
    } else {
      tree.PrintChildren(root, args.direction == "up", "", path);
    }
  }
  out << "\n" << graph->nodes_size() << " nodes, " << graph->edges_size() << " edges";
  if (graph->depth_limited()) out << "; more hops exist beyond --depth";
  if (graph->truncated()) out << "; stopped at --max-nodes, more nodes exist";
  out << "\n";
  return absl::OkStatus();
}

absl::Status Impact(Context& context, const LineageArgs& args) {
  v1::GetImpactRequest request;
  request.set_namespace_(args.ns);
  request.set_dataset(args.dataset);
  request.set_field(args.field);
  if (args.depth >= 0) request.set_depth(args.depth);
  if (args.max_nodes > 0) request.set_max_nodes(args.max_nodes);
  if (!args.as_of.empty()) {
    if (absl::Status status = ParseTime(args.as_of, request.mutable_as_of()); !status.ok()) return status;
  }
  absl::StatusOr<v1::GetImpactResponse> impact =
      Call(context, &v1::LineageService::Stub::GetImpact, request);
  if (!impact.ok()) return impact.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *impact);
    return absl::OkStatus();
  }
  const std::string subject = args.field.empty() ? args.dataset : args.dataset + "." + args.field;
  out << context.out_style.Bold("Downstream of " + subject + " (" + args.ns + ")") << ": "
      << impact->column_count() << " columns, " << impact->dataset_count() << " datasets, "
      << impact->job_count() << " jobs, " << impact->owner_count() << " owners, "
      << impact->domain_count() << " domains" << (impact->truncated() ? " (truncated)" : "")
      << "\n\n";
  Table table({"KIND", "NAMESPACE", "NAME"});
  for (const v1::DatasetId& dataset : impact->datasets()) {
    table.Add({"dataset", dataset.namespace_(), dataset.name()});
  }
  for (const v1::FieldRef& column : impact->columns()) {
    table.Add({"column", column.namespace_(), column.dataset() + "." + column.field()});
  }
  for (const v1::JobId& job : impact->jobs()) table.Add({"job", job.namespace_(), job.name()});
  for (const v1::Owner& owner : impact->owners()) {
    table.Add({"owner", "", owner.name() + (owner.type() == v1::TEAM ? " (team)" : "")});
  }
  for (const std::string& domain : impact->domains()) table.Add({"domain", "", domain});
  if (table.empty()) {
    out << "Nothing downstream.\n";
  } else {
    table.Print(out, context.out_style);
  }
  return absl::OkStatus();
}

void AddSubject(CLI::App* command, LineageArgs& args) {
  command->add_option("namespace", args.ns, "the dataset's namespace")->required();
  command->add_option("dataset", args.dataset)->required();
  command->add_option("column", args.field, "a column; without it, every column of the dataset");
  command->add_option("--as-of", args.as_of, "lineage as it was then (RFC 3339)");
  command->add_option("--max-nodes", args.max_nodes, "stop after this many nodes")
      ->check(CLI::PositiveNumber);
}

}  // namespace

void AddLineageCommands(CLI::App& app, Context& context) {
  auto args = std::make_shared<LineageArgs>();
  CLI::App* lineage = app.add_subcommand("lineage", "Where a column or dataset comes from, or goes to, as a tree");
  AddSubject(lineage, *args);
  lineage->add_option("--direction", args->direction, "up (sources), down (consumers) or both")
      ->check(CLI::IsMember({"up", "down", "both"}))
      ->capture_default_str();
  lineage->add_option("--depth", args->depth, "hops to follow (server default 10, at most 100)")
      ->check(CLI::Range(0, 100));
  lineage->add_option("--granularity", args->granularity,
                      "column or dataset (default: column when a column is given)")
      ->check(CLI::IsMember({"column", "dataset"}));
  lineage->callback([&context, args] { context.action = [&context, args] { return Lineage(context, *args); }; });

  CLI::App* impact = app.add_subcommand(
      "impact", "What a change would touch downstream: columns, datasets, jobs, owners, domains");
  AddSubject(impact, *args);
  impact->add_option("--depth", args->depth, "hops to follow (default: all)")->check(CLI::Range(0, 100));
  impact->callback([&context, args] { context.action = [&context, args] { return Impact(context, *args); }; });
}

}  // namespace cadastre::cli
