// Azure List Blobs → the client's S3 listing (worker/azure/list_blobs.h).
//
// Fixtures (tests/unit/fixtures/azure_list/*.xml): byte-exact answers of Azurite 3.35 over the container that
// tests/azurite/seed.mjs writes (names with a space, unicode, '+', '%', XML metacharacters, a deep prefix, one
// blob outside "data/"), captured by tests/azurite/capture_lists.mjs. The other documents are made up here in
// the shape Azure's REST reference gives (Encoded names, snapshots, versions, metadata, tags, access tiers).
#include <catch2/catch.hpp>

#include <tinyxml2.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "worker/azure/list_blobs.h"

using s3p::azure::ListRender;
using s3p::azure::render_listing;
using s3p::xml::ListPage;

namespace {

std::string fixture(const char* name) {
  std::string dir = __FILE__;
  dir.resize(dir.rfind('/'));
  std::ifstream f(dir + "/fixtures/azure_list/" + name + ".xml", std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ListRender repo_render() {
  ListRender r;
  r.backend_prefix = "data/";
  r.client_prefix = "repo/";
  r.bucket = "acct";
  r.prefix = "repo/";
  return r;
}

struct Listing {
  std::string doc;
  std::vector<std::string> keys, prefixes, etags, sizes, modified, classes;
  std::string text(const char* name) const {
    tinyxml2::XMLDocument d;
    d.Parse(doc.c_str());
    const auto* e = d.RootElement() ? d.RootElement()->FirstChildElement(name) : nullptr;
    return e ? (e->GetText() ? e->GetText() : "") : "<absent>";
  }
};

Listing render(const std::string& xml, const ListRender& r, ListPage* page = nullptr) {
  Listing l;
  std::string error;
  INFO(error);
  REQUIRE(render_listing(xml, r, l.doc, error, page));
  tinyxml2::XMLDocument d;
  REQUIRE(d.Parse(l.doc.c_str()) == tinyxml2::XML_SUCCESS);
  const auto* root = d.RootElement();
  REQUIRE(std::string(root->Name()) == "ListBucketResult");
  auto text = [](const tinyxml2::XMLElement* e, const char* n) {
    const auto* c = e->FirstChildElement(n);
    return std::string(c && c->GetText() ? c->GetText() : "");
  };
  for (auto* c = root->FirstChildElement("Contents"); c; c = c->NextSiblingElement("Contents")) {
    l.keys.push_back(text(c, "Key"));
    l.etags.push_back(text(c, "ETag"));
    l.sizes.push_back(text(c, "Size"));
    l.modified.push_back(text(c, "LastModified"));
    l.classes.push_back(text(c, "StorageClass"));
  }
  for (auto* c = root->FirstChildElement("CommonPrefixes"); c; c = c->NextSiblingElement("CommonPrefixes"))
    l.prefixes.push_back(text(c, "Prefix"));
  return l;
}

bool fails(const std::string& xml, const ListRender& r, const char* why_part) {
  std::string out, error;
  const bool ok = render_listing(xml, r, out, error);
  INFO(error);
  CHECK(error.find(why_part) != std::string::npos);
  return !ok;
}

const char* const kEnumHead =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"https://acct.blob.core.windows.net/\" "
    "ContainerName=\"c\"><Blobs>";
std::string blob(const std::string& name, const std::string& extra_props = "", const std::string& extra = "",
                 const std::string& name_attr = "") {
  return "<Blob><Name" + name_attr + ">" + name + "</Name>" + extra +
         "<Properties><Last-Modified>Wed, 09 Sep 2009 09:20:02 GMT</Last-Modified><Etag>0x8CBFF45D8A29A19</Etag>"
         "<Content-Length>100</Content-Length><BlobType>BlockBlob</BlobType>" +
         extra_props + "</Properties></Blob>";
}
std::string enumeration(const std::string& blobs, const std::string& next_marker = "") {
  return kEnumHead + blobs + "</Blobs><NextMarker>" + next_marker + "</NextMarker></EnumerationResults>";
}

}  // namespace

TEST_CASE("Azure list: Azurite's blobs under the repository prefix become the repository's keys", "[azure][azure_list]") {
  ListPage page;
  const Listing l = render(fixture("prefix_data"), repo_render(), &page);
  CHECK(l.keys == std::vector<std::string>{"repo/deep/a/b/c/d/e/leaf.bin", "repo/deep/a/other.txt", "repo/hello.txt",
                                           "repo/percent%41.txt", "repo/plus+sign.txt", "repo/with space.txt",
                                           "repo/xml&<>'\".txt", "repo/\xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E.txt"});
  CHECK(l.text("Name") == "acct");
  CHECK(l.text("Prefix") == "repo/");
  CHECK(l.text("KeyCount") == "8");
  CHECK(l.text("MaxKeys") == "1000");
  CHECK(l.text("IsTruncated") == "false");
  CHECK(l.text("NextContinuationToken") == "<absent>");
  CHECK(l.sizes[2] == "13");
  CHECK(l.etags[2] == "\"0x2022FD3E5156B00-azure\"");  // the S3 form (azure/s3_view.h), as every answer gives it
  CHECK(l.modified[2].size() == 24);
  CHECK(l.modified[2].substr(10) == "T18:07:38.000Z");
  CHECK(l.classes[2] == "STANDARD");
  CHECK(page.keys == 8);
  CHECK(page.entries == 8);
  CHECK(page.dropped == 0);
  CHECK_FALSE(page.truncated);
  CHECK(page.last_key == l.keys.back());
  // Nothing of the backend: its account, container, endpoint or prefix.
  for (const char* leak : {"devstoreaccount1", "seed", "127.0.0.1", "EnumerationResults", "<Name>data/", "Blob"})
    CHECK(l.doc.find(leak) == std::string::npos);
}

TEST_CASE("Azure list: a blob outside the repository prefix is dropped", "[azure][azure_list]") {
  ListPage page;
  const Listing l = render(fixture("all"), repo_render(), &page);
  CHECK(l.keys.size() == 8);
  CHECK(page.dropped == 1);
  CHECK(l.doc.find("outside") == std::string::npos);
}

TEST_CASE("Azure list: a flat bucket (no prefixes) lists every blob as it is named", "[azure][azure_list]") {
  ListRender r;
  r.bucket = "flat";
  const Listing l = render(fixture("all"), r);
  CHECK(l.keys.size() == 9);
  CHECK(l.keys.back() == "outside.txt");
}

TEST_CASE("Azure list: BlobPrefix entries become CommonPrefixes, after the Contents, counted in KeyCount",
          "[azure][azure_list]") {
  ListRender r = repo_render();
  r.delimiter = "/";
  ListPage page;
  const Listing l = render(fixture("prefix_data_delim"), r, &page);
  CHECK(l.keys == std::vector<std::string>{"repo/hello.txt", "repo/percent%41.txt", "repo/plus+sign.txt",
                                           "repo/with space.txt", "repo/xml&<>'\".txt"});
  CHECK(l.prefixes == std::vector<std::string>{"repo/deep/", "repo/\xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9/"});
  CHECK(l.text("KeyCount") == "7");
  CHECK(l.text("Delimiter") == "/");
  CHECK(page.prefixes == 2);
  CHECK(page.last_prefix == l.prefixes.back());
  CHECK(l.doc.rfind("<CommonPrefixes>") > l.doc.rfind("<Contents>"));

  const Listing deep = render(fixture("prefix_deep_delim"), r);
  CHECK(deep.keys.empty());
  CHECK(deep.prefixes == std::vector<std::string>{"repo/deep/a/"});
}

TEST_CASE("Azure list: encoding-type=url encodes keys, prefixes and the V2 Prefix echo", "[azure][azure_list]") {
  ListRender r = repo_render();
  r.url_encoded = true;
  r.delimiter = "/";
  r.prefix = "repo/with space";
  const Listing l = render(fixture("prefix_data_delim"), r);
  CHECK(l.keys == std::vector<std::string>{"repo/hello.txt", "repo/percent%2541.txt", "repo/plus%2Bsign.txt",
                                           "repo/with%20space.txt", "repo/xml%26%3C%3E%27%22.txt"});
  CHECK(l.prefixes[1] == "repo/%C3%BCn%C3%AFc%C3%B6d%C3%A9/");
  CHECK(l.text("EncodingType") == "url");
  CHECK(l.text("Prefix") == "repo/with%20space");
  r.v2 = false;  // V1 leaves Prefix raw, as S3 does
  CHECK(render(fixture("prefix_data_delim"), r).text("Prefix") == "repo/with space");
}

TEST_CASE("Azure list: a truncated V2 page hands its NextMarker to the sealing hook, never out raw", "[azure][azure_list]") {
  ListRender r = repo_render();
  r.max_keys = 3;
  std::string seen;
  r.seal_marker = [&](std::string_view marker) {
    seen = marker;
    return std::string("sealed<") + std::string(marker) + ">";
  };
  ListPage page;
  const Listing l = render(fixture("page1"), r, &page);
  CHECK(seen == "data/hello.txt");
  CHECK(l.keys.size() == 3);
  CHECK(l.text("IsTruncated") == "true");
  CHECK(l.text("MaxKeys") == "3");
  CHECK(l.text("NextContinuationToken") == "sealed<data/hello.txt>");  // escaped on the way out, read back here
  CHECK(page.truncated);
  CHECK(page.has_next_token);
  CHECK(page.next_token == "data/hello.txt");
  CHECK(l.doc.substr(page.next_continuation_token_at.begin,
                     page.next_continuation_token_at.end - page.next_continuation_token_at.begin) ==
        "<NextContinuationToken>sealed&lt;data/hello.txt&gt;</NextContinuationToken>");

  // The second page, continued by the client's (sealed) token: echoed, not truncated.
  r.continuation_token = "tok-1";
  const Listing l2 = render(fixture("page2"), r);
  CHECK(l2.text("ContinuationToken") == "tok-1");
  CHECK(l2.text("IsTruncated") == "true");
  CHECK(l2.keys == std::vector<std::string>{"repo/percent%41.txt", "repo/plus+sign.txt", "repo/with space.txt"});

  r.seal_marker = nullptr;
  CHECK(fails(fixture("page1"), r, "no hook to seal"));
}

TEST_CASE("Azure list: V1 has Marker and NextMarker (the page's last key), no KeyCount, owners when asked",
          "[azure][azure_list]") {
  ListRender r = repo_render();
  r.v2 = false;
  r.owner_id = "owner-1";
  ListPage page;
  const Listing l = render(fixture("page1"), r, &page);
  CHECK(l.text("Marker") == "");
  CHECK(l.text("NextMarker") == "repo/hello.txt");
  CHECK(l.text("KeyCount") == "<absent>");
  CHECK(l.text("IsTruncated") == "true");
  CHECK(page.has_next_marker);
  CHECK(page.next_marker == "repo/hello.txt");
  CHECK(l.doc.find("<Owner><ID>owner-1</ID><DisplayName>owner-1</DisplayName></Owner>") != std::string::npos);
  CHECK(l.doc.find("NextContinuationToken") == std::string::npos);
}

TEST_CASE("Azure list: start-after / marker drops what S3 would not return", "[azure][azure_list]") {
  ListRender r = repo_render();
  r.delimiter = "/";
  SECTION("inside a common prefix: the prefix stays, keys after it stay") {
    r.start_after = "repo/deep/a/b";
    const Listing l = render(fixture("prefix_data_delim"), r);
    CHECK(l.prefixes.front() == "repo/deep/");
    CHECK(l.keys.size() == 5);
    CHECK(l.text("StartAfter") == "repo/deep/a/b");
  }
  SECTION("after a key: it and everything before it go") {
    r.start_after = "repo/hello.txt";
    ListPage page;
    const Listing l = render(fixture("prefix_data_delim"), r, &page);
    CHECK(l.prefixes == std::vector<std::string>{"repo/\xC3\xBCn\xC3\xAF" "c\xC3\xB6" "d\xC3\xA9/"});
    CHECK(l.keys.front() == "repo/percent%41.txt");
    CHECK(page.dropped == 2);
  }
  SECTION("V1 marker equal to a common prefix (the last page's NextMarker): not repeated") {
    r.v2 = false;
    r.start_after = "repo/deep/";
    const Listing l = render(fixture("prefix_data_delim"), r);
    CHECK(l.prefixes.size() == 1);
    CHECK(l.text("Marker") == "repo/deep/");
  }
}

TEST_CASE("Azure list: an empty answer is an empty, untruncated listing", "[azure][azure_list]") {
  ListPage page;
  const Listing l = render(fixture("empty"), repo_render(), &page);
  CHECK(l.keys.empty());
  CHECK(l.text("KeyCount") == "0");
  CHECK(l.text("IsTruncated") == "false");
  CHECK(page.entries == 0);
}

TEST_CASE("Azure list: spans locate the control elements for the operation's edits", "[azure][azure_list]") {
  ListPage page;
  const Listing l = render(fixture("prefix_data"), repo_render(), &page);
  auto at = [&](const s3p::xml::OutSpan& s) { return l.doc.substr(s.begin, s.end - s.begin); };
  CHECK(at(page.is_truncated_at) == "<IsTruncated>false</IsTruncated>");
  CHECK(at(page.key_count_at) == "<KeyCount>8</KeyCount>");
  CHECK(at(page.max_keys_at) == "<MaxKeys>1000</MaxKeys>");
  CHECK_FALSE(page.continuation_token_at.present());
  CHECK(l.doc.substr(page.root_end_at) == "</ListBucketResult>");
}

TEST_CASE("Azure list: Encoded names are percent-decoded; NUL only under encoding-type=url", "[azure][azure_list]") {
  ListRender r = repo_render();
  const std::string doc = enumeration(blob("data/a%0Bb%20c", "", "", " Encoded=\"true\""));
  const Listing l = render(doc, r);
  CHECK(l.keys == std::vector<std::string>{"repo/a\x0b" "b c"});
  CHECK(l.doc.find("repo/a&#11;b c") != std::string::npos);
  const std::string nul = enumeration(blob("data/a%00b", "", "", " Encoded=\"true\""));
  CHECK(fails(nul, r, "NUL"));
  r.url_encoded = true;
  std::string out, error;
  REQUIRE(render_listing(nul, r, out, error));
  CHECK(out.find("<Key>repo/a%00b</Key>") != std::string::npos);
  CHECK(fails(enumeration(blob("data/a%zz", "", "", " Encoded=\"true\"")), r, "Encoded"));
  // Without the attribute, '%' is part of the name.
  CHECK(render(enumeration(blob("data/a%41")), repo_render()).keys == std::vector<std::string>{"repo/a%41"});
}

TEST_CASE("Azure list: snapshots, deleted and non-current versions are not keys; nested metadata and tags are skipped",
          "[azure][azure_list]") {
  const std::string doc = enumeration(
      blob("data/live", "<AccessTier>Cool</AccessTier>",
           "<VersionId>2026-01-01T00:00:00Z</VersionId><IsCurrentVersion>true</IsCurrentVersion>") +
      blob("data/snap", "", "<Snapshot>2026-01-01T00:00:00.0000000Z</Snapshot>") +
      blob("data/gone", "", "<Deleted>true</Deleted>") +
      blob("data/old", "", "<VersionId>2025-01-01T00:00:00Z</VersionId><IsCurrentVersion>false</IsCurrentVersion>") +
      "<Blob><Name>data/meta</Name><Properties><Content-Length>1</Content-Length><AccessTier>Archive</AccessTier>"
      "</Properties><Metadata><Name>not the blob's name</Name><k>v</k></Metadata>"
      "<Tags><TagSet><Tag><Key>t</Key><Value>v</Value></Tag></TagSet></Tags><OrMetadata/></Blob>");
  ListPage page;
  const Listing l = render(doc, repo_render(), &page);
  CHECK(l.keys == std::vector<std::string>{"repo/live", "repo/meta"});
  CHECK(l.classes == std::vector<std::string>{"STANDARD_IA", "GLACIER"});
  CHECK(l.modified[0] == "2009-09-09T09:20:02.000Z");
  CHECK(l.modified[1].empty());  // no Last-Modified given: none written
  CHECK(page.dropped == 3);
}

TEST_CASE("Azure list: documents it cannot read fail, naming why", "[azure][azure_list]") {
  const ListRender r = repo_render();
  CHECK(fails("<ListBucketResult></ListBucketResult>", r, "not an EnumerationResults"));
  CHECK(fails(enumeration(blob("data/a")).substr(0, 200), r, ""));
  CHECK(fails(enumeration(blob("data/a", "<Content-Length>12x</Content-Length>")), r, "Content-Length"));
  CHECK(fails(kEnumHead + std::string("<Blob><Properties><Content-Length>1</Content-Length></Properties></Blob>") +
                  "</Blobs></EnumerationResults>",
              r, "without a Name"));
  CHECK(fails(kEnumHead + std::string("<Blob><Name><![CDATA[x]]></Name></Blob></Blobs></EnumerationResults>"), r, ""));
  CHECK(fails(kEnumHead + std::string("<Blob><Name>data/&bogus;</Name></Blob></Blobs></EnumerationResults>"), r,
              "entity"));
  CHECK(fails(enumeration(blob("data/a")) + "<x/>", r, "after the root"));
  CHECK(fails(kEnumHead + std::string("<BlobPrefix/></Blobs></EnumerationResults>"), r, "without a Name"));
  std::string bad_date = enumeration(blob("data/a"));
  bad_date.replace(bad_date.find("Wed, 09"), 7, "Wed, 39");
  CHECK(fails(bad_date, r, "Last-Modified"));
}
