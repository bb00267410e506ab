// Backend ListBucketResult -> the client's key space (worker/s3/list_rewrite.h).
//
// The moto fixtures are byte-exact captures of moto 5.2.1's responses (moto_server, bucket "backend-b", objects put
// with boto3), assembled from the captured entry shapes so each test shows only what matters. The AWS fixtures
// follow AWS S3's documented/observed shape (element order, &quot; ETags, Owner ID before DisplayName, '+' for a
// space under encoding-type=url, '/' left raw).
#include <catch2/catch.hpp>

#include <tinyxml2.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <string>
#include <vector>

#include "worker/s3/list_rewrite.h"

using s3p::xml::ListPage;
using s3p::xml::ListRewrite;
using s3p::xml::rewrite_listing;

namespace {

const char* const kDecl = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
const char* const kRoot = "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
const char* const kMotoOwner =
    "<Owner><DisplayName>webfile</DisplayName>"
    "<ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>";

// moto's <Contents> for ListObjectsV2 (with fetch-owner: the Owner after StorageClass) and ListObjects (V1 always
// carries the Owner, and no ChecksumAlgorithm).
std::string moto_v2(const std::string& key, bool owner = false, const std::string& owner_xml = kMotoOwner) {
  return "<Contents><Key>" + key +
         "</Key><LastModified>2026-11-26T12:51:40.000Z</LastModified>"
         "<ETag>\"5d41402abc4b2a76b9719d911017c592\"</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>5</Size>"
         "<StorageClass>STANDARD</StorageClass>" +
         (owner ? owner_xml : std::string()) + "</Contents>";
}
std::string moto_v1(const std::string& key, const std::string& owner_xml = kMotoOwner) {
  return "<Contents><Key>" + key +
         "</Key><LastModified>2026-11-26T12:51:40.000Z</LastModified>"
         "<ETag>\"5d41402abc4b2a76b9719d911017c592\"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass>" +
         owner_xml + "</Contents>";
}
std::string cp(const std::string& prefix) { return "<CommonPrefixes><Prefix>" + prefix + "</Prefix></CommonPrefixes>"; }
std::string owner(const std::string& id) { return "<Owner><DisplayName>" + id + "</DisplayName><ID>" + id + "</ID></Owner>"; }

// AWS S3's <Contents> (fetch-owner puts Owner before StorageClass).
std::string aws_v2(const std::string& key, const std::string& owner_xml = "") {
  return "<Contents><Key>" + key +
         "</Key><LastModified>2024-05-02T10:11:12.000Z</LastModified>"
         "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm>"
         "<ChecksumType>FULL_OBJECT</ChecksumType><Size>1048576</Size>" +
         owner_xml + "<StorageClass>STANDARD</StorageClass></Contents>";
}

ListRewrite climate(bool url = false) {
  ListRewrite rw;
  rw.backend_prefix = "datasets/climate/";
  rw.client_prefix = "repo/";
  rw.bucket = "acct";
  rw.url_encoded = url;
  rw.owner_id = "owner-1";
  return rw;
}

std::string rewrite_ok(const std::string& in, const ListRewrite& rw, ListPage* page = nullptr) {
  std::string out, error;
  const bool ok = rewrite_listing(in, rw, out, error, page);
  INFO("error: " << error);
  REQUIRE(ok);
  CHECK(error.empty());
  // Nothing about the backend survives.
  CHECK(out.find("backend-b") == std::string::npos);
  CHECK(out.find("datasets/") == std::string::npos);
  CHECK(out.find("webfile") == std::string::npos);
  return out;
}

std::string rewrite_error(const std::string& in, const ListRewrite& rw) {
  std::string out, error;
  CHECK_FALSE(rewrite_listing(in, rw, out, error));
  CHECK_FALSE(error.empty());
  return error;
}

// The keys (or prefixes) a conforming XML parser reads back out of a document.
std::vector<std::string> parsed(const std::string& doc, const char* entry, const char* field) {
  tinyxml2::XMLDocument d;
  REQUIRE(d.Parse(doc.data(), doc.size()) == tinyxml2::XML_SUCCESS);
  std::vector<std::string> out;
  for (auto* e = d.RootElement()->FirstChildElement(entry); e; e = e->NextSiblingElement(entry)) {
    const char* t = e->FirstChildElement(field)->GetText();
    out.push_back(t ? t : "");
  }
  return out;
}

}  // namespace

