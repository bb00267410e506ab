#include "worker/auth/request_time.h"

#include "worker/rules/iso8601.h"

namespace s3p::auth {
namespace {

bool to_unix(int y, int mo, int d, int h, int mi, int s, int64_t& out) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || s > 60) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  return true;
}

}  // namespace

bool parse_amz_date(std::string_view t, int64_t& out) {
  int y, mo, d, h, mi, s;
  if (t.size() != 16 || t[8] != 'T' || t[15] != 'Z') return false;
  if (!digits(t, 0, 4, y) || !digits(t, 4, 2, mo) || !digits(t, 6, 2, d) || !digits(t, 9, 2, h) ||
      !digits(t, 11, 2, mi) || !digits(t, 13, 2, s))
    return false;
  return to_unix(y, mo, d, h, mi, s, out);
}

bool parse_http_date(std::string_view t, int64_t& out) {
  // "Www, DD Mon YYYY HH:MM:SS GMT" (or "+0000", which AWS's own SigV2 examples use)
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  if (t.size() < 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
      t[22] != ':' || t[25] != ' ' || (t.substr(26) != "GMT" && t.substr(26) != "+0000"))
    return false;
  const size_t m = kMonths.find(t.substr(8, 3));
  if (m == std::string_view::npos || m % 3 != 0) return false;
  int d, y, h, mi, s;
  if (!digits(t, 5, 2, d) || !digits(t, 12, 4, y) || !digits(t, 17, 2, h) || !digits(t, 20, 2, mi) ||
      !digits(t, 23, 2, s))
    return false;
  return to_unix(y, static_cast<int>(m / 3) + 1, d, h, mi, s, out);
}

}  // namespace s3p::auth
