#include "worker/rules/external_id.h"

namespace s3p {

std::string external_id_problem(std::string_view id) {
  if (id.size() < 2 || id.size() > 1224) return "must be 2-1224 characters";
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == ':' || c == '/' || c == '-';
    if (!ok) return "may hold only letters, digits and _+=,.@:/-";
  }
  return "";
}

}  // namespace s3p
