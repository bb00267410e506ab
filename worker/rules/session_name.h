// STS RoleSessionName: 2-64 characters of [A-Za-z0-9_+=,.@-] (STS rejects anything else). Names come from config
// (or the backend's subject), so they are made valid rather than rejected: every other byte becomes '-', the
// result is cut to 64 and a 1-character result is padded with '-' (an empty one becomes "s3-edge-proxy").
#pragma once
#include <string>
#include <string_view>

namespace s3p {

std::string sanitize_session_name(std::string_view name);

}  // namespace s3p
