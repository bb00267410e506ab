#include "worker/sign/sigv4.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "mbedtls/platform_util.h"

#include "worker/util/sort.h"

namespace s3p::sigv4 {
namespace {

constexpr int64_t kMinTime = -62167219200;  // 0000-01-01T00:00:00Z
constexpr int64_t kMaxTime = 253402300799;  // 9999-12-31T23:59:59Z

inline void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Writes exactly 16 characters.
void format_amz_date(int64_t t, char* out) {
  if (t < kMinTime) t = kMinTime;
  if (t > kMaxTime) t = kMaxTime;
  int64_t days = t / 86400;
  int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  // civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"): days since 1970-01-01 -> y/m/d.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                        // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                      // [0, 11], March-based
  const unsigned d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  const unsigned m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  const unsigned y = static_cast<unsigned>(yoe + era * 400 + (m <= 2 ? 1 : 0));  // [0, 9999] after clamping
  put2(out, y / 100);
  put2(out + 2, y % 100);
  put2(out + 4, m);
  put2(out + 6, d);
  out[8] = 'T';
  put2(out + 9, static_cast<unsigned>(secs / 3600));
  put2(out + 11, static_cast<unsigned>(secs / 60 % 60));
  put2(out + 13, static_cast<unsigned>(secs % 60));
  out[15] = 'Z';
}

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

// Bytewise comparison of the lowercased names.
int icompare(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = static_cast<unsigned char>(lower(a[i]));
    const unsigned char y = static_cast<unsigned char>(lower(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

inline bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && icompare(a, b) == 0; }

// Writers into a pre-sized buffer. Per-character std::string::push_back is an out-of-line call in libc++ (the
// wasm builds' library), which made canonicalization cost more than the hashing; everything below sizes the
// output once and writes through a pointer.
inline char* put(char* p, std::string_view s) {
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

inline char* put_lower(char* p, std::string_view s) {
  for (char c : s) *p++ = lower(c);
  return p;
}

// Trim, and collapse every inner whitespace run to a single space. Writes at most v.size() bytes.
char* put_trimmed(char* p, std::string_view v) {
  bool any = false, pending_space = false;
  for (char c : v) {
    if (is_ws(c)) {
      pending_space = any;
    } else {
      if (pending_space) *p++ = ' ';
      pending_space = false;
      *p++ = c;
      any = true;
    }
  }
  return p;
}

void append_hex(std::string& out, const crypto::Digest& d) {
  static const char digits[] = "0123456789abcdef";
  const size_t start = out.size();
  out.resize(start + 2 * d.size());
  char* p = &out[start];
  for (uint8_t b : d) {
    *p++ = digits[b >> 4];
    *p++ = digits[b & 15];
  }
}

void append_scope(std::string& out, std::string_view yyyymmdd, std::string_view region, std::string_view service) {
  out.append(yyyymmdd).append(1, '/').append(region).append(1, '/').append(service).append("/aws4_request");
}

void append_string_to_sign(std::string& out, std::string_view date, std::string_view scope,
                           const crypto::Digest& creq_hash) {
  out.append(kAlgorithm).append(1, '\n').append(date).append(1, '\n').append(scope).append(1, '\n');
  append_hex(out, creq_hash);
}

struct Span {
  size_t off, len;
};

// Appends the canonical request to out; returns where the signed-headers list ("a;b;c") sits inside out.
Span append_canonical_request(std::string& out, std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const std::vector<Header>& headers,
                              std::string_view payload_hash) {
  const size_t n = headers.size();
  // Upper bound: trimming and merging only shrink values; each name appears at most once in each list.
  size_t bound = method.size() + canonical_uri.size() + canonical_query.size() + payload_hash.size() + 5;
  for (const Header& h : headers) bound += 2 * h.name.size() + h.value.size() + 3;

  // Sort pointers by lowercased name, stably, so repeated names keep their order for merging.
  constexpr size_t kStack = 32;
  const Header* stack_idx[kStack];
  std::vector<const Header*> heap_idx;
  const Header** idx = stack_idx;
  if (n > kStack) {
    heap_idx.resize(n);
    idx = heap_idx.data();
  }
  for (size_t i = 0; i < n; ++i) idx[i] = &headers[i];
  auto less = [](const Header* a, const Header* b) { return icompare(a->name, b->name) < 0; };
  if (n <= kStack) {
    for (size_t i = 1; i < n; ++i) {  // insertion sort: stable, no allocation, fast for the usual handful
      const Header* x = idx[i];
      size_t j = i;
      for (; j > 0 && less(x, idx[j - 1]); --j) idx[j] = idx[j - 1];
      idx[j] = x;
    }
  } else {
    util::sort(idx, idx + n, less);
  }

  const size_t start = out.size();
  out.resize(start + bound);
  char* const base = &out[0];
  char* p = base + start;
  p = put(p, method);
  *p++ = '\n';
  p = put(p, canonical_uri);
  *p++ = '\n';
  p = put(p, canonical_query);
  *p++ = '\n';
  for (size_t i = 0; i < n;) {
    const std::string_view name = idx[i]->name;
    p = put_lower(p, name);
    *p++ = ':';
    p = put_trimmed(p, idx[i]->value);
    size_t j = i + 1;
    for (; j < n && iequals(idx[j]->name, name); ++j) {
      *p++ = ',';
      p = put_trimmed(p, idx[j]->value);
    }
    *p++ = '\n';
    i = j;
  }
  *p++ = '\n';
  const size_t signed_off = static_cast<size_t>(p - base);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && iequals(idx[i]->name, idx[i - 1]->name)) continue;
    if (p - base != static_cast<std::ptrdiff_t>(signed_off)) *p++ = ';';
    p = put_lower(p, idx[i]->name);
  }
  const size_t signed_len = static_cast<size_t>(p - base) - signed_off;
  *p++ = '\n';
  p = put(p, payload_hash);
  out.resize(static_cast<size_t>(p - base));
  return Span{signed_off, signed_len};
}

// Replaces the value of the first header named `name` (case-insensitively), or appends one.
void set_header(std::vector<Header>& headers, std::string_view name, std::string_view value) {
  for (Header& h : headers) {
    if (iequals(h.name, name)) {
      h.value.assign(value.data(), value.size());
      return;
    }
  }
  headers.push_back(Header{std::string(name), std::string(value)});
}

}  // namespace

std::string amz_date(int64_t unix_seconds) {
  char buf[16];
  format_amz_date(unix_seconds, buf);
  return std::string(buf, sizeof buf);
}

std::string canonical_query(const std::vector<http::QueryParam>& params) {
  // Encode everything into one buffer, sort spans of it, then join: three allocations whatever the count.
  struct Piece {
    size_t name_off, name_len, value_off, value_len;
  };
  std::string buf;
  size_t raw = 0;
  for (const auto& p : params) raw += p.name.size() + p.value.size();
  buf.reserve(raw + raw / 2);
  std::vector<Piece> spans;
  spans.reserve(params.size());
  for (const auto& p : params) {
    Piece s;
    s.name_off = buf.size();
    http::uri_encode_append(buf, p.name, true);
    s.name_len = buf.size() - s.name_off;
    s.value_off = buf.size();
    http::uri_encode_append(buf, p.value, true);
    s.value_len = buf.size() - s.value_off;
    spans.push_back(s);
  }
  const std::string_view all(buf);
  util::sort(spans.begin(), spans.end(), [all](const Piece& a, const Piece& b) {
    const int c = all.substr(a.name_off, a.name_len).compare(all.substr(b.name_off, b.name_len));
    if (c != 0) return c < 0;
    return all.substr(a.value_off, a.value_len) < all.substr(b.value_off, b.value_len);
  });
  std::string out;
  out.reserve(buf.size() + 2 * spans.size());
  for (const Piece& s : spans) {
    if (!out.empty()) out.push_back('&');
    out.append(all.substr(s.name_off, s.name_len)).append(1, '=').append(all.substr(s.value_off, s.value_len));
  }
  return out;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const std::vector<Header>& headers,
                              std::string_view payload_hash, std::string* signed_headers_out) {
  std::string out;
  const Span sh = append_canonical_request(out, method, canonical_uri, canonical_query, headers, payload_hash);
  if (signed_headers_out) signed_headers_out->assign(out, sh.off, sh.len);
  return out;
}

std::string credential_scope(std::string_view yyyymmdd, std::string_view region, std::string_view service) {
  std::string out;
  out.reserve(yyyymmdd.size() + region.size() + service.size() + 15);
  append_scope(out, yyyymmdd, region, service);
  return out;
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + scope.size() + 3 + 64);
  append_string_to_sign(out, amz_date, scope, crypto::sha256(canonical_request));
  return out;
}

crypto::Digest derive_signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                                  std::string_view service) {
  // "AWS4" + secret without a heap allocation for the usual 40-byte secret.
  char stack_key[4 + 128];
  std::string heap_key;
  char* k = stack_key;
  const size_t klen = 4 + secret.size();
  if (klen > sizeof stack_key) {
    heap_key.resize(klen);
    k = &heap_key[0];
  }
  std::memcpy(k, "AWS4", 4);
  if (!secret.empty()) std::memcpy(k + 4, secret.data(), secret.size());
  crypto::Digest d = crypto::hmac_sha256(std::string_view(k, klen), yyyymmdd);
  mbedtls_platform_zeroize(k, klen);
  d = crypto::hmac_sha256(crypto::as_view(d), region);
  d = crypto::hmac_sha256(crypto::as_view(d), service);
  return crypto::hmac_sha256(crypto::as_view(d), "aws4_request");
}

