#include "worker/config/entra_auth.h"

#include "worker/config/json_fields.h"

namespace s3p {
namespace {

using config_fields::fail;
using config_fields::get_string;
using config_fields::get_uint;

bool hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// 8-4-4-4-12 hex digits.
bool guid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !hex(s[i])) return false;
  }
  return true;
}

// A tenant: its GUID, or a domain name (labels of a-z 0-9 '-', at least one dot), as it goes into the token URL's path.
bool tenant(std::string_view s) {
  if (guid(s)) return true;
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos || s.front() == '.' || s.back() == '.' ||
      s.find("..") != std::string_view::npos)
    return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  return true;
}

// https URL (http only for the local machine: the stand-ins), no query, fragment, user or spaces; trailing '/' cut.
bool valid_authority(std::string url, std::string& out) {
  const bool https = url.rfind("https://", 0) == 0, http = url.rfind("http://", 0) == 0;
  if (!https && !http) return false;
  for (unsigned char c : url)
    if (c < 0x21 || c > 0x7e || c == '?' || c == '#' || c == '@' || c == '"' || c == '\\' || c == '%') return false;
  const std::string rest = url.substr(https ? 8 : 7);
  const std::string host = rest.substr(0, rest.find_first_of(":/"));
  if (host.empty()) return false;
  if (http && host != "127.0.0.1" && host != "localhost") return false;
  while (!url.empty() && url.back() == '/') url.pop_back();
  out = std::move(url);
  return true;
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

// A character a SAS query string may hold as it is (RFC 3986 unreserved, '%' escapes, and the separators).
bool sas_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~' || c == '%' || c == '&' || c == '=' || c == ':' || c == ',';
}

}  // namespace

std::string sas_problem(const std::string& value) {
  static const char* kShape = "is not a SAS query string (sv=…&se=…&sig=…)";
  if (value == kSasHeldByHost) return "";
  std::string_view q = value;
  if (!q.empty() && q.front() == '?') q.remove_prefix(1);
  if (q.empty() || q.size() > 4096) return kShape;
  for (char c : q)
    if (!sas_char(c)) return kShape;
  bool sv = false, sig = false;
  size_t at = 0;
  while (at <= q.size()) {
    size_t amp = q.find('&', at);
    if (amp == std::string_view::npos) amp = q.size();
    const std::string_view pair = q.substr(at, amp - at);
    const size_t eq = pair.find('=');
    if (eq == 0 || eq == std::string_view::npos || eq + 1 == pair.size()) return kShape;
    const std::string_view name = pair.substr(0, eq);
    sv = sv || name == "sv";
    sig = sig || name == "sig";
    at = amp + 1;
  }
  return sv && sig ? "" : kShape;
}

bool load_entra_workload_identity(const json::Value& auth, const std::string& field, EntraWorkloadIdentityAuth& out,
                                  std::string& error) {
  static const char* kKnown[] = {"type", "tenant_id", "client_id", "subject", "token_audience", "scope", "authority",
                                 "timeout_ms"};
  for (auto it = auth.begin(); it != auth.end(); ++it) {
    bool known = false;
    for (const char* k : kKnown) known = known || it.key() == k;
    if (!known) return fail(error, field + "." + it.key(), "is not an entra_workload_identity field");
  }
  if (!get_string(auth, "tenant_id", field, true, out.tenant_id, error)) return false;
  if (!tenant(out.tenant_id)) return fail(error, field + ".tenant_id", "must be the tenant's GUID or domain name");
  if (!get_string(auth, "client_id", field, true, out.client_id, error)) return false;
  if (!guid(out.client_id)) return fail(error, field + ".client_id", "must be the application (client) id, a GUID");
  if (!get_string(auth, "subject", field, true, out.subject, error)) return false;
  if (!printable(out.subject) || out.subject.size() > 600)
    return fail(error, field + ".subject", "must be up to 600 printable characters");
  if (!get_string(auth, "token_audience", field, false, out.token_audience, error)) return false;
  if (out.token_audience.empty() || !printable(out.token_audience))
    return fail(error, field + ".token_audience", "must be a non-empty printable string");
  if (!get_string(auth, "scope", field, false, out.scope, error)) return false;
  if (out.scope.size() < 9 || out.scope.compare(out.scope.size() - 9, 9, "/.default") != 0 ||
      out.scope.find_first_of(" \t\r\n\"\\") != std::string::npos)
    return fail(error, field + ".scope", "must be one resource's /.default scope (https://storage.azure.com/.default)");
  std::string url;
  if (!get_string(auth, "authority", field, false, url, error)) return false;
  if (!url.empty() && !valid_authority(url, out.authority))
    return fail(error, field + ".authority", "must be an https:// URL (http only for localhost)");
  if (!get_uint(auth, "timeout_ms", field, 1, 60000, out.timeout_ms, error)) return false;
  out.token_url = out.authority + "/" + out.tenant_id + "/oauth2/v2.0/token";
  return true;
}

}  // namespace s3p
