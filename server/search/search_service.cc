#include "server/search/search_service.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "server/common/log.h"
#include "server/common/status.h"
#include "server/common/words.h"
#include "server/lineage/node_id.h"
#include "server/policy/access.h"

namespace cadastre::search {
namespace {

using store::SearchDocRow;
using Type = v1::SearchHit::Type;

constexpr int kDefaultLimit = 20;
constexpr int kMaxLimit = 100;
constexpr int kMarquezDefaultLimit = 10;
constexpr size_t kMaxQueryBytes = 500;
constexpr size_t kFacetValues = 20;
constexpr size_t kCorrectionsPerWord = 5;
constexpr size_t kSnippetBytes = 200;
// An exact name match outranks any text match; a full name or qualified
// name outranks a last segment ("customers" of "public.customers").
constexpr double kExactBoost[] = {0, 1000, 2000};
constexpr absl::Duration kCountsRefresh = absl::Minutes(1);
constexpr absl::Duration kCountsWindow = absl::Hours(24 * 30);

const char* const kFacetNames[] = {"type", "namespace", "domain", "tag", "owner", "term"};
enum Facet { kTypeFacet, kNamespaceFacet, kDomainFacet, kTagFacet, kOwnerFacet, kTermFacet, kFacets };

std::vector<absl::string_view> Items(const std::string& items) {
  return absl::StrSplit(items, '\n', absl::SkipEmpty());
}

bool HasItem(const std::string& items, const std::string& value) {
  for (absl::string_view item : Items(items)) {
    if (item == value) return true;
  }
  return false;
}

bool HasTagWithin(const std::string& items, const std::string& scope) {
  for (absl::string_view item : Items(items)) {
    if (policy::TagWithin(std::string_view(item.data(), item.size()), scope)) return true;
  }
  return false;
}

bool IsAscii(std::string_view word) {
  return std::all_of(word.begin(), word.end(), [](char c) { return (c & 0x80) == 0; });
}

// How many edits a word of this length may be away from what it meant.
int AllowedEdits(size_t length) { return length >= 7 ? 2 : length >= 4 ? 1 : 0; }

// The FTS5 query for the user's words: each word (the last also as a
// prefix while it is being typed) or its corrections; words ANDed, and
// ORed as the fallback when all of them together find nothing.
struct Expression {
  std::vector<std::string> words;
  bool last_is_prefix = false;
  std::string all;  // every word must match
  std::string any;  // at least one
  // The words the index does not know, each with its nearest known words.
  std::vector<std::pair<std::string, std::vector<std::string>>> corrected;
};

Expression BuildExpression(const std::string& q, const Words& vocabulary) {
  Expression e;
  e.words = cadastre::Words(q);
  e.last_is_prefix = !q.empty() && (absl::ascii_isalnum(q.back()) || (q.back() & 0x80) != 0);
  std::vector<std::string> groups;
  for (size_t i = 0; i < e.words.size(); ++i) {
    const std::string& word = e.words[i];
    const bool prefix = e.last_is_prefix && i + 1 == e.words.size();
    // Words hold letters and digits only, so quoting needs no escaping.
    std::vector<std::string> alternatives = {absl::StrCat("\"", word, "\"", prefix ? "*" : "")};
    const bool known = vocabulary.Contains(word) || (prefix && vocabulary.HasPrefix(word));
    if (!known && IsAscii(word)) {
      std::vector<std::string> nearest =
          vocabulary.Nearest(word, AllowedEdits(word.size()), kCorrectionsPerWord);
      for (const std::string& other : nearest) alternatives.push_back(absl::StrCat("\"", other, "\""));
      if (!nearest.empty()) e.corrected.emplace_back(word, std::move(nearest));
    }
    groups.push_back(alternatives.size() == 1
                         ? alternatives.front()
                         : absl::StrCat("(", absl::StrJoin(alternatives, " OR "), ")"));
  }
  e.all = absl::StrJoin(groups, " AND ");
  e.any = absl::StrJoin(groups, " OR ");
  return e;
}

std::string TypeName(int kind) { return v1::SearchHit::Type_Name(static_cast<Type>(kind)); }

// HTML-escaped `text` with the store's highlight bytes (0x01 … 0x02) turned
// into <mark>…</mark>, cut to a window around the first match.
std::string Snippet(const std::string& text) {
  size_t start = 0;
  size_t end = text.size();
  if (text.size() > kSnippetBytes) {
    size_t first = text.find('\x01');
    if (first != std::string::npos && first > 60) {
      start = text.find_first_of(" \n", first - 60);
      start = start == std::string::npos || start > first ? first : start + 1;
    }
    end = std::min(text.size(), start + kSnippetBytes);
    // Never stop inside a marked word.
    size_t open = text.rfind('\x01', end - 1);
    if (open != std::string::npos && open >= start) {
      size_t close = text.find('\x02', open);
      if (close != std::string::npos && close >= end) end = close + 1;
    }
    // Nor inside a UTF-8 character.
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  }
  std::string out = start > 0 ? "… " : "";
  for (size_t i = start; i < end; ++i) {
    switch (text[i]) {
      case '\x01': out += "<mark>"; break;
      case '\x02': out += "</mark>"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': out += " · "; break;
      default: out += text[i];
    }
  }
  if (end < text.size()) out += " …";
  return out;
}

// The words a document's highlights mark.
std::set<std::string> MarkedWords(const std::vector<store::SearchHighlightRow>& highlights) {
  std::set<std::string> marked;
  for (const auto& highlight : highlights) {
    size_t at = 0;
    while ((at = highlight.text.find('\x01', at)) != std::string::npos) {
      size_t close = highlight.text.find('\x02', at);
      if (close == std::string::npos) break;
      for (std::string& word : cadastre::Words(highlight.text.substr(at + 1, close - at - 1))) {
        marked.insert(std::move(word));
      }
      at = close;
    }
  }
  return marked;
}

// Whether a document matched through one of the user's own words (or its
// prefix), rather than only through a correction.
bool MatchedOwnWord(const std::set<std::string>& marked, const Expression& e) {
  for (const std::string& word : marked) {
    for (size_t i = 0; i < e.words.size(); ++i) {
      const bool prefix = e.last_is_prefix && i + 1 == e.words.size();
      if (word == e.words[i] || (prefix && word.rfind(e.words[i], 0) == 0)) return true;
    }
  }
  return false;
}

std::string NodeId(const SearchDocRow& row, const std::string& field) {
  switch (row.kind) {
    case v1::SearchHit::DATASET: return lineage::DatasetNodeId(row.ns, row.dataset);
    case v1::SearchHit::FIELD: return lineage::FieldNodeId(row.ns, row.dataset, field);
    case v1::SearchHit::JOB: return lineage::JobNodeId(row.ns, row.title);
    default: return absl::StrCat("term:", row.title);
  }
}

std::string QualifiedName(const SearchDocRow& row, const std::string& field) {
  switch (row.kind) {
    case v1::SearchHit::DATASET: return absl::StrCat(row.ns, ".", row.dataset);
    case v1::SearchHit::FIELD: return absl::StrCat(row.ns, ".", row.dataset, ".", field);
    case v1::SearchHit::JOB: return absl::StrCat(row.ns, ".", row.title);
    default: return row.title;
  }
}

absl::Status CheckLimit(const std::optional<int>& limit) {
  if (limit.has_value() && (*limit < 1 || *limit > kMaxLimit)) {
    return InvalidField("limit", absl::StrCat("must be between 1 and ", kMaxLimit));
  }
  return absl::OkStatus();
}

absl::Status CheckQuery(const std::string& q) {
  if (q.size() > kMaxQueryBytes) {
    return InvalidField("q", absl::StrCat("must be at most ", kMaxQueryBytes, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

struct SearchService::Query {
  std::string q;
  std::vector<int> kinds;  // the kinds asked for at all (empty: every kind)
  int type = 0;
  std::string ns, domain, tag, owner, term;
};

struct SearchService::Ranked {
  SearchDocRow row;
  double score = 0;
  int64_t access_count = 0;
};

struct SearchService::Matches {
  std::vector<Ranked> ranked;  // best first
  std::map<std::string, int> facets[kFacets];
  Expression expression;
  std::string used;  // the FTS5 query that found them ("" when browsing)
};

SearchService::SearchService(store::Store* store, const policy::Authorizer* authorizer,
                             const Clock* clock)
    : store_(store), authorizer_(authorizer), clock_(clock), vocabulary_(store, clock) {}

SearchService::~SearchService() = default;

absl::StatusOr<SearchService::Matches> SearchService::Match(const Caller& caller,
                                                            const Query& query) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Words> vocabulary, vocabulary_.Get());
  Matches out;
  out.expression = BuildExpression(query.q, *vocabulary);
  const Expression& e = out.expression;
  const std::string key = absl::AsciiStrToLower(absl::StripAsciiWhitespace(query.q));

  std::vector<SearchDocRow> rows;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    auto collect = [&](SearchDocRow&& row) { rows.push_back(std::move(row)); };
    if (e.words.empty()) {
      // Browsing: every document, narrowed in SQL by what can be.
      return txn.ScanSearchDocs({"", query.type, query.ns, query.domain}, collect);
    }
    out.used = e.all;
    RETURN_IF_ERROR(txn.ScanSearchDocs({e.all, 0, "", ""}, collect));
    if (rows.empty() && e.words.size() > 1) {
      out.used = e.any;
      RETURN_IF_ERROR(txn.ScanSearchDocs({e.any, 0, "", ""}, collect));
    }
    ASSIGN_OR_RETURN(std::vector<SearchDocRow> exact, txn.SearchDocsByKey(key));
    rows.insert(rows.end(), exact.begin(), exact.end());
    return absl::OkStatus();
  }));

