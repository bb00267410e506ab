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

std::string format_http_date(int64_t unix_s) {
  // format_iso8601 gives "YYYY-MM-DDTHH:MM:SS..."; the weekday counts from 1970-01-01, a Thursday.
  const std::string iso = format_iso8601(unix_s);
  static constexpr std::string_view kDays = "ThuFriSatSunMonTueWed";
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const int64_t days = unix_s >= 0 ? unix_s / 86400 : (unix_s - 86399) / 86400;
  const int64_t wd = ((days % 7) + 7) % 7;
  const int month = (iso[5] - '0') * 10 + (iso[6] - '0');
  std::string out;
  out.reserve(29);
  out.append(kDays.substr(static_cast<size_t>(wd) * 3, 3)).append(", ");
  out.append(iso, 8, 2).append(" ").append(kMonths.substr(static_cast<size_t>(month - 1) * 3, 3)).append(" ");
  out.append(iso, 0, 4).append(" ").append(iso, 11, 8).append(" GMT");
  return out;
}

}  // namespace s3p
