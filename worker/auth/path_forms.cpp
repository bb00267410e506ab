#include "worker/auth/path_forms.h"

#include "worker/http/uri.h"

namespace s3p::auth {

std::vector<std::string> path_forms(std::string_view raw) {
  std::vector<std::string> forms;
  std::string decoded;
  if (http::percent_decode(raw, decoded)) forms.push_back(http::uri_encode(decoded, false));
  if (forms.empty() || forms.front() != raw) forms.emplace_back(raw);
  return forms;
}

}  // namespace s3p::auth