  // The same document may come from the text match and the exact one.
  std::unordered_map<int64_t, size_t> position;
  std::vector<SearchDocRow> unique;
  for (SearchDocRow& row : rows) {
    auto [it, inserted] = position.emplace(row.id, unique.size());
    if (inserted) {
      unique.push_back(std::move(row));
    } else {
      unique[it->second].exact = std::max(unique[it->second].exact, row.exact);
    }
  }

  std::unordered_map<int64_t, bool> visible;  // by dataset id
  const std::shared_ptr<const audit::AuditLog::DatasetCounts> counts = AccessCounts();
  for (SearchDocRow& row : unique) {
    if (!query.kinds.empty() &&
        std::find(query.kinds.begin(), query.kinds.end(), row.kind) == query.kinds.end()) {
      continue;
    }
    if (row.dataset_id != 0) {
      auto [it, inserted] = visible.emplace(row.dataset_id, false);
      if (inserted) {
        it->second = authorizer_->CanSee(caller, {row.ns, row.dataset, row.domain, row.created_by});
      }
      if (!it->second) continue;
    }
    // Which filters the document fails. A facet's counts ignore its own
    // filter, so that the other values of a chosen facet stay countable.
    bool fails[kFacets] = {
        query.type != 0 && row.kind != query.type,
        !query.ns.empty() && row.ns != query.ns,
        !query.domain.empty() && row.domain != query.domain,
        !query.tag.empty() && !HasTagWithin(row.tags, query.tag),
        !query.owner.empty() && !HasItem(row.owners, query.owner),
        !query.term.empty() && !HasItem(row.terms, query.term),
    };
    int failed = 0;
    int failed_facet = -1;
    for (int f = 0; f < kFacets; ++f) {
      if (fails[f]) {
        ++failed;
        failed_facet = f;
      }
    }
    if (failed > 1) continue;
    auto count = [&](int facet) {
      if (failed == 1 && facet != failed_facet) return;
      auto& values = out.facets[facet];
      switch (facet) {
        case kTypeFacet: ++values[TypeName(row.kind)]; break;
        case kNamespaceFacet: if (!row.ns.empty()) ++values[row.ns]; break;
        case kDomainFacet: if (!row.domain.empty()) ++values[row.domain]; break;
        case kTagFacet: for (auto item : Items(row.tags)) ++values[std::string(item)]; break;
        case kOwnerFacet: for (auto item : Items(row.owners)) ++values[std::string(item)]; break;
        case kTermFacet: for (auto item : Items(row.terms)) ++values[std::string(item)]; break;
      }
    };
    for (int f = 0; f < kFacets; ++f) count(f);
    if (failed != 0) continue;

    Ranked ranked;
    if (row.dataset_id != 0) {
      auto reads = counts->find({row.ns, row.dataset});
      if (reads != counts->end()) ranked.access_count = reads->second;
    }
    // bm25 is negative, lower better. The boost grows with the log of the
    // reads, so popular assets rise among similar matches without burying
    // a better one.
    ranked.score = kExactBoost[std::clamp(row.exact, 0, 2)] +
                   (0.5 - row.rank) * (1 + 0.15 * std::log1p(static_cast<double>(ranked.access_count)));
    ranked.row = std::move(row);
    out.ranked.push_back(std::move(ranked));
  }
  std::sort(out.ranked.begin(), out.ranked.end(), [](const Ranked& a, const Ranked& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.row.kind != b.row.kind) return a.row.kind < b.row.kind;
    return a.row.id < b.row.id;
  });
  return out;
}

