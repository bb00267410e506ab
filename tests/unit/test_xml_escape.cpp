// The core's one XML escaper (worker/s3/xml_escape.h): what it escapes, that unescape inverts it, and that the
// documents the core renders (errors, local listings) and the listings it rewrites escape alike.
#include <catch2/catch.hpp>

#include "worker/s3/list_rewrite.h"
#include "worker/s3/xml.h"

using namespace s3p;

TEST_CASE("the escaper: the five predefined entities, C0 controls but TAB and LF as &#N;, all else as is",
          "[xml][escape]") {
  CHECK(xml::escaped("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  CHECK(xml::escaped(std::string("\x01\t\n\r\x1f", 5)) == "&#1;\t\n&#13;&#31;");
  CHECK(xml::escaped("unicodé-ключ/+=%20 ~") == "unicodé-ключ/+=%20 ~");
  CHECK(xml::escaped("") == "");
  // The SWAR fast path and the byte loop agree wherever the special byte falls in an 8-byte word.
  for (size_t at = 0; at < 20; ++at)
    for (char c : {'&', '<', '>', '"', '\'', '\r', '\x01'}) {
      std::string s(20, 'x');
      s[at] = c;
      const std::string e = xml::escaped(s);
      CHECK(e.size() > s.size());
      CHECK(xml::is_literal_text(s) == (c == '"' || c == '\''));  // quotes are valid raw text
      std::string back;
      REQUIRE(xml::unescape(e, back));
      CHECK(back == s);
    }
  CHECK(xml::is_literal_text("plain/key with spaces\tand\nbreaks"));
}

TEST_CASE("unescape inverts the escaper for every byte but NUL, and refuses what is not XML", "[xml][escape]") {
  std::string all;
  for (int c = 1; c < 256; ++c) all += static_cast<char>(c);
  std::string back;
  REQUIRE(xml::unescape(xml::escaped(all), back));
  CHECK(back == all);
  CHECK(xml::unescape("&#x41;&#66;&#x10FFFF;", back));
  CHECK(back == "AB\xF4\x8F\xBF\xBF");
  for (const char* bad : {"&", "a & b", "&unknown;", "&#0;", "&#xD800;", "&#x110000;", "&#;", "&#x;", "&amp"})
    CHECK_FALSE(xml::unescape(bad, back));
}

TEST_CASE("error documents and rewritten listings escape with the same escaper", "[xml][escape]") {
  const std::string odd = "q\"a'b&c\x01";
  const std::string doc = xml::error_document("Code", odd, "/r", "ID");
  CHECK(doc.find("<Message>" + xml::escaped(odd) + "</Message>") != std::string::npos);

  xml::ListRewrite rw;
  rw.backend_prefix = "p/";
  rw.client_prefix = "repo/";
  rw.bucket = "acct";
  std::string out, error;
  REQUIRE(xml::rewrite_listing("<ListBucketResult><Contents><Key>p/" + xml::escaped(odd) +
                                   "</Key></Contents></ListBucketResult>",
                               rw, out, error));
  CHECK(out.find("<Key>repo/" + xml::escaped(odd) + "</Key>") != std::string::npos);
}
