// Who may read a response from another origin. Public data is "*" (any page may read it; no credentials are ever
// allowed with it). A response that can show private data — a private repository, or an account or service
// listing that includes one — is readable only by the origins the deployment lists in `cors_origins`, named back
// exactly, with `Vary: Origin` so that no cache hands one origin's answer to another.
#pragma once
#include <string>

#include "worker/config/config.h"
#include "worker/config/namespace.h"
#include "worker/http/headers.h"
#include "worker/route/route.h"

namespace s3p {

enum class CorsPolicy { Anyone, Allowlist };

CorsPolicy cors_policy(const Namespace& ns, const Route& route);

// Whether a page from `origin` (null: none) may read the response.
bool cors_allows(CorsPolicy policy, const std::string* origin, const Config* cfg);

// Appends Access-Control-Allow-Origin (and Vary) for a request carrying `origin` (null: none). False when the
// policy does not let that origin read the response (nothing but Vary is added then).
bool append_cors(Headers& out, CorsPolicy policy, const std::string* origin, const Config* cfg);

}  // namespace s3p