std::string signature(const crypto::Digest& signing_key, std::string_view string_to_sign) {
  std::string out;
  out.reserve(64);
  append_hex(out, crypto::hmac_sha256(crypto::as_view(signing_key), string_to_sign));
  return out;
}

// ---- SigningKeyCache ----

SigningKeyCache::SigningKeyCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {
  entries_.reserve(capacity_);
}

SigningKeyCache::~SigningKeyCache() { clear(); }

void SigningKeyCache::wipe(Entry& e) {
  if (!e.secret.empty()) mbedtls_platform_zeroize(&e.secret[0], e.secret.size());
  mbedtls_platform_zeroize(e.key.data(), e.key.size());
}

void SigningKeyCache::clear() {
  for (Entry& e : entries_) wipe(e);
  entries_.clear();
}

crypto::Digest SigningKeyCache::get(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                                    std::string_view service) {
  ++clock_;
  Entry* victim = nullptr;
  for (Entry& e : entries_) {
    if (yyyymmdd.size() == sizeof e.date && std::memcmp(e.date, yyyymmdd.data(), sizeof e.date) == 0 &&
        e.region == region && e.service == service && crypto::equal_ct(e.secret, secret)) {
      e.last_used = clock_;
      ++hits_;
      return e.key;
    }
    if (!victim || e.last_used < victim->last_used) victim = &e;
  }
  ++misses_;
  const crypto::Digest key = derive_signing_key(secret, yyyymmdd, region, service);
  // A malformed date is never cached (it cannot be a real scope); the key is still returned for it.
  if (yyyymmdd.size() != 8) return key;
  if (entries_.size() < capacity_) {
    entries_.emplace_back();
    victim = &entries_.back();
  } else {
    wipe(*victim);
  }
  victim->secret.assign(secret.data(), secret.size());
  std::memcpy(victim->date, yyyymmdd.data(), sizeof victim->date);
  victim->region.assign(region.data(), region.size());
  victim->service.assign(service.data(), service.size());
  victim->key = key;
  victim->last_used = clock_;
  return key;
}

