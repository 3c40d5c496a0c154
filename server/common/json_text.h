// Writing JSON text by hand, where a document is built without a JSON
// library (the REST printer, the store's history and facets).
#pragma once

#include <string>
#include <string_view>

namespace cadastre {

// Appends `text` as a JSON string, quoted, escaped as protobuf's JSON
// printer escapes it.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace cadastre
