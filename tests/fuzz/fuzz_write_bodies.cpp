// Fuzzes what the write path reads from clients: the CompleteMultipartUpload part list, the DeleteObjects key
// list, and the x-amz-copy-source header. The first byte picks the parser. Must never crash; what a parser
// accepts must hold its promises (a re-rendered part list parses again to the same list; a copy source never
// carries a dot segment or an over-long key).
#include <cstdint>
#include <string>

#include "worker/ops/complete_multipart_upload.h"
#include "worker/ops/delete_objects.h"
#include "worker/route/copy_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto doc = s3p::complete_document(in);
      if (doc.ok) {
        auto again = s3p::complete_document(doc.value);
        if (!again.ok || again.value != doc.value) __builtin_trap();
      }
      break;
    }
    case 1: {
      auto req = s3p::parse_delete_request(in);
      if (req.ok && (req.value.objects.empty() || req.value.objects.size() > 1000)) __builtin_trap();
      break;
    }
    case 2: {
      s3p::CopySource src;
      if (s3p::parse_copy_source(in, src) == s3p::CopySourceError::None &&
          (src.route.kind != s3p::Route::Kind::Object || src.route.tail.size() > 1024 || s3p::has_dot_segment(src.route.tail)))
        __builtin_trap();
      break;
    }
  }
  return 0;
}
