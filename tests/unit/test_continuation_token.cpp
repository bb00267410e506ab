// Sealed ListObjectsV2 continuation tokens (issue 9 defect 8): the SIV-style construction, the token format and
// its binding to a listing, where the key comes from, and what the engine does with a token that does not open.
#include "engine_fixture.h"
#include "worker/crypto/base64.h"
#include "worker/crypto/siv_hmac.h"
#include "worker/http/uri.h"
#include "worker/s3/continuation_token.h"

using namespace s3p;
using enginetest::element;

namespace {

const crypto::SivKeys kKeys = crypto::siv_keys("a root key for the continuation token tests");
const list_token::Listing kListing{"acct", "repo/dir/", "/"};

std::string flip_bit(std::string s, size_t i, int bit = 0) {
  s[i] = static_cast<char>(s[i] ^ (1 << bit));
  return s;
}

}  // namespace

TEST_CASE("siv-hmac: seals deterministically and opens only what it sealed, under the same keys and binding",
          "[list_token][crypto]") {
  for (size_t n : {0, 1, 15, 16, 31, 32, 33, 64, 65, 300}) {
    INFO(n);
    std::string plain(n, '\0');
    for (size_t i = 0; i < n; ++i) plain[i] = static_cast<char>(i * 7 + 3);
    const std::string sealed = crypto::siv_seal(kKeys, "binding", plain);
    CHECK(sealed.size() == crypto::kSivIvSize + n);
    CHECK(crypto::siv_seal(kKeys, "binding", plain) == sealed);  // deterministic
    if (n >= 8) CHECK(sealed.find(plain) == std::string::npos);  // not in the clear
    std::string out = "stale";
    REQUIRE(crypto::siv_open(kKeys, "binding", sealed, out));
    CHECK(out == plain);

    // Every single-bit change anywhere is refused, and nothing of the plaintext is released.
    for (size_t i = 0; i < sealed.size(); ++i)
      for (int bit : {0, 7}) {
        out = "stale";
        CHECK_FALSE(crypto::siv_open(kKeys, "binding", flip_bit(sealed, i, bit), out));
        CHECK(out.empty());
      }
    // Every truncation and an extension.
    for (size_t len = 0; len < sealed.size(); ++len) CHECK_FALSE(crypto::siv_open(kKeys, "binding", sealed.substr(0, len), out));
    CHECK_FALSE(crypto::siv_open(kKeys, "binding", sealed + '\0', out));
    // Another binding, another key.
    CHECK_FALSE(crypto::siv_open(kKeys, "bindinG", sealed, out));
    CHECK_FALSE(crypto::siv_open(kKeys, "", sealed, out));
    CHECK_FALSE(crypto::siv_open(crypto::siv_keys("another root key"), "binding", sealed, out));
  }
  // The length prefix keeps the split between binding and plaintext unambiguous.
  CHECK(crypto::siv_seal(kKeys, "ab", "c").substr(0, 16) != crypto::siv_seal(kKeys, "a", "bc").substr(0, 16));
  std::string out;
  CHECK_FALSE(crypto::siv_open(kKeys, "binding", "", out));
}

TEST_CASE("siv-hmac and the token format match an independent computation (Python hmac/hashlib)",
          "[list_token][crypto]") {
  // Computed with Python 3's hmac + hashlib from the construction as siv_hmac.h and continuation_token.h state it.
  std::string forty;
  for (int i = 0; i < 40; ++i) forty += static_cast<char>(i);
  CHECK(crypto::hex(reinterpret_cast<const uint8_t*>(crypto::siv_seal(kKeys, "binding", "").data()), 16) ==
        "f4f58b265c3258be19760af67640ca94");
  const std::string sealed = crypto::siv_seal(kKeys, "binding", forty);
  CHECK(crypto::hex(reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size()) ==
        "0b806dd0faaed342b91f570711c6340646cdd52026362e8e9334bcf929ad78b6"
        "403c433ffd2324470ffc0002ac3f55e1cb45331f299abbda");
  CHECK(list_token::seal(kKeys, kListing, "repo/backend-prefix/next key/with slashes") ==
        "AdTMIIcSbLDoUXbJ4gNXW5MoUHSGxciWMc9jtkjSb1UppxQN1z9I6oqvP0FAqFEbYS-3G63O1-WPEA");
}