absl::StatusOr<v1::SearchResponse> SearchService::Search(const Caller& caller,
                                                         const v1::SearchRequest& request) {
  RETURN_IF_ERROR(CheckQuery(request.q()));
  if (!v1::SearchHit::Type_IsValid(request.type())) {
    return InvalidField("type", "must be DATASET, FIELD, JOB or GLOSSARY_TERM");
  }
  RETURN_IF_ERROR(CheckLimit(request.has_limit() ? std::optional<int>(request.limit()) : std::nullopt));
  if (request.offset() < 0) return InvalidField("offset", "must not be negative");
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, policy::Resource::System()));

  Query query;
  query.q = request.q();
  query.type = request.type();
  query.ns = request.namespace_();
  query.domain = request.domain();
  query.tag = request.tag();
  query.owner = request.owner();
  query.term = request.term();
  ASSIGN_OR_RETURN(Matches matches, Match(caller, query));

  v1::SearchResponse response;
  response.set_total_count(static_cast<int>(matches.ranked.size()));
  for (int f = 0; f < kFacets; ++f) {
    std::vector<std::pair<std::string, int>> values(matches.facets[f].begin(),
                                                    matches.facets[f].end());
    std::sort(values.begin(), values.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    v1::SearchFacet* facet = response.add_facets();
    facet->set_name(kFacetNames[f]);
    for (size_t i = 0; i < values.size() && i < kFacetValues; ++i) {
      v1::SearchFacetValue* value = facet->add_values();
      value->set_value(values[i].first);
      value->set_count(values[i].second);
    }
  }

  const size_t offset = static_cast<size_t>(request.offset());
  const size_t limit = request.has_limit() ? request.limit() : kDefaultLimit;
  std::vector<const Ranked*> page;
  for (size_t i = offset; i < matches.ranked.size() && page.size() < limit; ++i) {
    page.push_back(&matches.ranked[i]);
  }
  std::vector<int64_t> ids;
  for (const Ranked* ranked : page) ids.push_back(ranked->row.id);
  std::unordered_map<int64_t, store::SearchDoc> docs;
  std::unordered_map<int64_t, std::vector<store::SearchHighlightRow>> highlights;
  RETURN_IF_ERROR(store_->Read([&](store::ReadTxn& txn) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<store::SearchDoc> found, txn.SearchDocsById(ids));
    for (store::SearchDoc& doc : found) docs.emplace(doc.row.id, std::move(doc));
    ASSIGN_OR_RETURN(std::vector<store::SearchHighlightRow> marked,
                     txn.SearchHighlights(matches.used, ids));
    for (store::SearchHighlightRow& row : marked) highlights[row.id].push_back(std::move(row));
    return absl::OkStatus();
  }));

  // Corrections name only words of the hits shown: the vocabulary is the
  // whole index's, and a word only a hidden dataset holds must not leak.
  std::unordered_map<int64_t, std::set<std::string>> marked_words;  // by document
  std::set<std::string> shown_words;
  for (const Ranked* ranked : page) {
    const std::set<std::string>& words = marked_words[ranked->row.id] =
        MarkedWords(highlights[ranked->row.id]);
    shown_words.insert(words.begin(), words.end());
  }
  for (const auto& [word, nearest] : matches.expression.corrected) {
    for (const std::string& candidate : nearest) {
      if (shown_words.count(candidate)) {
        response.add_corrections(absl::StrCat(word, " -> ", candidate));
        break;
      }
    }
  }

  for (const Ranked* ranked : page) {
    auto doc = docs.find(ranked->row.id);
    if (doc == docs.end()) continue;  // changed between the two reads
    const SearchDocRow& row = ranked->row;
    v1::SearchHit* hit = response.add_results();
    hit->set_type(static_cast<Type>(row.kind));
    hit->set_node_id(NodeId(row, doc->second.field));
    hit->set_namespace_(row.ns);
    if (row.dataset_id != 0) hit->set_dataset(row.dataset);
    hit->set_field(doc->second.field);
    hit->set_name(row.title);
    hit->set_qualified_name(QualifiedName(row, doc->second.field));
    hit->set_description(doc->second.description);
    hit->set_domain(row.domain);
    for (auto item : Items(row.owners)) hit->add_owners(std::string(item));
    for (auto item : Items(row.tags)) hit->add_tags(std::string(item));
    for (auto item : Items(row.terms)) hit->add_terms(std::string(item));
    hit->set_data_type(doc->second.data_type);
    const auto& marked = highlights[row.id];
    for (const auto& highlight : marked) {
      v1::SearchHighlight* out = hit->add_highlights();
      out->set_field(highlight.column == "body" ? "text" : highlight.column);
      out->set_snippet(Snippet(highlight.text));
    }
    if (row.exact > 0) {
      hit->set_match("exact");
    } else if (matches.expression.corrected.empty() ||
               MatchedOwnWord(marked_words[row.id], matches.expression)) {
      hit->set_match("text");
    } else {
      hit->set_match("fuzzy");
    }
    hit->set_score(ranked->score);
    hit->set_access_count(ranked->access_count);
    if (row.updated_at) {
      *hit->mutable_updated_at() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(*row.updated_at);
    }
  }
  return response;
}

