// The results document (results.json) and its rendering as one markdown
// table set (results.md). Targets are judged here, from the document alone.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace cadastre::bench {

// What a measure that cannot be taken yet reports, in the document and in
// the tables. A feature that lands replaces its stub with one function.
nlohmann::json NotBuilt(const std::string& why);  // {"status": why}

// The machine: CPU model, cores, memory, kernel, load average now.
nlohmann::json DescribeMachine();

// Adds "targets" (each: name, goal, measured, status, note) to `results`.
void JudgeTargets(nlohmann::json& results);

std::string RenderMarkdown(const nlohmann::json& results);

// Every section a complete run writes; names what is missing, or "".
std::string CheckComplete(const nlohmann::json& results);

}  // namespace cadastre::bench