TEST_CASE("moto V2 listing without delimiter: keys, name and awkward characters", "[list_rewrite]") {
  const std::string in = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" +
                         moto_v2("datasets/climate/a.txt") + moto_v2("datasets/climate/amp&amp;lt&lt;gt&gt;.txt") +
                         moto_v2("datasets/climate/cr\rlf.txt") + moto_v2("datasets/climate/dir/c d.txt") +
                         moto_v2("datasets/climate/double//slash.txt") + moto_v2("datasets/climate/pct%20x.txt") +
                         moto_v2("datasets/climate/plus+sign.txt") + moto_v2("datasets/climate/unicodé/ሴ.txt") +
                         "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><MaxKeys>1000</MaxKeys>"
                         "<KeyCount>8</KeyCount></ListBucketResult>";
  const std::string want = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" + moto_v2("repo/a.txt") +
                           moto_v2("repo/amp&amp;lt&lt;gt&gt;.txt") + moto_v2("repo/cr&#13;lf.txt") +
                           moto_v2("repo/dir/c d.txt") + moto_v2("repo/double//slash.txt") +
                           moto_v2("repo/pct%20x.txt") + moto_v2("repo/plus+sign.txt") +
                           moto_v2("repo/unicodé/ሴ.txt") +
                           "<Name>acct</Name><Prefix>repo/</Prefix><MaxKeys>1000</MaxKeys>"
                           "<KeyCount>8</KeyCount></ListBucketResult>";
  ListPage page;
  const std::string out = rewrite_ok(in, climate(), &page);
  CHECK(out == want);
  CHECK(page.keys == 8);
  CHECK(page.prefixes == 0);
  CHECK(page.entries == 8);
  CHECK(page.dropped == 0);
  CHECK_FALSE(page.truncated);
  CHECK_FALSE(page.has_next_token);
  CHECK(page.last_key == "repo/unicodé/ሴ.txt");
  // A parser reads the exact client keys back (the CR survives as &#13;).
  CHECK(parsed(out, "Contents", "Key") ==
        std::vector<std::string>{"repo/a.txt", "repo/amp&lt<gt>.txt", "repo/cr\rlf.txt", "repo/dir/c d.txt",
                                 "repo/double//slash.txt", "repo/pct%20x.txt", "repo/plus+sign.txt",
                                 "repo/unicodé/ሴ.txt"});
}

TEST_CASE("moto V2 with delimiter and encoding-type=url", "[list_rewrite]") {
  const std::string in =
      std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" + moto_v2("datasets/climate/a.txt") +
      moto_v2("datasets/climate/amp%26lt%3Cgt%3E.txt") + moto_v2("datasets/climate/cr%0Dlf.txt") +
      moto_v2("datasets/climate/pct%2520x.txt") + moto_v2("datasets/climate/plus%2Bsign.txt") +
      "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>" +
      cp("datasets/climate/dir/") + cp("datasets/climate/double/") + cp("datasets/climate/unicod%C3%A9/") +
      "<EncodingType>url</EncodingType><KeyCount>8</KeyCount></ListBucketResult>";
  const std::string want = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" + moto_v2("repo/a.txt") +
                           moto_v2("repo/amp%26lt%3Cgt%3E.txt") + moto_v2("repo/cr%0Dlf.txt") +
                           moto_v2("repo/pct%2520x.txt") + moto_v2("repo/plus%2Bsign.txt") +
                           "<Name>acct</Name><Prefix>repo/</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>" +
                           cp("repo/dir/") + cp("repo/double/") + cp("repo/unicod%C3%A9/") +
                           "<EncodingType>url</EncodingType><KeyCount>8</KeyCount></ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(true), &page) == want);
  CHECK(page.keys == 5);
  CHECK(page.prefixes == 3);
  CHECK(page.entries == 8);
  CHECK(page.last_key == "repo/plus+sign.txt");  // decoded
  CHECK(page.last_prefix == "repo/unicodé/");
}

TEST_CASE("moto V2 fetch-owner, truncated: owner replaced, token reported and kept", "[list_rewrite]") {
  const std::string in = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>" +
                         moto_v2("datasets/climate/a.txt", true) + moto_v2("datasets/climate/b.txt", true) +
                         "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><MaxKeys>2</MaxKeys>"
                         "<KeyCount>2</KeyCount><NextContinuationToken>32e6074192992fa9edfe8854e26d9909"
                         "</NextContinuationToken></ListBucketResult>";
  const std::string want = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>" +
                           moto_v2("repo/a.txt", true, owner("owner-1")) +
                           moto_v2("repo/b.txt", true, owner("owner-1")) +
                           "<Name>acct</Name><Prefix>repo/</Prefix><MaxKeys>2</MaxKeys>"
                           "<KeyCount>2</KeyCount><NextContinuationToken>32e6074192992fa9edfe8854e26d9909"
                           "</NextContinuationToken></ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(), &page) == want);
  CHECK(page.truncated);
  CHECK(page.has_next_token);
  CHECK(page.next_token == "32e6074192992fa9edfe8854e26d9909");
  CHECK(page.last_key == "repo/b.txt");
}

TEST_CASE("moto V2 start-after: mapped, or replaced by the client's exact value", "[list_rewrite]") {
  const std::string body = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>" +
                           moto_v2("datasets/climate/cr%0Dlf.txt") + moto_v2("datasets/climate/dir/b.txt") +
                           "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><MaxKeys>2</MaxKeys>"
                           "<EncodingType>url</EncodingType><KeyCount>2</KeyCount>"
                           "<NextContinuationToken>27c5eb85872b330eaee820b8c6964e37</NextContinuationToken>";
  const std::string in = body + "<StartAfter>datasets/climate/b</StartAfter></ListBucketResult>";
  const std::string head = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>" +
                           moto_v2("repo/cr%0Dlf.txt") + moto_v2("repo/dir/b.txt") +
                           "<Name>acct</Name><Prefix>repo/</Prefix><MaxKeys>2</MaxKeys>"
                           "<EncodingType>url</EncodingType><KeyCount>2</KeyCount>"
                           "<NextContinuationToken>27c5eb85872b330eaee820b8c6964e37</NextContinuationToken>";
  CHECK(rewrite_ok(in, climate(true)) == head + "<StartAfter>repo/b</StartAfter></ListBucketResult>");

  ListRewrite rw = climate(true);
  rw.start_after_echo = "repo/a b+c";  // what the client sent (decoded); encoded like a key
  rw.marker_echo = "";                 // V1 field: not added to a V2 document
  CHECK(rewrite_ok(in, rw) == head + "<StartAfter>repo/a%20b%2Bc</StartAfter></ListBucketResult>");
}