absl::StatusOr<v1::MarquezSearchResponse> SearchService::MarquezSearch(
    const Caller& caller, const v1::MarquezSearchRequest& request) {
  if (request.q().empty()) return InvalidField("q", "must not be empty");
  RETURN_IF_ERROR(CheckQuery(request.q()));
  Query query;
  query.q = request.q();
  query.ns = request.namespace_();
  const std::string filter = absl::AsciiStrToUpper(request.filter());
  if (filter.empty()) {
    query.kinds = {v1::SearchHit::DATASET, v1::SearchHit::JOB};
  } else if (filter == "DATASET") {
    query.kinds = {v1::SearchHit::DATASET};
  } else if (filter == "JOB") {
    query.kinds = {v1::SearchHit::JOB};
  } else {
    return InvalidField("filter", "must be DATASET or JOB");
  }
  const std::string sort = absl::AsciiStrToUpper(request.sort());
  if (!sort.empty() && sort != "NAME" && sort != "UPDATE_AT") {
    return InvalidField("sort", "must be NAME or UPDATE_AT");
  }
  RETURN_IF_ERROR(CheckLimit(request.has_limit() ? std::optional<int>(request.limit()) : std::nullopt));
  RETURN_IF_ERROR(authorizer_->Check(caller, v1::READ_METADATA, policy::Resource::System()));
  ASSIGN_OR_RETURN(Matches matches, Match(caller, query));

  std::vector<Ranked>& ranked = matches.ranked;
  if (sort == "NAME") {
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Ranked& a, const Ranked& b) { return a.row.title < b.row.title; });
  } else if (sort == "UPDATE_AT") {
    std::stable_sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
      return a.row.updated_at.value_or(0) > b.row.updated_at.value_or(0);
    });
  }
  v1::MarquezSearchResponse response;
  response.set_total_count(static_cast<int>(ranked.size()));
  const size_t limit = request.has_limit() ? request.limit() : kMarquezDefaultLimit;
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const SearchDocRow& row = ranked[i].row;
    v1::MarquezSearchResult* result = response.add_results();
    result->set_type(TypeName(row.kind));
    result->set_name(row.title);
    result->set_namespace_(row.ns);
    result->set_node_id(NodeId(row, ""));
    if (row.updated_at) {
      *result->mutable_updated_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(*row.updated_at);
    }
  }
  return response;
}

