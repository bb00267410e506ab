// The four signature forms, each verified against the proxy's access keys (used by authenticate.cpp).
#pragma once
#include "worker/auth/authenticate.h"

namespace s3p::auth {

Verdict verify_sigv4_header(const SignedRequest& req, std::string_view authorization, const Namespace& ns,
                            int64_t now_s, sigv4::SigningKeyCache& keys);
Verdict verify_sigv4_query(const SignedRequest& req, const Namespace& ns, int64_t now_s, sigv4::SigningKeyCache& keys);
Verdict verify_sigv2_header(const SignedRequest& req, std::string_view authorization, const Namespace& ns, int64_t now_s);
Verdict verify_sigv2_query(const SignedRequest& req, const Namespace& ns, int64_t now_s);

// The key named by a signature. False with `out` set when the caller cannot proceed as that key: either
// refused (InvalidAccessKeyId) or, when the deployment opts in, served as anonymous.
bool find_signing_key(const Namespace& ns, std::string_view id, const AccessKey*& key, Verdict& out);

// The query parameter `name` (exact, case-sensitive), or null.
const http::QueryParam* find_param(const std::vector<http::QueryParam>& params, std::string_view name);

}  // namespace s3p::auth
