// cadastre show dataset|column|term
#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cadastre/client.h"
#include "commands.h"

namespace cadastre::cli {
namespace {

namespace v1 = cadastre::v1;

std::string OwnersText(const google::protobuf::RepeatedPtrField<v1::Owner>& owners) {
  std::vector<std::string> parts;
  for (const v1::Owner& owner : owners) {
    const v1::OwnershipRole role =
        owner.role() == v1::OWNERSHIP_ROLE_UNSPECIFIED ? v1::OWNER : owner.role();
    parts.push_back(absl::StrCat(owner.name(), " (", owner.type() == v1::TEAM ? "team" : "user",
                                 ", ", v1::OwnershipRole_Name(role), ")"));
  }
  return Join(parts);
}

std::string InheritedText(const v1::Field& field) {
  std::vector<std::string> parts;
  for (const v1::InheritedTag& tag : field.inherited_tags()) parts.push_back(tag.tag());
  std::sort(parts.begin(), parts.end());
  parts.erase(std::unique(parts.begin(), parts.end()), parts.end());
  return Join(parts);
}

std::string TransformationText(const v1::TransformationInfo& t) {
  std::string text = t.type();
  if (!t.subtype().empty()) text += "/" + t.subtype();
  if (t.masking()) text += ", masking";
  return text;
}

absl::StatusOr<v1::Dataset> GetDataset(Context& context, const std::string& ns,
                                       const std::string& name) {
  v1::GetDatasetRequest request;
  request.set_namespace_(ns);
  request.set_name(name);
  request.set_view(v1::GetDatasetRequest::FULL);  // a person reads where classifications come from
  return Call(context, &v1::CatalogService::Stub::GetDataset, request);
}

absl::Status ShowDataset(Context& context, const std::string& ns, const std::string& name) {
  absl::StatusOr<v1::Dataset> dataset = GetDataset(context, ns, name);
  if (!dataset.ok()) return dataset.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *dataset);
    return absl::OkStatus();
  }
  KeyValues head;
  head.Add("Dataset", dataset->name());
  head.Add("Namespace", dataset->namespace_());
  head.Add("Type", v1::DatasetType_Name(dataset->type()));
  head.Add("Description", dataset->description());
  head.Add("Domain", dataset->domain());
  head.Add("Owners", OwnersText(dataset->owners()));
  head.Add("Tags", JoinAll(dataset->tags()));
  std::vector<std::string> properties;
  for (const auto& [key, value] : dataset->custom_properties())
    properties.push_back(key + "=" + value);
  std::sort(properties.begin(), properties.end());
  head.Add("Properties", Join(properties));
  head.Add("Source", dataset->source_name());
  head.Add("Updated", FormatTime(dataset->updated_at()));
  head.Add("Version", dataset->current_version());
  head.Print(out, context.out_style);
  out << "\n";
  Table columns({"COLUMN", "TYPE", "NULLABLE", "TAGS", "INHERITED", "TERMS", "DESCRIPTION"});
  for (const v1::Field& field : dataset->fields()) {
    columns.Add({field.name(), field.type(),
                 field.has_nullable() ? (field.nullable() ? "yes" : "no") : "",
                 JoinAll(field.tags()), InheritedText(field), JoinAll(field.glossary_terms()),
                 Shorten(field.description(), 50)});
  }
  columns.Print(out, context.out_style);
  return absl::OkStatus();
}

