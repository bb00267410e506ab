#include "worker/rules/session_name.h"

namespace s3p {

std::string sanitize_session_name(std::string_view name) {
  if (name.empty()) return "s3-edge-proxy";
  std::string out;
  out.reserve(name.size() < 64 ? name.size() : 64);
  for (char c : name.substr(0, 64)) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    out += ok ? c : '-';
  }
  if (out.size() < 2) out += '-';
  return out;
}

}  // namespace s3p
