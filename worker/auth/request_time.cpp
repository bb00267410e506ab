#include "worker/auth/request_time.h"

#include <string>

#include "worker/rules/http_date.h"
#include "worker/rules/iso8601.h"

namespace s3p::auth {

bool parse_amz_date(std::string_view t, int64_t& out) {
  int y, mo, d, h, mi, s;
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return false;
  if (!digits(t, 0, 4, y) || !digits(t, 4, 2, mo) || !digits(t, 6, 2, d) || !digits(t, 9, 2, h) ||
      !digits(t, 11, 2, mi) || !digits(t, 13, 2, s))
    return false;
  return civil_to_unix(y, mo, d, h, mi, s, out);
}

bool parse_http_date(std::string_view t, int64_t& out) {
  // IMF-fixdate (rules/http_date.h), or with "+0000" for GMT, as AWS's own SigV2 examples write it.
  if (t.size() == 31 && t.substr(25) == " +0000") {
    std::string gmt(t.substr(0, 26));
    gmt += "GMT";
    return s3p::parse_http_date(gmt, out);
  }
  return s3p::parse_http_date(t, out);
}

}  // namespace s3p::auth