TEST_CASE("a token is base64url of version, IV and ciphertext, and opens only for its own listing", "[list_token]") {
  const std::string plain = "repo/backend-prefix/next key/with slashes";
  const std::string token = list_token::seal(kKeys, kListing, plain);
  CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  std::string raw;
  REQUIRE(b64::decode_url(token, raw));
  CHECK(raw.size() == 1 + crypto::kSivIvSize + plain.size());
  CHECK(raw[0] == 0x01);
  CHECK(raw.find("backend-prefix") == std::string::npos);

  std::string out;
  REQUIRE(list_token::open(kKeys, kListing, token, out));
  CHECK(out == plain);

  // Bound to account, prefix and delimiter, each on its own (length-prefixed: no shifting between fields).
  for (const list_token::Listing& other :
       {list_token::Listing{"acct2", "repo/dir/", "/"}, list_token::Listing{"acct", "repo/dir", "/"},
        list_token::Listing{"acct", "repo/dir/", ""}, list_token::Listing{"acct", "repo/dir//", ""},
        list_token::Listing{"acctrepo/dir/", "", "/"}}) {
    INFO(other.account << " | " << other.prefix << " | " << other.delimiter);
    CHECK_FALSE(list_token::open(kKeys, other, token, out));
  }
  CHECK_FALSE(list_token::open(crypto::siv_keys("another deployment's key"), kListing, token, out));

  // Each byte of the decoded token changed (the version byte included), then re-encoded.
  for (size_t i = 0; i < raw.size(); ++i) {
    INFO(i);
    CHECK_FALSE(list_token::open(kKeys, kListing, b64::encode_url(flip_bit(raw, i)), out));
  }
  // Each character of the text changed.
  for (size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    CHECK_FALSE(list_token::open(kKeys, kListing, t, out));
  }
  // Truncated at every length (empty included), extended, padded, in the standard alphabet, garbage, too long.
  for (size_t len = 0; len < token.size(); ++len) CHECK_FALSE(list_token::open(kKeys, kListing, token.substr(0, len), out));
  for (const std::string& t : {token + "A", token + "AAAA", token + "=", std::string("a/b"), std::string("%%%%"),
                               std::string(" ") + token, std::string(list_token::kMaxTokenLength + 1, 'A')})
    CHECK_FALSE(list_token::open(kKeys, kListing, t, out));
  std::string std_alphabet = token;
  for (char& c : std_alphabet) c = c == '-' ? '+' : c == '_' ? '/' : c;
  if (std_alphabet != token) CHECK_FALSE(list_token::open(kKeys, kListing, std_alphabet, out));
  // An empty plaintext is a valid token (the walk moving on to a repository's start is never empty, but the
  // format does not care).
  REQUIRE(list_token::open(kKeys, kListing, list_token::seal(kKeys, kListing, ""), out));
  CHECK(out.empty());
}

namespace {

// A backend V2 page under backend prefix "a/" that is truncated with an RGW-style token: the raw next key.
std::string rgw_page(const std::string& echo_token = "") {
  return "<ListBucketResult><Name>backend-bucket</Name><Prefix>a/</Prefix>" +
         (echo_token.empty() ? std::string() : "<ContinuationToken>" + echo_token + "</ContinuationToken>") +
         "<KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>"
         "<NextContinuationToken>a/secret-layout/next-key</NextContinuationToken>"
         "<Contents><Key>a/first</Key><Size>1</Size></Contents></ListBucketResult>";
}

// Starts a listing inside repository "a" and returns its response to the backend page `page`.
Action list_a(enginetest::Host& h, const std::string& query, const std::string& page, uint32_t& fetches) {
  const uint32_t id = h.begin("GET", "/acct", query);
  Action a = h.next(id);
  while (a.kind == ActionKind::Fetch) {
    ++fetches;
    h.answer(id, 200, page);
    a = h.next(id);
  }
  h.engine.release(id);
  return a;
}

std::string fetched_token(enginetest::Host& h, const std::string& query) {
  const uint32_t id = h.begin("GET", "/acct", query);
  const Action a = h.next(id);
  h.engine.release(id);
  REQUIRE(a.kind == ActionKind::Fetch);
  std::vector<http::QueryParam> params;
  REQUIRE(http::parse_query(a.fetch.url.substr(a.fetch.url.find('?') + 1), params, false));
  for (const auto& p : params)
    if (p.name == "continuation-token") return p.value;
  return "<none>";
}

}  // namespace