// ---- the signer ----

void sign_request(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                  std::vector<Header>& headers, std::string_view payload_hash, const Credentials& creds,
                  std::string_view region, std::string_view service, int64_t unix_seconds, SigningKeyCache& cache) {
  char date_buf[16];
  format_amz_date(unix_seconds, date_buf);
  const std::string_view date(date_buf, sizeof date_buf);
  const std::string_view day = date.substr(0, 8);

  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const Header& h) { return iequals(h.name, "authorization"); }),
                headers.end());
  headers.reserve(headers.size() + 4);
  set_header(headers, "x-amz-date", date);
  if (service == "s3") set_header(headers, "x-amz-content-sha256", payload_hash);
  if (!creds.session_token.empty()) set_header(headers, "x-amz-security-token", creds.session_token);

  std::string creq;
  const Span sh = append_canonical_request(creq, method, canonical_uri, canonical_query, headers, payload_hash);
  const crypto::Digest creq_hash = crypto::sha256(creq);

  // Authorization up to the signature, taking SignedHeaders from the canonical request before its buffer is
  // reused for the string to sign. The scope is read back out of this buffer.
  std::string auth;
  auth.reserve(kAlgorithm.size() + 12 + creds.access_key_id.size() + 1 + day.size() + region.size() +
               service.size() + 15 + 16 + sh.len + 12 + 64);
  auth.append(kAlgorithm).append(" Credential=").append(creds.access_key_id).append(1, '/');
  const size_t scope_off = auth.size();
  append_scope(auth, day, region, service);
  const size_t scope_len = auth.size() - scope_off;
  auth.append(", SignedHeaders=").append(creq, sh.off, sh.len).append(", Signature=");

  creq.clear();
  append_string_to_sign(creq, date, std::string_view(auth).substr(scope_off, scope_len), creq_hash);

  crypto::Digest key = cache.get(creds.secret_access_key, day, region, service);
  const crypto::Digest sig = crypto::hmac_sha256(crypto::as_view(key), creq);
  mbedtls_platform_zeroize(key.data(), key.size());

  append_hex(auth, sig);
  headers.push_back(Header{"authorization", std::move(auth)});
}

}  // namespace s3p::sigv4
