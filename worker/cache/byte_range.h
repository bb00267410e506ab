// A client's Range header resolved against an object's size, the way S3 answers it — or handed back to the origin
// when reproducing S3's answer would mean copying its corner cases.
#pragma once
#include <cstdint>
#include <string>

namespace s3p::cache {

struct ByteRange {
  uint64_t first = 0, last = 0;  // inclusive
  uint64_t length() const { return last - first + 1; }
};

enum class RangeAsk {
  Whole,      // no Range: the whole object
  Part,       // one satisfiable range, clamped to the object (a 206)
  AskOrigin,  // several ranges, an unsatisfiable or malformed one, any range on an empty object
};

struct RangeResolution {
  RangeAsk ask = RangeAsk::Whole;
  ByteRange range;  // Part
};

// `header` null = no Range header.
RangeResolution resolve_range(const std::string* header, uint64_t size);

// The first byte a Range asks for when that is known without the object's size ("a-b", "a-"), for choosing the
// chunk to fetch before the size is known. False for suffix ranges ("-n") and anything resolve_range would not
// take as one simple range.
bool range_start(const std::string& header, uint64_t& first);

}  // namespace s3p::cache
