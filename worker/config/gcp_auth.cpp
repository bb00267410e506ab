#include "worker/config/gcp_auth.h"

#include "worker/config/json_fields.h"

namespace s3p {
namespace {

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

bool id_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// A pool or provider id: 4-32 of a-z 0-9 '-', as Google names them.
bool valid_id(std::string_view s) {
  if (s.size() < 4 || s.size() > 32 || s.front() == '-') return false;
  for (char c : s)
    if (!id_char(c)) return false;
  return true;
}

// https URL (http only for the local machine: the stand-ins), no query, fragment, user or spaces; trailing '/' cut.
bool valid_endpoint(std::string url, std::string& out) {
  const bool https = url.rfind("https://", 0) == 0, http = url.rfind("http://", 0) == 0;
  if (!https && !http) return false;
  for (unsigned char c : url)
    if (c < 0x21 || c > 0x7e || c == '?' || c == '#' || c == '@' || c == '"' || c == '\\') return false;
  const std::string rest = url.substr(https ? 8 : 7);
  const std::string host = rest.substr(0, rest.find_first_of(":/"));
  if (host.empty()) return false;
  if (http && host != "127.0.0.1" && host != "localhost") return false;
  while (!url.empty() && url.back() == '/') url.pop_back();
  out = std::move(url);
  return true;
}

// A service account's email: name@project.iam.gserviceaccount.com (or any domain Google admits), one '@', no
// character that would need escaping in the URL path it goes into.
bool valid_email(std::string_view e) {
  const size_t at = e.find('@');
  if (at == 0 || at == std::string_view::npos || e.find('@', at + 1) != std::string_view::npos || e.size() > 254)
    return false;
  for (char c : e)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == '_' || c == '@'))
      return false;
  return e.find('.', at) != std::string_view::npos;
}

}  // namespace

std::string gcp_audience_problem(const std::string& a) {
  static const std::string kHead = "//iam.googleapis.com/projects/";
  const char* shape =
      "must be //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER";
  if (a.rfind(kHead, 0) != 0) return shape;
  size_t p = kHead.size(), q = a.find('/', p);
  if (q == std::string::npos || q == p || q - p > 20) return shape;
  for (size_t i = p; i < q; ++i)
    if (a[i] < '0' || a[i] > '9') return std::string(shape) + " (the project NUMBER, not its id)";
  static const std::string kMid = "/locations/global/workloadIdentityPools/";
  if (a.compare(q, kMid.size(), kMid) != 0) return shape;
  p = q + kMid.size();
  q = a.find('/', p);
  if (q == std::string::npos || !valid_id(std::string_view(a).substr(p, q - p))) return shape;
  static const std::string kProv = "/providers/";
  if (a.compare(q, kProv.size(), kProv) != 0) return shape;
  if (!valid_id(std::string_view(a).substr(q + kProv.size()))) return shape;
  return "";
}

bool load_gcp_workload_identity(const json::Value& auth, const std::string& field, GcpWorkloadIdentityAuth& out,
                                std::string& error) {
  static const char* kKnown[] = {"type",        "audience",     "token_audience", "subject",    "service_account",
                                 "scope",       "sts_endpoint", "iam_endpoint",   "timeout_ms", "lifetime_s"};
  for (auto it = auth.begin(); it != auth.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) return fail(error, field + "." + it.key(), "is not a gcp_workload_identity field");
  }
  if (!get_string(auth, "audience", field, true, out.audience, error)) return false;
  if (std::string why = gcp_audience_problem(out.audience); !why.empty()) return fail(error, field + ".audience", why);
  out.token_audience = "https:" + out.audience;
  if (!get_string(auth, "token_audience", field, false, out.token_audience, error)) return false;
  if (out.token_audience.empty()) return fail(error, field + ".token_audience", "must not be empty");
  if (!get_string(auth, "subject", field, true, out.subject, error)) return false;
  if (out.subject.empty()) return fail(error, field + ".subject", "must not be empty");
  if (!get_string(auth, "service_account", field, false, out.service_account, error)) return false;
  if (!out.service_account.empty() && !valid_email(out.service_account))
    return fail(error, field + ".service_account", "must be a service account email (name@project.iam.gserviceaccount.com)");
  if (!get_string(auth, "scope", field, false, out.scope, error)) return false;
  if (out.scope.rfind("https://www.googleapis.com/auth/", 0) != 0 || out.scope.find_first_of(" \t\r\n\"\\") != std::string::npos)
    return fail(error, field + ".scope", "must be one https://www.googleapis.com/auth/... scope");
  std::string url;
  if (!get_string(auth, "sts_endpoint", field, false, url, error)) return false;
  if (!url.empty() && !valid_endpoint(url, out.sts_url))
    return fail(error, field + ".sts_endpoint", "must be an https:// URL (http only for localhost)");
  url.clear();
  if (!get_string(auth, "iam_endpoint", field, false, url, error)) return false;
  if (!url.empty() && !valid_endpoint(url, out.iam_url))
    return fail(error, field + ".iam_endpoint", "must be an https:// URL (http only for localhost)");
  if (!get_uint(auth, "timeout_ms", field, 1, 60000, out.timeout_ms, error)) return false;
  if (!get_uint(auth, "lifetime_s", field, 600, 43200, out.lifetime_s, error)) return false;
  return true;
}

}  // namespace s3p