TEST_CASE("the backend's token never reaches the client, and ours takes the client back to it", "[list_token][engine]") {
  enginetest::Host h;
  uint32_t fetches = 0;
  const std::string q = "list-type=2&prefix=a/&max-keys=1";
  const Action a = list_a(h, q, rgw_page(), fetches);
  REQUIRE(a.kind == ActionKind::Respond);
  REQUIRE(a.respond.status == 200);
  const std::string& doc = a.respond.body.bytes;
  CHECK(doc.find("secret-layout") == std::string::npos);
  CHECK(doc.find("backend-bucket") == std::string::npos);
  const std::string token = element(doc, "NextContinuationToken");
  REQUIRE(token != "<absent>");
  CHECK(fetched_token(h, q + "&continuation-token=" + http::uri_encode(token, true)) == "a/secret-layout/next-key");
}

TEST_CASE("the backend's echo of a token we sent it after empty rounds is not passed on", "[list_token][engine]") {
  enginetest::Host h;
  uint32_t fetches = 0;
  // No client token, yet the backend echoes one (as after an empty round inside the repository).
  const Action a = list_a(h, "list-type=2&prefix=a/&max-keys=1", rgw_page("a/secret-layout/earlier-key"), fetches);
  REQUIRE(a.kind == ActionKind::Respond);
  CHECK(a.respond.body.bytes.find("secret-layout") == std::string::npos);
  CHECK(element(a.respond.body.bytes, "ContinuationToken") == "<absent>");
}

TEST_CASE("a token that does not open is 400 InvalidArgument before any backend request", "[list_token][engine]") {
  enginetest::Host h;
  uint32_t fetches = 0;
  const Action first = list_a(h, "list-type=2&prefix=a/&max-keys=1", rgw_page(), fetches);
  const std::string token = element(first.respond.body.bytes, "NextContinuationToken");
  const std::string walk = list_token::seal(h.engine.config().listing_token_keys, {"acct", "", ""}, "a/x");
  std::string tampered = token;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  for (const auto& [what, query] : std::vector<std::pair<std::string, std::string>>{
           {"tampered", "prefix=a/&continuation-token=" + tampered},
           {"truncated", "prefix=a/&continuation-token=" + token.substr(0, token.size() - 2)},
           {"other prefix", "prefix=a/x&continuation-token=" + token},
           {"other delimiter", "prefix=a/&delimiter=/&continuation-token=" + token},
           {"other account", "prefix=a/&continuation-token=" + token},  // path below
           {"walk token in a repository", "prefix=a/&continuation-token=" + walk},
           {"unsealed", "prefix=a/&continuation-token=a/secret-layout/next-key"},
           {"local listing, garbage", "delimiter=/&continuation-token=zzz"},
           {"flat bucket, garbage", "continuation-token=abc"},
       }) {
    INFO(what);
    const std::string path = what == "other account" || what == "flat bucket, garbage" ? "/flat" : "/acct";
    const uint32_t id = h.begin("GET", path, "list-type=2&" + query);
    const Action a = h.next(id);
    h.engine.release(id);
    REQUIRE(a.kind == ActionKind::Respond);  // no Fetch first
    CHECK(a.respond.status == 400);
    CHECK(element(a.respond.body.bytes, "Code") == "InvalidArgument");
    CHECK(element(a.respond.body.bytes, "Message") == "The continuation token provided is incorrect");
  }
}

TEST_CASE("the local listing of repositories hands out sealed tokens and resumes from them", "[list_token][engine]") {
  enginetest::Host h;
  const uint32_t id = h.begin("GET", "/acct", "list-type=2&delimiter=/&max-keys=2");
  const Action a = h.next(id);
  h.engine.release(id);
  REQUIRE(a.kind == ActionKind::Respond);
  const std::string token = element(a.respond.body.bytes, "NextContinuationToken");
  CHECK(token.find('/') == std::string::npos);
  const uint32_t id2 = h.begin("GET", "/acct", "list-type=2&delimiter=/&max-keys=1&continuation-token=" + token);
  const Action b = h.next(id2);
  h.engine.release(id2);
  REQUIRE(b.kind == ActionKind::Respond);
  CHECK(b.respond.status == 200);
  CHECK(element(b.respond.body.bytes, "Prefix") == "");
  CHECK(b.respond.body.bytes.find("<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>") != std::string::npos);
}

