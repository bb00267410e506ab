// libFuzzer target for worker/azure/list_blobs (the List Blobs → S3 listing renderer, over xml_scanner and
// xml_escape). scripts/fuzz builds and runs it with the others; by hand:
//   build/fuzz/fuzz_azure_list -max_total_time=60 -max_len=4096 -dict=tests/fuzz/dict/fuzz_azure_list.dict DIR
// Seeds (tests/fuzz/corpus/fuzz_azure_list): Azurite's answers from tests/unit/fixtures/azure_list behind a
// selector byte.
//
// The first input byte picks the render's parameters; the rest is the Azure document. It must never crash
// (ASan/UBSan), and each successful render is checked for:
//   - consistent counts (entries = keys + prefixes) and a truncated page only with a marker;
//   - the control spans: each present one is exactly its element, and the root's end tag is at root_end_at;
//   - that the core reads its own output back: the S3 path's rewrite (xml::rewrite_listing) accepts the document
//     as a backend listing with the client prefix as the backend prefix, drops nothing, and finds the same keys,
//     prefixes, last key and last prefix (so every value written is one that reads back identically, in both
//     encodings).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "worker/azure/list_blobs.h"
#include "worker/s3/list_rewrite.h"

namespace {

[[noreturn]] void die(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "fuzz_azure_list: %s\n--- first:\n%s\n--- second:\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

void check_spans(const s3p::xml::ListPage& page, const std::string& doc, const std::string& out) {
  const std::pair<const s3p::xml::OutSpan*, std::string> spans[] = {
      {&page.is_truncated_at, "IsTruncated"}, {&page.max_keys_at, "MaxKeys"}, {&page.key_count_at, "KeyCount"},
      {&page.continuation_token_at, "ContinuationToken"}, {&page.next_continuation_token_at, "NextContinuationToken"},
      {&page.start_after_at, "StartAfter"}, {&page.marker_at, "Marker"}, {&page.next_marker_at, "NextMarker"}};
  for (const auto& [span, name] : spans) {
    if (!span->present()) continue;
    if (span->end > out.size()) die(("span past the output: " + name).c_str(), doc, out);
    const std::string text = out.substr(span->begin, span->end - span->begin);
    if (text.rfind("<" + name + ">", 0) != 0 || text.size() < name.size() * 2 + 5 ||
        text.compare(text.size() - name.size() - 3, std::string::npos, "</" + name + ">") != 0)
      die(("span is not the element " + name + ": " + text).c_str(), doc, out);
  }
  if (out.compare(page.root_end_at, std::string::npos, "</ListBucketResult>") != 0)
    die("root_end_at is not the root's end tag", doc, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const std::string doc(reinterpret_cast<const char*>(data + 1), size - 1);

  static const char* const kBackendPrefixes[] = {"", "data/", "d", "p&q<r>/"};
  static const char* const kClientPrefixes[] = {"repo/", "r e+p%o&/"};
  static const char* const kStarts[] = {"", "repo/deep/", "repo/hello.txt", "r e+p%o&/a&b"};
  s3p::azure::ListRender r;
  r.backend_prefix = kBackendPrefixes[sel & 3];
  r.client_prefix = kClientPrefixes[(sel >> 2) & 1];
  r.bucket = "acct&<>";
  r.url_encoded = (sel >> 3) & 1;
  r.v2 = !((sel >> 4) & 1);
  r.prefix = r.client_prefix;
  if ((sel >> 5) & 1) r.delimiter = "/";
  r.start_after = kStarts[(sel >> 6) & 3];
  r.owner_id = r.v2 ? "" : "owner\r1";
  if (r.v2 && (sel & 0x40)) r.continuation_token = "tok&1";
  r.seal_marker = [](std::string_view marker) { return "sealed:" + std::to_string(marker.size()); };

  std::string out, error;
  s3p::xml::ListPage page;
  if (!s3p::azure::render_listing(doc, r, out, error, &page)) {
    if (error.empty()) die("failure without an error", doc, "");
    return 0;
  }
  if (page.entries != page.keys + page.prefixes) die("inconsistent counts", doc, out);
  if (page.truncated != (page.has_next_token && !page.next_token.empty())) die("truncated without a marker", doc, out);
  check_spans(page, doc, out);

  s3p::xml::ListRewrite rw;
  rw.backend_prefix = r.client_prefix;
  rw.client_prefix = r.client_prefix;
  rw.bucket = r.bucket;
  rw.url_encoded = r.url_encoded;
  rw.owner_id = r.owner_id;
  rw.prefix_echo = r.prefix;
  rw.prefix_echo_encoded = r.v2;
  if (r.v2) rw.start_after_echo = r.start_after;
  else rw.marker_echo = r.start_after;
  std::string out2;
  s3p::xml::ListPage page2;
  if (!s3p::xml::rewrite_listing(out, rw, out2, error, &page2)) die(("output rejected: " + error).c_str(), out, "");
  if (page2.dropped != 0 || page2.keys != page.keys || page2.prefixes != page.prefixes)
    die("entries changed when read back", out, out2);
  if (page2.last_key != page.last_key || page2.last_prefix != page.last_prefix) die("keys changed when read back", out, out2);
  if (page2.truncated != page.truncated) die("truncation changed when read back", out, out2);
  return 0;
}
