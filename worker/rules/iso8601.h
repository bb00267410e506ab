// STS <Expiration> timestamps: "2026-11-26T13:00:00Z", with optional fractional seconds ("...:00.123456Z") and
// an optional numeric offset instead of Z ("+00:00"). Parsed without a time-zone database (UTC arithmetic only).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace s3p {

// Unix milliseconds, or false when the text is not such a timestamp (or names an impossible date/time).
bool parse_iso8601_ms(std::string_view text, int64_t& out_ms);

// The n decimal digits of s at pos as a number; false if any is not a digit or s is too short.
bool digits(std::string_view s, size_t pos, size_t n, int& out);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

// Unix seconds of a UTC date and time, or false for an impossible one (month, day of that month in that year,
// hour, minute, second up to a leap second's 60). Every timestamp parser of the core validates through this.
bool civil_to_unix(int y, int mo, int d, int h, int mi, int s, int64_t& out_s);
// "YYYY-MM-DDTHH:MM:SSZ" of unix seconds (years 1970-9999), as STS writes <Expiration>.
std::string format_iso8601(int64_t unix_s);

}  // namespace s3p