namespace {

std::string config_with(const std::string& top, const std::string& keys = "") {
  return R"({)" + top + R"("backends": {"main": {"endpoint": "http://127.0.0.1:9000", "bucket": "bb"}},
    "accounts": {"acct": {"repositories": {"a": {"backend": "main", "prefix": "a/", "public": true}}}})" +
         keys + "}";
}

const std::string kAccessKeys = R"(, "access_keys": {"AKIDTOKENTEST01": {"secret_access_key_secret": "USER_SECRET",
    "scopes": [{"account": "acct", "repository": "a", "actions": ["read", "list"]}]}})";

std::string token_from(Engine& e) {
  RequestHead head;
  head.method = "GET";
  head.path = "/acct";
  head.query = "list-type=2&prefix=a/&max-keys=1";
  const uint32_t id = e.begin(std::move(head), 0);
  REQUIRE(e.next(id, 0).kind == ActionKind::Fetch);
  Result r;
  r.kind = ActionKind::Fetch;
  r.fetch.status = 200;
  r.fetch.body = rgw_page();
  e.feed(id, std::move(r), 0);
  const Action a = e.next(id, 0);
  e.release(id);
  return element(a.respond.body.bytes, "NextContinuationToken");
}

bool opens(Engine& e, const std::string& token) {
  RequestHead head;
  head.method = "GET";
  head.path = "/acct";
  head.query = "list-type=2&prefix=a/&max-keys=1&continuation-token=" + token;
  const uint32_t id = e.begin(std::move(head), 0);
  const Action a = e.next(id, 0);
  e.release(id);
  return a.kind == ActionKind::Fetch;
}

}  // namespace

TEST_CASE("the token key: a configured secret, else derived from the config's secrets, else random per core",
          "[list_token][config]") {
  const Env user = {{"USER_SECRET", "user secret"}};
  const std::string configured = config_with(R"("listing_token_key_secret": "TOKEN_KEY",)", kAccessKeys);
  Env with_key = user;
  with_key["TOKEN_KEY"] = "0123456789abcdef0123456789abcdef";

  SECTION("configured: every core with the same secret opens the tokens, whatever its seed") {
    Engine a, b, c;
    a.init(configured, with_key, "seed one, sixteen bytes or more");
    b.init(configured, with_key, "seed two, sixteen bytes or more");
    REQUIRE(a.configured());
    CHECK(a.config().listing_token_key_source == Config::TokenKeySource::Secret);
    const std::string t = token_from(a);
    CHECK(opens(b, t));
    Env other = with_key;
    other["TOKEN_KEY"] = "another key of thirty-two bytes!";
    c.init(configured, other, "seed one, sixteen bytes or more");
    CHECK_FALSE(opens(c, t));
  }
  SECTION("a configured secret that is missing or short is a config error naming the field") {
    std::string error;
    Config cfg;
    CHECK_FALSE(load_config(configured, user, cfg, error));
    CHECK(error == "listing_token_key_secret: Worker secret \"TOKEN_KEY\" is not set");
    Env short_key = user;
    short_key["TOKEN_KEY"] = "too short";
    CHECK_FALSE(load_config(configured, short_key, cfg, error));
    CHECK(error.rfind("listing_token_key_secret: Worker secret \"TOKEN_KEY\" must hold at least 32 bytes", 0) == 0);
    CHECK(error.find("too short") == std::string::npos);
  }
  SECTION("derived: from the access keys' secrets, the same on every core, another with another secret") {
    const std::string derived = config_with("", kAccessKeys);
    Engine a, b, c;
    a.init(derived, user, "seed one, sixteen bytes or more");
    b.init(derived, user, "seed two, sixteen bytes or more");
    REQUIRE(a.configured());
    CHECK(a.config().listing_token_key_source == Config::TokenKeySource::Derived);
    const std::string t = token_from(a);
    CHECK(opens(b, t));
    c.init(derived, {{"USER_SECRET", "rotated secret"}}, "seed one, sixteen bytes or more");
    CHECK_FALSE(opens(c, t));
  }
  SECTION("no secrets at all: a key from the core's seed, so tokens open only on that core") {
    const std::string bare = config_with("");
    Engine a, b;
    a.init(bare, {}, "seed one, sixteen bytes or more");
    b.init(bare, {}, "seed two, sixteen bytes or more");
    REQUIRE(a.configured());
    CHECK(a.config().listing_token_key_source == Config::TokenKeySource::PerCore);
    const std::string t = token_from(a);
    CHECK(opens(a, t));
    CHECK_FALSE(opens(b, t));
  }
}
