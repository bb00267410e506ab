// Path-style namespace: /{account}/{repository}/{key}. Works on the raw (still percent-encoded) path so that an
// encoded '/' (%2F) can never act as a separator, and rejects keys that a URL parser would rewrite or that S3
// could not store (not UTF-8, or holding NUL: BadEncoding).
#pragma once
#include <string>
#include <string_view>

namespace s3p {

struct Route {
  enum class Kind { Root, Account, Object };
  Kind kind = Kind::Root;
  std::string account;
  std::string repo;  // empty for Root/Account
  std::string key;   // decoded key inside the repository; "" means the repository itself
  std::string tail;  // decoded everything after "/{account}/" — the whole key in a flat bucket
};

enum class RouteError { None, BadEncoding, DotSegment, KeyTooLong };

// `raw_path` is the request target's path exactly as received (starts with '/').
RouteError parse_route(std::string_view raw_path, Route& out);

// Virtual-host style: when `host` (without port or a trailing dot, any case) is "{account}.{domain}", returns the
// path-style equivalent "/{account}{raw_path}" (account lowercased and percent-encoded); otherwise raw_path.
std::string path_style(std::string_view host, std::string_view domain, std::string_view raw_path);

// True when a decoded key contains "." or ".." as a whole segment: fetch() would normalise such a URL and the
// backend request could leave the repository's prefix, so these keys are refused.
bool has_dot_segment(std::string_view key);

}  // namespace s3p
