#include "worker/rules/http_date.h"

#include "worker/rules/iso8601.h"

namespace s3p {

bool parse_http_date(std::string_view t, int64_t& out_s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed columns.
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
      t[22] != ':' || t[25] != ' ' || t.substr(26) != "GMT")
    return false;
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const size_t m = kMonths.find(t.substr(8, 3));
  if (m == std::string_view::npos || m % 3 != 0) return false;
  int d, y, h, mi, s;
  if (!digits(t, 5, 2, d) || !digits(t, 12, 4, y) || !digits(t, 17, 2, h) || !digits(t, 20, 2, mi) ||
      !digits(t, 23, 2, s))
    return false;
  return civil_to_unix(y, static_cast<int>(m / 3) + 1, d, h, mi, s, out_s);
}

}  // namespace s3p
