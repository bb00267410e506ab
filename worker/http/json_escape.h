// JSON string escaping (RFC 8259 §7: quote, backslash, control characters as \u00XX), for the JSON the core
// writes by hand: the log line, JWT headers and claims, JWKs, discovery documents.
#pragma once
#include <string>
#include <string_view>

namespace s3p {

void append_json_escaped(std::string& out, std::string_view s);

}  // namespace s3p