std::shared_ptr<const audit::AuditLog::DatasetCounts> SearchService::AccessCounts() {
  std::lock_guard<std::mutex> lock(counts_mu_);
  const absl::Time now = clock_->Now();
  if (access_log_ == nullptr || now - counts_at_ < kCountsRefresh) return counts_;
  counts_at_ = now;
  // New records are added as they come; once a day the window is counted
  // again from scratch, so that reads older than it drop out.
  const bool full = now - counts_full_at_ > absl::Hours(24);
  int64_t last_seq = 0;
  absl::StatusOr<audit::AuditLog::DatasetCounts> counts = access_log_->CountDatasetAccesses(
      full ? 0 : counts_seq_, full ? absl::ToUnixMicros(now - kCountsWindow) : 0, &last_seq);
  if (!counts.ok()) {
    log::Warn("search: cannot count accesses in the audit log",
              {{"error", std::string(counts.status().message())}});
    return counts_;
  }
  // A new map, not an edit of the one searches in flight are reading.
  if (full) {
    counts_full_at_ = now;
  } else {
    for (const auto& [key, n] : *counts_) (*counts)[key] += n;
  }
  counts_ = std::make_shared<const audit::AuditLog::DatasetCounts>(*std::move(counts));
  counts_seq_ = last_seq;
  return counts_;
}

}  // namespace cadastre::search
