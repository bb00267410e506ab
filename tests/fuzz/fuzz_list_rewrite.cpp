// libFuzzer target for worker/s3/list_rewrite (its policy, xml_scanner and xml_escape). scripts/fuzz builds and
// runs it with the others; by hand: build/fuzz/fuzz_list_rewrite -max_total_time=60 -max_len=4096 [-dict=<file>] DIR
// Seeds: real moto/AWS listings prefixed with a selector byte (0x01: P = "datasets/climate/", 0x09: the same with
// encoding-type=url). A dictionary of the element names (kwd="<Contents>", "</Key>", "&amp;", "%2B", ...) helps.
//
// The first input byte picks the rewrite's parameters; the rest is the backend document. Besides memory safety
// (ASan/UBSan), each successful rewrite is checked for:
//   - consistent counts (entries = keys + prefixes);
//   - the pagination spans (what ListOp splices): each present one covers exactly its element in the output
//     (from "<Name" to the '>' closing it), none overlap, and the root's end tag begins at root_end_at;
//   - idempotence: rewriting the output again, with the client prefix as the backend prefix and the same echoes,
//     succeeds, drops nothing and reproduces it byte for byte (so every value we write is one we read back
//     identically, in both encodings, and the output is a document the scanner accepts).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>

#include "worker/s3/list_rewrite.h"

namespace {

[[noreturn]] void die(const char* what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "fuzz_list_rewrite: %s\n--- first:\n%s\n--- second:\n%s\n", what, a.c_str(), b.c_str());
  std::abort();
}

// Every present span is "<Name>...</Name>" (whitespace allowed before either ">") or "<Name/>" in `out`, and the
// spans do not overlap.
void check_spans(const s3p::xml::ListPage& page, const std::string& doc, const std::string& out) {
  const std::pair<const s3p::xml::OutSpan*, std::string> spans[] = {
      {&page.is_truncated_at, "IsTruncated"}, {&page.max_keys_at, "MaxKeys"}, {&page.key_count_at, "KeyCount"},
      {&page.continuation_token_at, "ContinuationToken"}, {&page.next_continuation_token_at, "NextContinuationToken"},
      {&page.start_after_at, "StartAfter"}, {&page.marker_at, "Marker"}, {&page.next_marker_at, "NextMarker"}};
  for (const auto& [span, name] : spans) {
    if (!span->present()) continue;
    if (span->end > out.size()) die(("span past the output: " + name).c_str(), doc, out);
    const std::string text = out.substr(span->begin, span->end - span->begin);
    // XML lets a tag end in whitespace ("<MaxKeys >", "</MaxKeys\t>"), which the rewrite copies verbatim.
    const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    const size_t open_end = text.find('>');
    const size_t close_at = text.rfind("</");
    bool full = text.rfind("<" + name, 0) == 0 && open_end != std::string::npos && close_at != std::string::npos &&
                close_at > open_end && text.back() == '>' && text.compare(close_at + 2, name.size(), name) == 0;
    for (size_t i = 1 + name.size(); full && i < open_end; ++i) full = ws(text[i]);
    for (size_t i = close_at + 2 + name.size(); full && i + 1 < text.size(); ++i) full = ws(text[i]);
    const bool empty = text.rfind("<" + name, 0) == 0 && text.size() >= 3 && text.compare(text.size() - 2, 2, "/>") == 0;
    if (!full && !empty) die(("span is not the element " + name + ": " + text).c_str(), doc, out);
    for (const auto& [other, other_name] : spans) {
      if (other != span && other->present() && other->begin < span->end && span->begin < other->end)
        die(("overlapping spans: " + name + ", " + other_name).c_str(), doc, out);
    }
  }
  if (out.compare(page.root_end_at, 18, "</ListBucketResult") != 0) die("root_end_at is not the root's end tag", doc, out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t sel = data[0];
  const std::string_view doc(reinterpret_cast<const char*>(data + 1), size - 1);

  static const char* const kBackendPrefixes[] = {"", "datasets/climate/", "a", "p&q<r>/"};
  static const char* const kClientPrefixes[] = {"repo/", "r e+p%o&/"};
  s3p::xml::ListRewrite rw;
  rw.backend_prefix = kBackendPrefixes[sel & 3];
  rw.client_prefix = kClientPrefixes[(sel >> 2) & 1];
  rw.bucket = "acct&<>";
  rw.url_encoded = (sel >> 3) & 1;
  rw.owner_id = "owner\r1";
  if ((sel >> 4) & 1) rw.prefix_echo = "repo/x y";
  if ((sel >> 5) & 1) rw.start_after_echo = (sel >> 7) & 1 ? "" : "repo/a&b";
  if ((sel >> 6) & 1) rw.marker_echo = (sel >> 7) & 1 ? "repo/\x01" : "";

  std::string out, error;
  s3p::xml::ListPage page;
  if (!s3p::xml::rewrite_listing(doc, rw, out, error, &page)) {
    if (error.empty()) die("failure without an error", std::string(doc), "");
    return 0;
  }
  if (page.entries != page.keys + page.prefixes) die("inconsistent counts", std::string(doc), out);
  check_spans(page, std::string(doc), out);

  s3p::xml::ListRewrite again = rw;
  again.backend_prefix = rw.client_prefix;
  std::string out2;
  s3p::xml::ListPage page2;
  if (!s3p::xml::rewrite_listing(out, again, out2, error, &page2)) die(("output rejected: " + error).c_str(), out, "");
  if (out2 != out) die("not idempotent", out, out2);
  if (page2.dropped != 0 || page2.entries != page.entries) die("entries changed on the second pass", out, out2);
  if (page2.truncated != page.truncated || page2.next_token != page.next_token || page2.last_key != page.last_key ||
      page2.last_prefix != page.last_prefix)
    die("page summary changed on the second pass", out, out2);
  return 0;
}