absl::Status ShowColumn(Context& context, const std::string& ns, const std::string& name,
                        const std::string& column) {
  absl::StatusOr<v1::Dataset> dataset = GetDataset(context, ns, name);
  if (!dataset.ok()) return dataset.status();
  const v1::Field* field = nullptr;
  for (const v1::Field& candidate : dataset->fields()) {
    if (candidate.name() == column) field = &candidate;
  }
  if (field == nullptr) {
    return absl::NotFoundError(absl::StrCat("dataset ", ns, " ", name, " has no column ", column));
  }
  const v1::ColumnLineageEntry* lineage = nullptr;
  for (const v1::ColumnLineageEntry& entry : dataset->column_lineage()) {
    if (entry.name() == column) lineage = &entry;
  }
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    v1::Field copy = *field;
    PrintJson(out, copy);
    return absl::OkStatus();
  }
  KeyValues head;
  head.Add("Column", field->name());
  head.Add("Dataset", dataset->name());
  head.Add("Namespace", dataset->namespace_());
  head.Add("Type", field->type());
  head.Add("Nullable", field->has_nullable() ? (field->nullable() ? "yes" : "no") : "");
  head.Add("Position",
           field->ordinal_position() > 0 ? std::to_string(field->ordinal_position()) : "");
  head.Add("Description", field->description());
  head.Add("Tags", JoinAll(field->tags()));
  head.Add("Terms", JoinAll(field->glossary_terms()));
  head.Add("Blocked tags", JoinAll(field->blocked_tags()));
  head.Print(out, context.out_style);
  if (field->inherited_tags_size() > 0) {
    out << "\n";
    Table inherited({"INHERITED", "FROM", "PATH"});
    for (const v1::InheritedTag& tag : field->inherited_tags()) {
      inherited.Add({tag.tag(), tag.from(),
                     Join(std::vector<std::string>(tag.path().begin(), tag.path().end()), " -> ")});
    }
    inherited.Print(out, context.out_style);
  }
  if (lineage != nullptr && lineage->input_fields_size() > 0) {
    out << "\n";
    Table inputs({"INPUT NAMESPACE", "INPUT DATASET", "INPUT COLUMN", "TRANSFORMATION", "JOB"});
    for (const v1::ColumnLineageInput& input : lineage->input_fields()) {
      if (input.transformations_size() == 0) {
        inputs.Add(
            {input.namespace_(), input.dataset(), input.field(), input.transformation_type(), ""});
      }
      for (const v1::TransformationInfo& t : input.transformations()) {
        inputs.Add(
            {input.namespace_(), input.dataset(), input.field(), TransformationText(t), t.job()});
      }
    }
    inputs.Print(out, context.out_style);
  }
  return absl::OkStatus();
}

absl::Status ShowTerm(Context& context, const std::string& name) {
  v1::GetTermRequest request;
  request.set_name(name);
  absl::StatusOr<v1::GlossaryTerm> term =
      Call(context, &v1::GlossaryService::Stub::GetTerm, request);
  if (!term.ok()) return term.status();
  std::ostream& out = *context.out;
  if (context.format() == Format::kJson) {
    PrintJson(out, *term);
    return absl::OkStatus();
  }
  KeyValues head;
  head.Add("Term", term->name());
  head.Add("Status", v1::TermStatus_Name(term->status()));
  head.Add("Definition", term->definition());
  head.Add("Unit", term->unit());
  head.Add("Formula", term->formula());
  head.Add("Synonyms", JoinAll(term->synonyms()));
  head.Add("Related", JoinAll(term->related_terms()));
  head.Add("Parent", term->parent());
  head.Add("Reviewers", JoinAll(term->reviewers()));
  head.Add("Updated", FormatTime(term->updated_at()));
  head.Print(out, context.out_style);
  out << "\n";
  Table columns({"NAMESPACE", "DATASET", "COLUMN"});
  for (const v1::ColumnRef& column : term->columns()) {
    columns.Add({column.namespace_(), column.dataset(), column.field()});
  }
  if (columns.empty()) {
    out << "No linked columns.\n";
  } else {
    columns.Print(out, context.out_style);
  }
  return absl::OkStatus();
}

}  // namespace

void AddShowCommands(CLI::App& app, Context& context) {
  CLI::App* show = app.add_subcommand("show", "Show a dataset, a column or a glossary term");
  show->require_subcommand(1);

  struct Args {
    std::string ns, dataset, column, term;
  };
  auto args = std::make_shared<Args>();
  CLI::App* dataset = show->add_subcommand("dataset", "A dataset: attributes and columns");
  dataset->add_option("namespace", args->ns, "e.g. postgres://crm:5432")->required();
  dataset->add_option("name", args->dataset, "e.g. public.customers")->required();
  dataset->callback([&context, args] {
    context.action = [&context, args] { return ShowDataset(context, args->ns, args->dataset); };
  });

  CLI::App* column =
      show->add_subcommand("column", "A column: type, tags (own and inherited), terms, inputs");
  column->add_option("namespace", args->ns)->required();
  column->add_option("dataset", args->dataset)->required();
  column->add_option("column", args->column, "nested columns with dots: address.city")->required();
  column->callback([&context, args] {
    context.action = [&context, args] {
      return ShowColumn(context, args->ns, args->dataset, args->column);
    };
  });

  CLI::App* term = show->add_subcommand("term", "A glossary term and the columns linked to it");
  term->add_option("name", args->term)->required();
  term->callback([&context, args] {
    context.action = [&context, args] { return ShowTerm(context, args->term); };
  });
}

}  // namespace cadastre::cli