TEST_CASE("moto V1 with delimiter: prefixes mapped, V1 owner replaced", "[list_rewrite]") {
  const std::string in = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" +
                         moto_v1("datasets/climate/a.txt") + moto_v1("datasets/climate/cr\rlf.txt") +
                         "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><Delimiter>/</Delimiter>"
                         "<MaxKeys>1000</MaxKeys>" +
                         cp("datasets/climate/dir/") + cp("datasets/climate/unicodé/") + "</ListBucketResult>";
  const std::string want = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" +
                           moto_v1("repo/a.txt", owner("owner-1")) + moto_v1("repo/cr&#13;lf.txt", owner("owner-1")) +
                           "<Name>acct</Name><Prefix>repo/</Prefix><Delimiter>/</Delimiter><MaxKeys>1000</MaxKeys>" +
                           cp("repo/dir/") + cp("repo/unicodé/") + "</ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(), &page) == want);
  CHECK(page.entries == 4);
  CHECK(parsed(want, "CommonPrefixes", "Prefix") == std::vector<std::string>{"repo/dir/", "repo/unicodé/"});
}

TEST_CASE("moto V1 marker: its opaque NextMarker is dropped, never leaked", "[list_rewrite]") {
  const std::string in = std::string(kDecl) + kRoot +
                         "<IsTruncated>true</IsTruncated><NextMarker>32e6074192992fa9edfe8854e26d9909</NextMarker>" +
                         moto_v1("datasets/climate/amp&amp;lt&lt;gt&gt;.txt") + moto_v1("datasets/climate/cr\rlf.txt") +
                         "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><MaxKeys>2</MaxKeys>"
                         "</ListBucketResult>";
  const std::string want = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>" +
                           moto_v1("repo/amp&amp;lt&lt;gt&gt;.txt", owner("owner-1")) +
                           moto_v1("repo/cr&#13;lf.txt", owner("owner-1")) +
                           "<Name>acct</Name><Prefix>repo/</Prefix><MaxKeys>2</MaxKeys>"
                           "<Marker>repo/a.txt</Marker></ListBucketResult>";
  ListRewrite rw = climate();
  rw.marker_echo = "repo/a.txt";  // moto echoes no Marker: the client's is added
  rw.start_after_echo = "";
  ListPage page;
  CHECK(rewrite_ok(in, rw, &page) == want);
  CHECK(page.truncated);
  CHECK_FALSE(page.has_next_marker);
  CHECK(page.last_key == "repo/cr\rlf.txt");  // the client pages on from here
}

