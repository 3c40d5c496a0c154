#include "json_match.h"

#include <regex>
#include <vector>

namespace cadastre::testing {
namespace {

using nlohmann::json;

bool IsOperator(const json& value) {
  return value.is_object() && value.size() == 1 &&
         value.begin().key().rfind('$', 0) == 0;
}

std::string Short(const json& value) {
  std::string text = value.dump();
  if (text.size() > 300) text = text.substr(0, 300) + "…";
  return text;
}

bool Fail(std::string* mismatch, const std::string& path,
          const std::string& what) {
  if (mismatch != nullptr) *mismatch = (path.empty() ? "$" : path) + ": " + what;
  return false;
}

bool Matches(const json& actual, const json& expected, const std::string& path,
             std::string* mismatch);

// Finds an assignment of each expected element to a distinct actual element.
bool MatchUnordered(const json& actual, const json& expected, size_t next,
                    std::vector<bool>& used) {
  if (next == expected.size()) return true;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (used[i] || !Matches(actual[i], expected[next], "", nullptr)) continue;
    used[i] = true;
    if (MatchUnordered(actual, expected, next + 1, used)) return true;
    used[i] = false;
  }
  return false;
}

bool MatchOperator(const json& actual, const std::string& op,
                   const json& argument, const std::string& path,
                   std::string* mismatch) {
  if (op == "$any") return true;
  if (op == "$regex") {
    if (!actual.is_string()) {
      return Fail(mismatch, path, "expected a string, got " + Short(actual));
    }
    if (!std::regex_match(actual.get<std::string>(),
                          std::regex(argument.get<std::string>()))) {
      return Fail(mismatch, path,
                  Short(actual) + " does not match /" +
                      argument.get<std::string>() + "/");
    }
    return true;
  }
  if (op == "$length") {
    size_t length;
    if (actual.is_array()) {
      length = actual.size();
    } else if (actual.is_string()) {
      length = actual.get<std::string>().size();
    } else {
      return Fail(mismatch, path, "expected an array, got " + Short(actual));
    }
    if (length != argument.get<size_t>()) {
      return Fail(mismatch, path,
                  "expected length " + argument.dump() + ", got " +
                      std::to_string(length) + ": " + Short(actual));
    }
    return true;
  }
  if (!actual.is_array()) {
    return Fail(mismatch, path, "expected an array, got " + Short(actual));
  }
  if (op == "$unordered") {
    if (actual.size() != argument.size()) {
      return Fail(mismatch, path,
                  "expected " + std::to_string(argument.size()) +
                      " elements in any order, got " +
                      std::to_string(actual.size()) + ": " + Short(actual));
    }
    std::vector<bool> used(actual.size(), false);
    if (!MatchUnordered(actual, argument, 0, used)) {
      return Fail(mismatch, path,
                  "elements do not match " + Short(argument) +
                      " in any order: " + Short(actual));
    }
    return true;
  }
  if (op == "$contains") {
    for (const json& wanted : argument) {
      bool found = false;
      for (const json& element : actual) {
        if (Matches(element, wanted, "", nullptr)) {
          found = true;
          break;
        }
      }
      if (!found) {
        return Fail(mismatch, path,
                    "no element matches " + Short(wanted) + " in " +
                        Short(actual));
      }
    }
    return true;
  }
  if (op == "$lacks") {
    for (const json& unwanted : argument) {
      for (const json& element : actual) {
        if (Matches(element, unwanted, "", nullptr)) {
          return Fail(mismatch, path,
                      "unexpected element " + Short(element) + " matches " +
                          Short(unwanted));
        }
      }
    }
    return true;
  }
  return Fail(mismatch, path, "unknown operator " + op + " in the expectation");
}

bool Matches(const json& actual, const json& expected, const std::string& path,
             std::string* mismatch) {
  if (IsOperator(expected)) {
    return MatchOperator(actual, expected.begin().key(),
                         expected.begin().value(), path, mismatch);
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      return Fail(mismatch, path, "expected an object, got " + Short(actual));
    }
    for (const auto& [key, wanted] : expected.items()) {
      const std::string child = path + "." + key;
      const bool absent_wanted = IsOperator(wanted) &&
                                 wanted.begin().key() == "$absent";
      const auto found = actual.find(key);
      if (absent_wanted) {
        if (found != actual.end()) {
          return Fail(mismatch, child, "expected absent, got " + Short(*found));
        }
        continue;
      }
      if (found == actual.end()) {
        return Fail(mismatch, child, "missing; expected " + Short(wanted));
      }
      if (!Matches(*found, wanted, child, mismatch)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) {
      return Fail(mismatch, path, "expected an array, got " + Short(actual));
    }
    if (actual.size() != expected.size()) {
      return Fail(mismatch, path,
                  "expected " + std::to_string(expected.size()) +
                      " elements, got " + std::to_string(actual.size()) + ": " +
                      Short(actual));
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!Matches(actual[i], expected[i], path + "[" + std::to_string(i) + "]",
                   mismatch)) {
        return false;
      }
    }
    return true;
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() == actual.get<double>()) return true;
  } else if (actual == expected) {
    return true;
  }
  return Fail(mismatch, path,
              "expected " + Short(expected) + ", got " + Short(actual));
}

}  // namespace

bool JsonContains(const json& actual, const json& expected,
                  std::string* mismatch) {
  return Matches(actual, expected, "", mismatch);
}

bool IsTimestampKey(const std::string& key) {
  return key == "createdAt" || key == "updatedAt" || key == "lastModifiedAt";
}

json WithoutTimestamps(json value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (IsTimestampKey(it.key())) {
        it = value.erase(it);
      } else {
        *it = WithoutTimestamps(std::move(*it));
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value) element = WithoutTimestamps(std::move(element));
  }
  return value;
}

json ExpandMacros(json value) {
  if (value.is_string()) {
    static const std::regex kRepeat(R"(\$repeat:(\d+):([\s\S]*))");
    std::smatch match;
    const std::string text = value.get<std::string>();
    if (std::regex_match(text, match, kRepeat)) {
      std::string out;
      const size_t count = std::stoul(match[1].str());
      for (size_t i = 0; i < count; ++i) out += match[2].str();
      return out;
    }
  } else if (value.is_object()) {
    for (auto& [key, element] : value.items()) {
      element = ExpandMacros(std::move(element));
    }
  } else if (value.is_array()) {
    for (auto& element : value) element = ExpandMacros(std::move(element));
  }
  return value;
}

}  // namespace cadastre::testing
