// Column lineage questions (downstream impact and upstream trace of a
// column at depth 1, 3, 10 and "unbounded"), asked of the server over REST
// and gRPC and of both baselines, on the same columns.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog.h"
#include "csr.h"
#include "marquez.h"
#include "server.h"
#include "stats.h"

namespace cadastre::bench {

// The largest depth GET /lineage/graph accepts (server/lineage/queries.cc:
// kMaxDepth) stands for "unbounded", and its largest maxNodes bounds every
// walk (the answer then says truncated).
inline constexpr int kUnboundedDepth = 100;
inline constexpr int kMaxNodes = 100000;
inline constexpr int kDepths[] = {1, 3, 10, kUnboundedDepth};

struct Question {
  int32_t column;
  bool downstream;
  int depth;
  bool hub;
  bool ask_marquez;  // PostgreSQL takes seconds a query: it gets a subset
};

struct Answers {
  Samples rest, grpc, csr, marquez;
  int rest_nodes = -1, grpc_nodes = -1, csr_nodes = -1, marquez_rows = -1;
  bool truncated = false;       // the server stopped at kMaxNodes
  int marquez_timeouts = 0;     // counted in `marquez` at the timeout
  bool marquez_skipped = false;  // a shallower depth already timed out
};

// The hub columns plus `random` columns that have edges both ways, every
// direction and depth. The Marquez-style baseline is asked about the hubs
// and the first `marquez_random` of the random columns.
std::vector<Question> MakeQuestions(const Catalog& catalog, const Csr& csr, int random,
                                    int marquez_random, uint64_t seed);

// Each runs every question `reps` times (after one warm-up) and fills its
// part of `answers` (same index as `questions`). False and `error` on a
// failed request.
bool AskRest(const Server& server, const Catalog& catalog, const std::vector<Question>& questions,
             int reps, std::vector<Answers>* answers, std::string* error);
bool AskGrpc(const Server& server, const Catalog& catalog, const std::vector<Question>& questions,
             int reps, std::vector<Answers>* answers, std::string* error);
void AskCsr(Csr& csr, const std::vector<Question>& questions, int reps, std::vector<Answers>* answers);
// Timed-out queries count at the timeout; after a timeout, deeper questions
// about the same column and direction are not asked (they count as
// timeouts too).
bool AskMarquez(MarquezBaseline& pg, const std::vector<Question>& questions, int reps,
                std::vector<Answers>* answers, std::string* error);

// Per direction and depth, over all columns and over the hubs alone, with
// the median over questions of each baseline's time against the server's
// (same question, p50 against p50).
nlohmann::json Summarize(const std::vector<Question>& questions, const std::vector<Answers>& answers,
                         const Catalog& catalog);

}  // namespace cadastre::bench
