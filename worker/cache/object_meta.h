// What the cache knows of an object without its bytes: size, ETag and the headers a GetObject/HeadObject answer
// carries. Learnt from any successful origin answer for the object, kept for a short TTL (in the isolate and in
// the Cache API) so that HEAD, conditionals and the chunk plan need no origin request.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "worker/http/headers.h"

namespace s3p::cache {

struct ObjectMeta {
  uint64_t size = 0;
  std::string etag;           // as the origin sent it (quoted)
  std::string last_modified;  // HTTP-date, may be empty
  // False: the object's bytes must not be cached (encoded, encrypted with a customer key, no ETag): requests for
  // it go to the origin directly until the metadata expires.
  bool cacheable = false;
  Headers headers;            // what the answers replay: type, last-modified, etag, x-amz-meta-*, … (no lengths)
  double expires_ms = 0;      // wall clock
};

// Learns the metadata from an origin answer to a GET or HEAD of the whole object (200), or a GET of a range (206,
// whose Content-Range gives the size). `keep` says which response headers an answer may replay. False when the
// answer does not say enough (no usable size).
bool learn_meta(uint32_t status, const Headers& response, bool (*keep)(std::string_view), ObjectMeta& out);

// The Cache API entry's form: a small text record. parse_meta is false for anything that is not exactly such a
// record (a corrupt or foreign entry is a miss).
std::string serialize_meta(const ObjectMeta& m);
bool parse_meta(std::string_view text, ObjectMeta& out);

}  // namespace s3p::cache
