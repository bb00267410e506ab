// Fuzzes x-amz-copy-source parsing: any header either names one object inside an account (with the same
// containment rules as request paths) or is refused; a parsed source re-encoded parses back to itself.
#include <cstdint>
#include <string>

#include "worker/http/uri.h"
#include "worker/route/copy_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  s3p::CopySource cs;
  if (s3p::parse_copy_source(in, cs) != s3p::CopySourceError::None) return 0;
  const s3p::Route& r = cs.route;
  if (r.kind != s3p::Route::Kind::Object || r.account.empty() || r.tail.empty() || r.tail.size() > 1024) __builtin_trap();
  if (s3p::has_dot_segment(r.tail) || !s3p::http::valid_utf8(r.tail) || r.tail.find('\0') != std::string::npos)
    __builtin_trap();
  if (cs.has_version == cs.version_id.empty()) __builtin_trap();
  // Round trip: the canonical encoding of what was parsed parses to the same source. A '/' inside the account or
  // repository came from %2F and stays encoded there; the key keeps its slashes.
  std::string again = "/" + s3p::http::uri_encode(r.account, true) + "/" + s3p::http::uri_encode(r.repo, true);
  if (r.tail.size() > r.repo.size()) again += "/" + s3p::http::uri_encode(r.key, false);
  if (cs.has_version) again += "?versionId=" + s3p::http::uri_encode(cs.version_id, true);
  s3p::CopySource back;
  if (s3p::parse_copy_source(again, back) != s3p::CopySourceError::None || back.route.account != r.account ||
      back.route.tail != r.tail || back.route.repo != r.repo || back.route.key != r.key ||
      back.version_id != cs.version_id)
    __builtin_trap();
  return 0;
}
