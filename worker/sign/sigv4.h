// AWS Signature Version 4 (header form): canonicalization, string to sign, signing-key derivation and caching,
// and the one-call signer used for outbound backend requests. The pieces are public so that inbound verification
// can rebuild the same canonical request from a client's request and compare signatures with crypto::equal_ct.
//
// Not thread-safe (the core is single-threaded inside a wasm isolate); a SigningKeyCache belongs to one core.
// Nothing here logs; secrets and derived keys never appear in any returned string except as an HMAC output.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/crypto/sha256.h"
#include "worker/http/uri.h"

namespace s3p::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// A body in signed aws-chunked framing: each chunk signed, chained from the request's signature (the seed).
inline constexpr std::string_view kStreamingSignedPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";

// "YYYYMMDDTHHMMSSZ" in UTC (proleptic Gregorian, no time-zone database). Times outside years 0000..9999 are
// clamped to that range so the result is always 16 characters. The first 8 characters are the scope date.
std::string amz_date(int64_t unix_seconds);

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;
};

struct Header {
  std::string name, value;
};

// Each name and value uri_encode(..., true)'d, sorted by encoded name then encoded value, "n=v" joined with '&'
// ("n=" when the value is empty or absent).
std::string canonical_query(const std::vector<http::QueryParam>& params);

// The SigV4 canonical request:
//   method \n canonical_uri \n canonical_query \n (name:value\n)* \n signed_headers \n payload_hash
// Header names are lowercased and sorted (bytewise); values are trimmed and every inner run of whitespace
// (SP, HT, CR, LF, VT, FF) becomes one space; repeated names are merged into one line, values joined with ','
// in the order given. Every header passed is signed. signed_headers_out (optional) receives "a;b;c".
std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, const std::vector<Header>& headers,
                              std::string_view payload_hash, std::string* signed_headers_out);

// "yyyymmdd/region/service/aws4_request".
std::string credential_scope(std::string_view yyyymmdd, std::string_view region, std::string_view service);

// "AWS4-HMAC-SHA256\n" amz_date "\n" scope "\n" hex(sha256(canonical_request)).
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request").
crypto::Digest derive_signing_key(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                                  std::string_view service);

// Lowercase hex of HMAC(signing_key, string_to_sign).
std::string signature(const crypto::Digest& signing_key, std::string_view string_to_sign);

// Derived signing keys keyed by (secret, yyyymmdd, region, service). Deriving costs four HMACs and one key serves
// a whole UTC day, so a handful of entries covers every backend an isolate talks to. When full, the least
// recently used entry is replaced. Secrets and keys are zeroized when replaced, cleared or destroyed.
class SigningKeyCache {
 public:
  static constexpr size_t kDefaultCapacity = 16;
  explicit SigningKeyCache(size_t capacity = kDefaultCapacity);
  ~SigningKeyCache();
  SigningKeyCache(const SigningKeyCache&) = delete;
  SigningKeyCache& operator=(const SigningKeyCache&) = delete;

  // The signing key, derived on a miss. yyyymmdd must be the 8-character scope date.
  crypto::Digest get(std::string_view secret, std::string_view yyyymmdd, std::string_view region,
                     std::string_view service);

  void clear();
  size_t size() const { return entries_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    std::string secret;
    char date[8];
    std::string region, service;
    crypto::Digest key;
    uint64_t last_used;
  };
  static void wipe(Entry& e);

  std::vector<Entry> entries_;
  size_t capacity_;
  uint64_t clock_ = 0, hits_ = 0, misses_ = 0;
};

// Signs an outbound request in place. `headers` must contain host and holds exactly the headers to sign (the
// caller leaves out hop-by-hop or mutable ones such as accept-encoding). The signer sets (replacing any existing
// header of that name, case-insensitively) x-amz-date, x-amz-content-sha256 = payload_hash when service == "s3",
// and x-amz-security-token when creds.session_token is non-empty; all of those are signed. Any existing
// authorization header is removed, and the new one is appended last:
//   AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=..., Signature=...
// canonical_uri and canonical_query must already be in canonical (encoded, sorted) form.
void sign_request(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                  std::vector<Header>& headers, std::string_view payload_hash, const Credentials& creds,
                  std::string_view region, std::string_view service, int64_t unix_seconds, SigningKeyCache& cache);

}  // namespace s3p::sigv4
