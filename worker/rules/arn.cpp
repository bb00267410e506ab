#include "worker/rules/arn.h"

namespace s3p {
namespace {

bool is_role_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '=' ||
         c == ',' || c == '.' || c == '@' || c == '_' || c == '-';
}

}  // namespace

std::string role_arn_problem(std::string_view arn) {
  // Split off the five fixed fields; whatever follows the fifth ':' is the resource, colons and all.
  std::string_view fields[5];
  std::string_view rest = arn;
  for (auto& f : fields) {
    auto colon = rest.find(':');
    if (colon == std::string_view::npos) return "must look like arn:aws:iam::123456789012:role/NAME";
    f = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  const std::string_view resource = rest;
  if (fields[0] != "arn") return "must start with \"arn:\"";
  if (fields[1] != "aws" && fields[1] != "aws-cn" && fields[1] != "aws-us-gov")
    return "partition must be aws, aws-cn or aws-us-gov";
  if (fields[2] != "iam") return "service must be iam";
  if (!fields[3].empty()) return "region must be empty for IAM";
  if (fields[4].size() != 12) return "account must be 12 digits";
  for (char c : fields[4])
    if (c < '0' || c > '9') return "account must be 12 digits";
  if (resource.substr(0, 5) != "role/") return "resource must be role/[path/]NAME";

  std::string_view path_and_name = resource.substr(5);
  const auto last_slash = path_and_name.rfind('/');
  const std::string_view name =
      last_slash == std::string_view::npos ? path_and_name : path_and_name.substr(last_slash + 1);
  if (name.empty() || name.size() > 64) return "role name must be 1-64 characters";
  for (char c : name)
    if (!is_role_name_char(c)) return "role name may only hold A-Z a-z 0-9 + = , . @ _ -";
  if (last_slash != std::string_view::npos) {
    const std::string_view path = path_and_name.substr(0, last_slash);  // without its final '/'
    if (path.size() + 2 > 512) return "role path is longer than 512 characters";
    size_t seg_start = 0;
    for (size_t i = 0; i <= path.size(); ++i) {
      if (i == path.size() || path[i] == '/') {
        if (i == seg_start) return "role path has an empty segment";
        seg_start = i + 1;
      } else if (path[i] < 0x21 || path[i] > 0x7E) {
        return "role path may only hold printable ASCII";
      }
    }
  }
  return "";
}

}  // namespace s3p