TEST_CASE("AWS V2 url listing: '+' spaces, %2F, control characters re-encoded canonically", "[list_rewrite]") {
  const std::string in =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + std::string(kRoot) +
      "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "<KeyCount>4</KeyCount><MaxKeys>4</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType>"
      "<IsTruncated>true</IsTruncated>" +
      aws_v2("datasets/climate/c+d.txt") + aws_v2("datasets/climate/plus%2Bsign%2Fslash.txt") +
      aws_v2("datasets/climate/ctl%01%7E*.txt") + cp("datasets/climate/sub+dir/") + "</ListBucketResult>";
  const std::string want =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + std::string(kRoot) +
      "<Name>acct</Name><Prefix>repo/</Prefix>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "<KeyCount>4</KeyCount><MaxKeys>4</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType>"
      "<IsTruncated>true</IsTruncated>" +
      aws_v2("repo/c%20d.txt") + aws_v2("repo/plus%2Bsign/slash.txt") + aws_v2("repo/ctl%01~%2A.txt") +
      cp("repo/sub%20dir/") + "</ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(true), &page) == want);
  CHECK(page.truncated);
  CHECK(page.next_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  CHECK(page.last_key == "repo/ctl\x01~*.txt");
}

TEST_CASE("AWS V1 with delimiter: Marker echo, NextMarker mapped, fetch-owner order", "[list_rewrite]") {
  const std::string aws_owner = "<Owner><ID>e49a0eeeeb5b63c45f828801983863637f607402e07c7c899e418ddbdcfcdea8</ID>"
                                "<DisplayName>backend-team</DisplayName></Owner>";
  const std::string in = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + std::string(kRoot) +
                         "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><Marker></Marker>"
                         "<NextMarker>datasets/climate/m&amp;n/</NextMarker><MaxKeys>2</MaxKeys>"
                         "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>" +
                         aws_v2("datasets/climate/a&#13;b.txt", aws_owner) + cp("datasets/climate/m&amp;n/") +
                         "</ListBucketResult>";
  const std::string want = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + std::string(kRoot) +
                           "<Name>acct</Name><Prefix>repo/</Prefix><Marker></Marker>"
                           "<NextMarker>repo/m&amp;n/</NextMarker><MaxKeys>2</MaxKeys>"
                           "<Delimiter>/</Delimiter><IsTruncated>true</IsTruncated>" +
                           aws_v2("repo/a&#13;b.txt", "<Owner><ID>owner-1</ID><DisplayName>owner-1</DisplayName></Owner>") +
                           cp("repo/m&amp;n/") + "</ListBucketResult>";
  ListRewrite rw = climate();
  rw.prefix_echo = "repo/";
  rw.marker_echo = "";  // the client sent none: the backend's empty echo stays empty
  rw.start_after_echo = "";
  ListPage page;
  const std::string out = rewrite_ok(in, rw, &page);
  CHECK(out == want);
  CHECK(out.find("backend-team") == std::string::npos);
  CHECK(page.has_next_marker);
  CHECK(page.next_marker == "repo/m&n/");
  CHECK(page.last_key == "repo/a\rb.txt");
  CHECK(page.last_prefix == "repo/m&n/");
  CHECK(page.keys == 1);
  CHECK(page.prefixes == 1);
}

TEST_CASE("empty backend prefix P: everything gains the repository", "[list_rewrite]") {
  ListRewrite rw = climate();
  rw.backend_prefix = "";
  const std::string in = std::string(kRoot) + "<Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount>" +
                         aws_v2("x.txt") + cp("d/") + "</ListBucketResult>";
  const std::string want = std::string(kRoot) + "<Name>acct</Name><Prefix>repo/</Prefix><KeyCount>2</KeyCount>" +
                           aws_v2("repo/x.txt") + cp("repo/d/") + "</ListBucketResult>";
  CHECK(rewrite_ok(in, rw) == want);
  // Self-closing echo elements are expanded.
  CHECK(rewrite_ok(std::string(kRoot) + "<Name/><Prefix/><KeyCount>0</KeyCount></ListBucketResult>", rw) ==
        std::string(kRoot) + "<Name>acct</Name><Prefix>repo/</Prefix><KeyCount>0</KeyCount></ListBucketResult>");
}

TEST_CASE("foreign entries are dropped and KeyCount recounted", "[list_rewrite]") {
  std::string in = std::string(kRoot) + "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix>"
                   "<KeyCount>10</KeyCount><IsTruncated>false</IsTruncated>";
  std::string want = std::string(kRoot) + "<Name>acct</Name><Prefix>repo/</Prefix>"
                     "<KeyCount>9</KeyCount><IsTruncated>false</IsTruncated>";
  for (int i = 0; i < 9; ++i) {
    in += aws_v2("datasets/climate/k" + std::to_string(i));
    want += aws_v2("repo/k" + std::to_string(i));
  }
  in += aws_v2("datasets/other/secret.txt") + "</ListBucketResult>";
  want += "</ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(), &page) == want);
  CHECK(page.dropped == 1);
  CHECK(page.entries == 9);

  // Foreign Contents and CommonPrefixes in the middle, a keyless entry, an "almost P" key.
  const std::string in2 = std::string(kRoot) + "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix>"
                          "<KeyCount>8</KeyCount>" +
                          aws_v2("datasets/climate/a") + aws_v2("datasets/climateX/b") + cp("datasets/other/") +
                          "<Contents><Size>1</Size></Contents><Contents/><Contents></Contents>"
                          "<CommonPrefixes>datasets/climate/x/</CommonPrefixes>" +
                          cp("datasets/climate/d/") +
                          aws_v2("top.txt") + "</ListBucketResult>";
  const std::string want2 = std::string(kRoot) + "<Name>acct</Name><Prefix>repo/</Prefix><KeyCount>2</KeyCount>" +
                            aws_v2("repo/a") + cp("repo/d/") + "</ListBucketResult>";
  page = ListPage{};
  CHECK(rewrite_ok(in2, climate(), &page) == want2);
  CHECK(page.dropped == 7);
  CHECK(page.keys == 1);
  CHECK(page.prefixes == 1);

  // moto V1 over the whole bucket (Prefix outside P): needs the client's prefix as the echo.
  const std::string in3 = std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" +
                          moto_v1("datasets/climate/a.txt") + moto_v1("datasets/other/z.txt") + moto_v1("top.txt") +
                          "<Name>backend-b</Name><Prefix></Prefix><MaxKeys>1000</MaxKeys></ListBucketResult>";
  CHECK(rewrite_error(in3, climate()).find("outside the backend prefix") != std::string::npos);
  ListRewrite rw = climate();
  rw.prefix_echo = "repo/";
  CHECK(rewrite_ok(in3, rw) == std::string(kDecl) + kRoot + "<IsTruncated>false</IsTruncated>" +
                                   moto_v1("repo/a.txt", owner("owner-1")) +
                                   "<Name>acct</Name><Prefix>repo/</Prefix><MaxKeys>1000</MaxKeys></ListBucketResult>");
}

TEST_CASE("echo overrides: replace, add when missing, empty ones only empty", "[list_rewrite]") {
  const std::string in = std::string(kRoot) + "<Name>backend-b</Name><Prefix>datasets/climate/di</Prefix>"
                         "<StartAfter>datasets/climate/b</StartAfter><KeyCount>0</KeyCount></ListBucketResult>";
  ListRewrite rw = climate();
  rw.prefix_echo = "repo/di";
  rw.start_after_echo = "";
  rw.marker_echo = "";
  CHECK(rewrite_ok(in, rw) == std::string(kRoot) + "<Name>acct</Name><Prefix>repo/di</Prefix>"
                                  "<StartAfter></StartAfter><KeyCount>0</KeyCount></ListBucketResult>");
  // The client's start-after sorted before the repository: the proxy sent none, the backend echoed none.
  const std::string bare = std::string(kRoot) + "<Name>backend-b</Name><KeyCount>0</KeyCount></ListBucketResult>";
  rw.prefix_echo = "";
  rw.start_after_echo = "a<b";
  CHECK(rewrite_ok(bare, rw) == std::string(kRoot) + "<Name>acct</Name><KeyCount>0</KeyCount><Prefix></Prefix>"
                                    "<StartAfter>a&lt;b</StartAfter></ListBucketResult>");
  rw.url_encoded = true;
  CHECK(rewrite_ok(bare, rw) == std::string(kRoot) + "<Name>acct</Name><KeyCount>0</KeyCount><Prefix></Prefix>"
                                    "<StartAfter>a%3Cb</StartAfter><EncodingType>url</EncodingType>"
                                    "</ListBucketResult>");
  // Without overrides a start-after outside P is an error, not a leak.
  const std::string outside = std::string(kRoot) + "<Name>b</Name><StartAfter>a</StartAfter></ListBucketResult>";
  rewrite_error(outside, climate());
}

TEST_CASE("the document's EncodingType decides how it is decoded", "[list_rewrite]") {
  // We did not ask for url but the backend encoded anyway (EncodingType after the keys, as moto writes it).
  const std::string url_doc = std::string(kRoot) + "<Name>b</Name>" + aws_v2("datasets/climate/a+b%26c") +
                              "<Prefix>datasets/climate/</Prefix><EncodingType>url</EncodingType></ListBucketResult>";
  CHECK(rewrite_ok(url_doc, climate(false)) ==
        std::string(kRoot) + "<Name>acct</Name>" + aws_v2("repo/a b&amp;c") + "<Prefix>repo/</Prefix></ListBucketResult>");
  // We asked for url and the backend ignored it: raw keys, encoded for the client, EncodingType added.
  const std::string raw_doc = std::string(kRoot) + "<Name>b</Name>" + aws_v2("datasets/climate/a+b%zz") +
                              "<Prefix>datasets/climate/</Prefix></ListBucketResult>";
  CHECK(rewrite_ok(raw_doc, climate(true)) ==
        std::string(kRoot) + "<Name>acct</Name>" + aws_v2("repo/a%2Bb%25zz") +
            "<Prefix>repo/</Prefix><EncodingType>url</EncodingType></ListBucketResult>");
  // A bad escape in a document that says url is an error.
  rewrite_error(std::string(kRoot) + "<EncodingType>url</EncodingType>" + aws_v2("datasets/climate/%zz") +
                    "</ListBucketResult>",
                climate(true));
  rewrite_error(std::string(kRoot) + "<EncodingType>base64</EncodingType></ListBucketResult>", climate());
}

TEST_CASE("NUL can only travel url-encoded", "[list_rewrite]") {
  const std::string url_doc = std::string(kRoot) + "<EncodingType>url</EncodingType>" +
                              aws_v2("datasets/climate/a%00b") + "</ListBucketResult>";
  CHECK(rewrite_ok(url_doc, climate(true)) ==
        std::string(kRoot) + "<EncodingType>url</EncodingType>" + aws_v2("repo/a%00b") + "</ListBucketResult>");
  rewrite_error(url_doc, climate(false));  // &#0; is not XML
  rewrite_error(std::string(kRoot) + aws_v2(std::string("datasets/climate/a\0b", 20)) + "</ListBucketResult>",
                climate(false));
}

TEST_CASE("layout, comments, attributes and processing instructions", "[list_rewrite]") {
  const std::string in =
      "\xEF\xBB\xBF<?xml version='1.0'?>\n<!-- backend-b -->\n<ListBucketResult xmlns='x' a = \"1>2\">\n"
      "  <Name>backend-b</Name>\n  <?pi datasets/climate?>\n  <Contents>\n    <Key>datasets/climate/k</Key>\n"
      "    <Owner>\n      <ID>i</ID>\n      <DisplayName/>\n    </Owner>\n    <Extra><Key>x</Key></Extra>\n"
      "  </Contents>\n  <CommonPrefixes>\n    <Prefix>datasets/other/</Prefix>\n  </CommonPrefixes>\n"
      "</ListBucketResult >\n";
  const std::string want =
      "\xEF\xBB\xBF<?xml version='1.0'?>\n\n<ListBucketResult xmlns='x' a = \"1>2\">\n"
      "  <Name>acct</Name>\n  \n  <Contents>\n    <Key>repo/k</Key>\n"
      "    <Owner>\n      <ID>owner-1</ID>\n      <DisplayName>owner-1</DisplayName>\n    </Owner>\n"
      "    <Extra><Key>x</Key></Extra>\n  </Contents>\n  \n</ListBucketResult >\n";
  ListPage page;
  CHECK(rewrite_ok(in, climate(), &page) == want);
  CHECK(page.dropped == 1);
}

TEST_CASE("malformed documents are rejected", "[list_rewrite]") {
  const std::string k = "<Contents><Key>datasets/climate/a</Key></Contents>";
  const std::vector<std::string> bad = {
      "",
      "   ",
      "not xml",
      "<ListBucketResult>",
      std::string(kRoot) + k,
      std::string(kRoot) + "<Contents><Key>datasets/climate/a",
      std::string(kRoot) + "<Contents><Key>datasets/climate/a</Key",
      std::string(kRoot) + "<Contents><Key>datasets/climate/a</Kex></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents></Key></Contents></ListBucketResult>",
      std::string(kRoot) + "</Contents></ListBucketResult>",
      "<ListAllMyBucketsResult></ListAllMyBucketsResult>",
      "<ListBucketResult/>",
      "<Error><Code>AccessDenied</Code></Error>",
      std::string(kRoot) + "</ListBucketResult><ListBucketResult></ListBucketResult>",
      std::string(kRoot) + "</ListBucketResult>trailing",
      "text<ListBucketResult></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key><![CDATA[datasets/climate/a]]></Key></Contents></ListBucketResult>",
      "<!DOCTYPE x [<!ENTITY e \"datasets/climate/\">]><ListBucketResult></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/<b/></Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/&bogus;</Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/a&b</Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/&#0;</Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/&#xD800;</Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Contents><Key>datasets/climate/&#x110000;</Key></Contents></ListBucketResult>",
      std::string(kRoot) + "<Name>x<!-- c --></Name></ListBucketResult>",
      std::string(kRoot) + "<!-- unterminated </ListBucketResult>",
      std::string(kRoot) + "<?pi unterminated </ListBucketResult>",
      "<ListBucketResult a=1></ListBucketResult>",
      "<ListBucketResult a=\"1></ListBucketResult>",
      "<ListBucketResult a></ListBucketResult>",
      "<ListBucketResult><Contents/ ></ListBucketResult>",
      "<ListBucketResult>< Name>x</Name></ListBucketResult>",
      "<ListBucketResult><KeyCount>1<KeyCount></ListBucketResult>",
      std::string(kRoot) + "<IsTruncated>true</IsTruncated><NextContinuationToken>a&b</NextContinuationToken>"
                           "</ListBucketResult>",
  };
  for (const auto& doc : bad) {
    INFO("doc: " << doc);
    std::string out, error;
    CHECK_FALSE(rewrite_listing(doc, climate(), out, error));
    CHECK_FALSE(error.empty());
  }
  // Nesting deeper than the scanner's limit.
  std::string deep = kRoot;
  for (int i = 0; i < 40; ++i) deep += "<X>";
  for (int i = 0; i < 40; ++i) deep += "</X>";
  deep += "</ListBucketResult>";
  CHECK(rewrite_error(deep, climate()).find("deep") != std::string::npos);
}

TEST_CASE("every truncation of a valid document fails cleanly", "[list_rewrite]") {
  const std::string doc = std::string(kDecl) + kRoot + "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix>" +
                          moto_v2("datasets/climate/a&amp;b", true) + cp("datasets/climate/d/") +
                          "<EncodingType>url</EncodingType><KeyCount>2</KeyCount></ListBucketResult>";
  std::string out, error;
  REQUIRE(rewrite_listing(doc, climate(true), out, error));
  for (size_t n = 0; n < doc.size(); ++n) {
    INFO("prefix length " << n);
    // Each truncation gets its own heap block, so ASan builds catch a read past the end.
    const std::string cut = doc.substr(0, n);
    CHECK_FALSE(rewrite_listing(cut, climate(true), out, error));
  }
}

TEST_CASE("huge values pass through", "[list_rewrite]") {
  const std::string big(1 << 20, 'k');
  const std::string in = std::string(kRoot) + "<Name>b</Name>" + aws_v2("datasets/climate/" + big) +
                         "<Other>" + big + "</Other></ListBucketResult>";
  const std::string want = std::string(kRoot) + "<Name>acct</Name>" + aws_v2("repo/" + big) + "<Other>" + big +
                           "</Other></ListBucketResult>";
  CHECK(rewrite_ok(in, climate()) == want);
}

// ---- benchmark (hidden; run with: build/native/unit_tests "[.bench]") ----

// The same realistic 1000-key ListObjectsV2 page tests/wasm/list_rewrite_bench.mjs builds (~255 KB).
static std::string bench_listing_1000() {
  std::string doc = std::string(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>backend-bucket</Name>"
      "<Prefix>datasets/climate/</Prefix>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "<KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>");
  char key[160];
  for (int i = 0; i < 1000; ++i) {
    const int y = 1990 + i / 40, m = 1 + i % 12, d = 1 + i % 28, h = i % 24;
    std::snprintf(key, sizeof key, "datasets/climate/era5/reanalysis/%d/%02d/t2m_%d%02d%02d_%02d.nc", y, m, y, m, d, h);
    doc += "<Contents><Key>";
    doc += key;
    doc += "</Key><LastModified>2024-05-02T10:11:12.000Z</LastModified>"
           "<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1048576</Size>"
           "<StorageClass>STANDARD</StorageClass></Contents>";
  }
  doc += "</ListBucketResult>";
  return doc;
}

TEST_CASE("benchmark: 1000-key listing rewrite", "[.bench]") {
  const std::string doc = bench_listing_1000();
  ListRewrite rw;
  rw.backend_prefix = "datasets/climate/";
  rw.client_prefix = "climate/";
  rw.bucket = "acme";
  std::string out, error;
  REQUIRE(rewrite_listing(doc, rw, out, error));
  // Thread CPU time (the budget is CPU, and this machine may be shared), median of 9 runs.
  auto cpu_ms = [] {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
  };
  std::vector<double> ms;
  for (int run = 0; run < 9; ++run) {
    const int iters = 100;
    const double t0 = cpu_ms();
    size_t sink = 0;
    for (int i = 0; i < iters; ++i) {
      rewrite_listing(doc, rw, out, error);
      sink += out.size();
    }
    REQUIRE(sink == out.size() * iters);
    ms.push_back((cpu_ms() - t0) / iters);
  }
  std::sort(ms.begin(), ms.end());
#ifdef NDEBUG
  const char* const build = "";
#else
  const char* const build = " [unoptimized build: use a Release/RelWithDebInfo tree for the real figure]";
#endif
  WARN("native: " << doc.size() << " bytes in, " << out.size() << " out; " << ms[ms.size() / 2]
                  << " ms CPU per 1000-key rewrite (median; min " << ms[0] << ")" << build);
}

// An empty <Key/> or <Prefix/> under an empty backend prefix yields empty views; none of them may reach
// memchr/memcmp/memcpy as a null pointer (UBSan's nonnull-attribute check) or be located by pointer arithmetic
// on a null pointer. Empty keys are mapped like any other key.
TEST_CASE("empty keys and prefixes with an empty backend prefix are mapped without null-pointer library calls",
          "[list][rewrite][empty]") {
  for (bool url : {false, true}) {
    for (const char* client_prefix : {"", "repo/"}) {
      INFO("url=" << url << " client_prefix=" << client_prefix);
      ListRewrite rw;
      rw.backend_prefix = "";
      rw.client_prefix = client_prefix;
      rw.bucket = "acct";
      rw.url_encoded = url;
      const std::string enc = url ? "<EncodingType>url</EncodingType>" : "";
      const std::string doc = std::string(kRoot) + "<Name>backend</Name><Prefix/><StartAfter/><KeyCount>2</KeyCount>"
                              "<IsTruncated>false</IsTruncated><Contents><Key/><Size>0</Size></Contents>"
                              "<CommonPrefixes><Prefix/></CommonPrefixes>" + enc + "</ListBucketResult>";
      std::string out, error;
      ListPage page;
      REQUIRE(rewrite_listing(doc, rw, out, error, &page));
      CHECK(page.keys == 1);
      CHECK(page.prefixes == 1);
      CHECK(page.last_key == client_prefix);
      CHECK(page.last_prefix == client_prefix);
      CHECK(out.find(std::string("<Key>") + client_prefix + "</Key>") != std::string::npos);
    }
  }
}

// The caller (ListOp) edits the pagination elements at these spans in one splice, so each must cover exactly its
// element in the OUTPUT, wherever the backend put it and after KeyCount's recount moved the text behind it.
TEST_CASE("pagination elements are located in the output, after a recount too", "[list_rewrite]") {
  const auto span_text = [](const std::string& out, const s3p::xml::OutSpan& s) {
    return s.present() ? out.substr(s.begin, s.end - s.begin) : std::string("(absent)");
  };
  // moto's order: IsTruncated first, the rest after the entries; one foreign entry makes KeyCount 10 -> 9.
  std::string in = std::string(kDecl) + kRoot + "<IsTruncated>true</IsTruncated>";
  for (int i = 0; i < 9; ++i) in += moto_v2("datasets/climate/k" + std::to_string(i));
  in += moto_v2("datasets/other/secret") +
        "<Name>backend-b</Name><Prefix>datasets/climate/</Prefix><MaxKeys>10</MaxKeys><KeyCount>10</KeyCount>"
        "<ContinuationToken>c1</ContinuationToken><NextContinuationToken>n2</NextContinuationToken>"
        "<StartAfter>datasets/climate/a</StartAfter></ListBucketResult>";
  ListPage page;
  const std::string out = rewrite_ok(in, climate(), &page);
  CHECK(span_text(out, page.is_truncated_at) == "<IsTruncated>true</IsTruncated>");
  CHECK(span_text(out, page.key_count_at) == "<KeyCount>9</KeyCount>");
  CHECK(span_text(out, page.max_keys_at) == "<MaxKeys>10</MaxKeys>");
  CHECK(span_text(out, page.continuation_token_at) == "<ContinuationToken>c1</ContinuationToken>");
  CHECK(span_text(out, page.next_continuation_token_at) == "<NextContinuationToken>n2</NextContinuationToken>");
  CHECK(span_text(out, page.start_after_at) == "<StartAfter>repo/a</StartAfter>");
  CHECK(span_text(out, page.marker_at) == "(absent)");
  CHECK(span_text(out, page.next_marker_at) == "(absent)");
  CHECK(out.substr(page.root_end_at) == "</ListBucketResult>");

  // AWS's order (all before the entries), self-closing forms, and a dropped foreign NextMarker: empty spans.
  const std::string aws = std::string(kRoot) + "<Name>b</Name><Prefix>datasets/climate/</Prefix>"
                          "<Marker>datasets/climate/m</Marker><NextMarker>elsewhere/x</NextMarker><MaxKeys/>"
                          "<IsTruncated>false</IsTruncated>" + aws_v2("datasets/climate/x") + "</ListBucketResult>";
  page = ListPage{};
  const std::string out2 = rewrite_ok(aws, climate(), &page);
  CHECK(span_text(out2, page.marker_at) == "<Marker>repo/m</Marker>");
  CHECK(span_text(out2, page.next_marker_at) == "(absent)");
  CHECK(span_text(out2, page.max_keys_at) == "<MaxKeys/>");
  CHECK(span_text(out2, page.is_truncated_at) == "<IsTruncated>false</IsTruncated>");
  CHECK(out2.substr(page.root_end_at) == "</ListBucketResult>");
}

// A second copy would go out unedited: a raw backend token, or a truncation flag the caller did not decide.
TEST_CASE("a pagination element sent twice fails the rewrite", "[list_rewrite]") {
  for (const std::string dup : {"<IsTruncated>false</IsTruncated>", "<NextContinuationToken>raw</NextContinuationToken>",
                                "<MaxKeys>1</MaxKeys>", "<KeyCount>1</KeyCount>", "<NextMarker>datasets/climate/z</NextMarker>"}) {
    INFO(dup);
    const std::string in = std::string(kRoot) + "<Name>b</Name><Prefix>datasets/climate/</Prefix>" + dup +
                           aws_v2("datasets/climate/x") + dup + "</ListBucketResult>";
    CHECK(rewrite_error(in, climate()) == "a pagination element appears twice");
  }
}

// The rewriter takes runs of plain entries by look-ahead and hands anything else to the generic path at the
// entry's start tag: mixing the two within one run must give what the generic path alone gives.
TEST_CASE("runs of plain entries mixed with entries the generic path must take", "[list_rewrite]") {
  auto e = [](const std::string& key, const std::string& inner = "<Size>5</Size>") {
    return "<Contents><Key>" + key + "</Key>" + inner + "</Contents>";
  };
  const std::string in = std::string(kRoot) + "<Name>backend-b</Name>" + e("datasets/climate/a") +
                         e("datasets/climate/b", "<Size>5</Size>" + owner("webfile")) +   // owner to replace
                         e("datasets/climate/c") + e("elsewhere/d") +                      // foreign: dropped
                         e("datasets/climate/e", "<Size a=\"1\">5</Size a=\"1\">") +      // as skip_leaves
                         e("datasets/climate/f&amp;g") +                                   // an entity to decode
                         e("datasets/climate/h", "<Size/>") + e("datasets/climate/i", "\n <Size>5</Size>\n") +
                         e("datasets/climate/j", "<Key>datasets/climate/k</Key>") +        // a second key
                         e("datasets/climate/l") + cp("datasets/climate/m/") + cp("datasets/climate/n/") +
                         "<KeyCount>12</KeyCount></ListBucketResult>";
  const std::string want = std::string(kRoot) + "<Name>acct</Name>" + e("repo/a") +
                           e("repo/b", "<Size>5</Size>" + owner("owner-1")) + e("repo/c") +
                           e("repo/e", "<Size a=\"1\">5</Size a=\"1\">") + e("repo/f&amp;g") +
                           e("repo/h", "<Size/>") + e("repo/i", "\n <Size>5</Size>\n") +
                           e("repo/j", "<Key>repo/k</Key>") + e("repo/l") + cp("repo/m/") + cp("repo/n/") +
                           "<KeyCount>11</KeyCount></ListBucketResult>";
  ListPage page;
  CHECK(rewrite_ok(in, climate(), &page) == want);
  CHECK(page.keys == 9);
  CHECK(page.prefixes == 2);
  CHECK(page.dropped == 1);
  CHECK(page.last_key == "repo/l");
  CHECK(page.last_prefix == "repo/n/");
  // A stray '<' in a leaf, a mismatched end tag, an unclosed entry or a '<' in a key within a run still fails.
  for (const std::string& bad : {e("datasets/climate/x", "<Size>5<</Size>"), e("datasets/climate/x", "<Size>5</Sise>"),
                                 std::string("<Contents><Key>datasets/climate/x</Key><Size>5</Size>"),
                                 e("datasets/climate/x<y")}) {
    rewrite_error(std::string(kRoot) + e("datasets/climate/a") + bad + e("datasets/climate/z") + "</ListBucketResult>",
                  climate());
  }
}
