// Fuzzes the edge cache's parsers and plans with one input: a cached metadata record (a Cache API entry anyone
// with the same zone could have written), a Range header, conditional headers and dates. Invariants: a parsed
// record re-serializes to a record that parses to the same fields; a resolved range lies inside the object and
// its chunks cover exactly it; nothing crashes on any input.
#include <cstdint>
#include <string>

#include "worker/cache/byte_range.h"
#include "worker/cache/chunk_plan.h"
#include "worker/cache/object_meta.h"
#include "worker/cache/preconditions.h"
#include "worker/rules/http_date.h"

using namespace s3p;
using namespace s3p::cache;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  ObjectMeta m;
  if (parse_meta(in, m)) {
    ObjectMeta again;
    if (!parse_meta(serialize_meta(m), again) || again.size != m.size || again.etag != m.etag ||
        again.headers.size() != m.headers.size() || again.cacheable != m.cacheable)
      __builtin_trap();
  }
  // The input's first line is a Range header, the rest the object size's seed and conditions.
  const size_t nl = in.find('\n');
  const std::string header = in.substr(0, nl);
  const uint64_t object_size = size == 0 ? 0 : (static_cast<uint64_t>(data[size - 1]) << 12) + size;
  const RangeResolution r = resolve_range(&header, object_size);
  if (r.ask == RangeAsk::Part) {
    if (r.range.first > r.range.last || r.range.last >= object_size) __builtin_trap();
    for (uint32_t chunk : {65536u, 1000u}) {
      uint64_t covered = 0;
      for (const ChunkSpan& c : chunks_covering(r.range, object_size, chunk)) {
        if (c.offset + static_cast<uint64_t>(c.length) > c.entity_length || c.first + c.offset != r.range.first + covered)
          __builtin_trap();
        covered += c.length;
      }
      if (covered != r.range.length()) __builtin_trap();
    }
  }
  uint64_t first = 0;
  if (range_start(header, first) && header.rfind("bytes=", 0) != 0) __builtin_trap();
  const std::string rest = nl == std::string::npos ? "" : in.substr(nl + 1);
  evaluate_preconditions({{"if-match", rest}, {"if-modified-since", rest}}, header, rest);
  evaluate_preconditions({{"if-none-match", header}, {"if-unmodified-since", rest}}, rest, header);
  int64_t s = 0;
  parse_http_date(rest, s);
  return 0;
}
