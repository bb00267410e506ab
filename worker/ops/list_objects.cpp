#include "worker/ops/list_objects.h"

#include <algorithm>
#include <cstdlib>

#include "worker/auth/authorize.h"
#include "worker/dialect/dialect.h"
#include "worker/s3/continuation_token.h"
#include "worker/s3/list_rewrite.h"
#include "worker/s3/xml.h"
#include "worker/util/sort.h"

namespace s3p {

namespace {

constexpr std::string_view kNamespace = "http://s3.amazonaws.com/doc/2006-03-01/";
constexpr int kMaxEmptyRounds = 8;

bool parse_max_keys(const std::string& v, uint32_t& out) {
  if (v.empty() || v.size() > 10 || v.find_first_not_of("0123456789") != std::string::npos) return false;
  unsigned long n = std::strtoul(v.c_str(), nullptr, 10);
  out = static_cast<uint32_t>(std::min<unsigned long>(n, 1000));  // S3 never returns more than 1000
  return true;
}

// Repositories in the order of their keys: by "name/" bytewise ('/' sorts after '-' and '.').
std::vector<const Repository*> repos_in_key_order(const Account& account) {
  std::vector<const Repository*> out;
  for (const auto& r : account.repositories) out.push_back(&r);
  util::sort(out.begin(), out.end(), [](const Repository* a, const Repository* b) { return a->name + "/" < b->name + "/"; });
  return out;
}

// What the client sees before a repository's keys: "repo/", or nothing in a flat bucket.
std::string client_prefix_of(const Repository& r) { return r.name.empty() ? std::string() : r.name + "/"; }

// A V1 marker that sorts after every key of repository r ("r/...") and before every key of the next repository
// in key order: "r0" ('0' follows '/'). No repository name holds '/', so no other repository's keys fall between;
// plan_listing reads it as "start at the first repository after r".
std::string after_repository(const Repository& r) { return r.name + "0"; }

void element(std::string& out, std::string_view name, std::string_view text, bool url) {
  xml::append_element(out, name, url ? http::uri_encode(text, false) : std::string(text));
}

// What a continuation token is bound to: this listing of this account.
list_token::Listing listing_of(const Account& account, const ListRequest& req) {
  return {account.name, req.prefix, req.delimiter};
}

// The repositories of an account as CommonPrefixes (delimiter "/", prefix within the first key segment), after
// `start` (the opened continuation token, start-after or marker).
std::string local_listing(const Account& account, const ListRequest& req, const crypto::SivKeys& keys,
                          std::string_view start) {
  std::vector<std::string> matches;
  for (const Repository* r : repos_in_key_order(account)) {
    std::string p = r->name + "/";
    if (p.compare(0, req.prefix.size(), req.prefix) == 0 && p > start) matches.push_back(std::move(p));
  }
  // S3 answers max-keys=0 with an empty listing that is not truncated (and so carries no NextMarker/token).
  const bool truncated = req.max_keys > 0 && matches.size() > req.max_keys;
  if (matches.size() > req.max_keys) matches.resize(req.max_keys);

  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"";
  out += kNamespace;
  out += "\">";
  element(out, "Name", account.name, false);
  // Under encoding-type=url S3 encodes Prefix in V2 only; V1 encodes Marker, NextMarker, Delimiter and the keys.
  element(out, "Prefix", req.prefix, req.url && req.v2);
  if (req.v2) {
    element(out, "KeyCount", std::to_string(matches.size()), false);
  } else {
    element(out, "Marker", req.marker, req.url);
    if (truncated && !matches.empty()) element(out, "NextMarker", matches.back(), req.url);
  }
  element(out, "MaxKeys", std::to_string(req.max_keys), false);
  element(out, "Delimiter", req.delimiter, req.url);
  element(out, "IsTruncated", truncated ? "true" : "false", false);
  for (const auto& m : matches) {
    out += "<CommonPrefixes>";
    element(out, "Prefix", m, req.url);
    out += "</CommonPrefixes>";
  }
  if (req.url) element(out, "EncodingType", "url", false);
  if (req.v2) {
    if (req.has_token) element(out, "ContinuationToken", req.token, false);
    if (truncated && !matches.empty())
      element(out, "NextContinuationToken", list_token::seal(keys, listing_of(account, req), matches.back()), false);
    if (!req.start_after.empty()) element(out, "StartAfter", req.start_after, req.url);
  }
  out += "</ListBucketResult>";
  return out;
}

// A listing that matches nothing (the account's name, the request's echo fields, no entries).
std::string empty_listing(const Account& account, const ListRequest& req) {
  Account none;
  none.name = account.name;
  return local_listing(none, req, crypto::SivKeys{}, "");  // nothing listed: no token to seal
}

ListPlan local_plan(std::string document) {
  ListPlan plan;
  plan.document = std::move(document);
  return plan;
}

// The caller's edits of a rewritten listing's top-level elements (xml::ListPage's spans), applied in one copy of
// the document: a 1000-key listing is ~255 KB, and a search or a mid-document erase per element cost more than
// the rewrite itself.
class ListEdits {
 public:
  explicit ListEdits(const xml::ListPage& page) : root_end_(page.root_end_at) {}

  // The element's text becomes `escaped_text`; an element the backend did not send is added before the root's end.
  void set(const xml::OutSpan& at, std::string_view name, std::string_view escaped_text) {
    std::string element;
    element.reserve(2 * name.size() + escaped_text.size() + 5);
    element.append("<").append(name).append(">").append(escaped_text).append("</").append(name).append(">");
    if (at.present()) {
      edits_.push_back({at.begin, at.end, std::move(element)});
    } else {
      edits_.push_back({root_end_, root_end_, std::move(element)});
    }
  }
  void remove(const xml::OutSpan& at) {
    if (at.present()) edits_.push_back({at.begin, at.end, {}});
  }

  std::string apply(const std::string& doc) && {
    util::sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
    size_t grow = 0;
    for (const Edit& e : edits_) grow += e.text.size();
    std::string out;
    out.reserve(doc.size() + grow);
    size_t at = 0;
    for (const Edit& e : edits_) {
      out.append(doc, at, e.begin - at);
      out.append(e.text);
      at = e.end;
    }
    out.append(doc, at, std::string::npos);
    return out;
  }

 private:
  struct Edit {
    size_t begin, end;
    std::string text;
  };
  size_t root_end_;
  std::vector<Edit> edits_;
};

// A key-like value as element text: url-encoded when the client asked for encoding-type=url, else escaped.
std::string encoded(std::string_view s, bool url) { return url ? http::uri_encode(s, false) : xml::escaped(s); }

}  // namespace

Parsed<ListRequest> parse_list_request(const std::vector<http::QueryParam>& params) {
  using Result = Parsed<ListRequest>;
  const auto bad = [](std::string why) { return Result::fail(client_fault(errors::InvalidArgument, std::move(why))); };
  ListRequest out;
  for (const auto& p : params) {
    const std::string& n = p.name;
    if (n == "list-type") {
      if (p.value != "2") return bad("list-type must be 2");
      out.v2 = true;
    } else if (n == "prefix") {
      out.prefix = p.value;
    } else if (n == "delimiter") {
      out.delimiter = p.value;
    } else if (n == "max-keys") {
      if (!parse_max_keys(p.value, out.max_keys)) return bad("max-keys must be a non-negative integer");
    } else if (n == "continuation-token") {
      out.has_token = true;
      out.token = p.value;
    } else if (n == "start-after") {
      out.start_after = p.value;
    } else if (n == "marker") {
      out.marker = p.value;
    } else if (n == "encoding-type") {
      if (p.value != "url") return bad("encoding-type must be url");
      out.url = true;
    } else if (n == "fetch-owner") {
      out.fetch_owner = p.value == "true";
    } else if (n != "x-id" && n != "allow-unordered") {
      return Result::fail(client_fault(errors::NotImplemented, "unsupported bucket sub-resource or parameter " + n));
    }
  }
  return Result::of(std::move(out));
}

namespace {

ListPlan invalid_token() {
  ListPlan plan;
  plan.kind = ListPlan::Kind::Invalid;
  plan.error = &errors::InvalidContinuationToken;
  plan.why = "continuation token does not open";
  return plan;
}

ListPlan plan_rounds(const Account& account, const ListRequest& req, const crypto::SivKeys& keys) {
  ListPlan plan;
  const size_t slash = req.prefix.find('/');
  // A token must open before anything else happens: what it holds decides where the listing starts.
  // An empty continuation-token starts at the beginning, as S3 does (and is echoed back like any token).
  const bool v2_resumes = req.v2 && req.has_token && !req.token.empty();
  std::string token;
  if (v2_resumes && !list_token::open(keys, listing_of(account, req), req.token, token)) return invalid_token();
  // A V1 marker the proxy sealed (the NextMarker of a backend without start-after) resumes as a V2 token does;
  // any other marker is a key. A key cannot pass for a sealed marker: it does not open.
  const bool v1_sealed = !req.v2 && !req.marker.empty() && list_token::open(keys, listing_of(account, req), req.marker, token);
  const bool resumes = v2_resumes || v1_sealed;

  if (account.flat) {  // one backend prefix; the backend handles prefix and delimiter itself
    plan.kind = ListPlan::Kind::Backend;
    plan.repos = {&account.repositories.front()};
    plan.rest = req.prefix;
  } else if (slash != std::string::npos) {  // the prefix reaches into one repository
    const Repository* repo = account.find(std::string_view(req.prefix).substr(0, slash));
    if (!repo) return local_plan(empty_listing(account, req));
    plan.kind = ListPlan::Kind::Backend;
    plan.repos = {repo};
    plan.rest = req.prefix.substr(slash + 1);
  } else if (req.delimiter == "/") {
    plan.document = local_listing(account, req, keys, req.v2 ? (v2_resumes ? token : req.start_after) : req.marker);
    return plan;
  } else if (!req.delimiter.empty()) {
    plan.kind = ListPlan::Kind::Invalid;
    plan.why = "a delimiter other than '/' needs a prefix inside one repository";
    return plan;
  } else {  // no delimiter: walk every repository matching the prefix
    plan.kind = ListPlan::Kind::Backend;
    for (const Repository* r : repos_in_key_order(account))
      if ((r->name + "/").compare(0, req.prefix.size(), req.prefix) == 0) plan.repos.push_back(r);
    if (plan.repos.empty()) return local_plan(empty_listing(account, req));
  }

  // Where to start: a continuation token names its repository ("{repo}/{backend token}"); start-after/marker is a
  // client key. A sealed token names a repository of this listing unless the caller may no longer list it.
  if (resumes) {
    size_t cut = token.find('/');
    std::string_view repo = std::string_view(token).substr(0, cut);
    auto it = std::find_if(plan.repos.begin(), plan.repos.end(), [&](const Repository* r) { return r->name == repo; });
    if (cut == std::string::npos || it == plan.repos.end()) return invalid_token();
    plan.index = static_cast<size_t>(it - plan.repos.begin());
    plan.backend_token = token.substr(cut + 1);
    plan.marker_sealed = v1_sealed;
    return plan;
  }
  const std::string& start = req.v2 ? req.start_after : req.marker;
  if (start.empty()) return plan;
  for (; plan.index < plan.repos.size(); ++plan.index) {
    const Repository& r = *plan.repos[plan.index];
    std::string head = client_prefix_of(r);
    if (start.compare(0, head.size(), head) == 0) {
      plan.backend_start = r.prefix + start.substr(head.size());
      return plan;
    }
    if (head > start) return plan;
  }
  // Starts after every repository: nothing to list.
  return local_plan(empty_listing(account, req));
}

}  // namespace

ListPlan plan_listing(const Account& account, const ListRequest& req, const crypto::SivKeys& token_keys) {
  ListPlan plan = plan_rounds(account, req, token_keys);
  // max-keys=0: S3 answers an empty, untruncated listing. No backend page can add to that, and a backend that
  // answered "truncated" with no entries would leave nothing to resume from.
  if (plan.kind == ListPlan::Kind::Backend && req.max_keys == 0) return local_plan(empty_listing(account, req));
  return plan;
}

ListOp::ListOp(const Account& account, ListRequest req, ListPlan plan, std::string_view owner_id,
               const crypto::SivKeys& token_keys)
    : account_(account), req_(std::move(req)), plan_(std::move(plan)), owner_id_(owner_id), token_keys_(token_keys) {}

FetchAction ListOp::request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) {
  const Repository& repo = *plan_.repos[plan_.index];
  const std::string prefix = repo.prefix + plan_.rest;
  dialect::ListCall call;
  call.prefix = prefix;
  call.delimiter = req_.delimiter;
  call.max_keys = req_.max_keys;
  call.token = plan_.backend_token;
  call.start_after = plan_.backend_start;
  call.url_encoded = req_.url;
  call.owners = req_.fetch_owner || !req_.v2;  // V1 listings always carry owners
  return dialect::of(*repo.backend).list(*repo.backend, call, creds, {now_s, keys});
}

OpStep ListOp::on_response(FetchResult&& r) {
  OpStep step;
  if (backend_failure(r, step)) return step;
  const Repository& repo = *plan_.repos[plan_.index];
  const dialect::Dialect& d = dialect::of(*repo.backend);
  if (r.status != 200) {
    const dialect::Classified c = dialect::classify_answer(*repo.backend, r);
    std::string detail = "backend list " + std::to_string(r.status) + " " + c.code;
    return backend_error_answer(c.error, BackendCallKind::List, account_.flat, std::move(detail));
  }

  std::string client_prefix = client_prefix_of(repo);
  dialect::ListView view;
  view.backend_prefix = repo.prefix;
  view.client_prefix = client_prefix;
  view.bucket = account_.name;
  view.v2 = req_.v2;
  view.url_encoded = req_.url;
  view.prefix = req_.prefix;
  view.delimiter = req_.delimiter;
  view.max_keys = req_.max_keys;
  if (req_.v2 && req_.has_token) view.continuation_token = req_.token;
  view.start_after = req_.v2 ? req_.start_after : plan_.marker_sealed ? std::string_view() : req_.marker;
  view.owner_id = owner_id_;
  view.owners = req_.fetch_owner || !req_.v2;
  // "{repo}/{backend token}", as below (a renderer that writes the token itself: Azure's).
  view.seal_next = [&](std::string_view next) {
    return list_token::seal(token_keys_, listing_of(account_, req_), repo.name + "/" + std::string(next));
  };
  xml::ListPage page;
  std::string doc, error;
  if (!d.render_listing(r.body, view, doc, error, &page)) return OpStep::fail(errors::BadGateway, "listing: " + error);

  // An empty page moves on without answering: to the next repository when this one is exhausted, or to the
  // backend's next page when it answered "truncated" with nothing kept (every entry outside the prefix). After a
  // few empty rounds in a row, answer an empty truncated page instead: every round is a subrequest, and Workers
  // cap those per request.
  const bool more_repos = plan_.index + 1 < plan_.repos.size();
  const bool backend_more = page.truncated && page.has_next_token && !page.next_token.empty();
  if (page.entries == 0 && (page.truncated ? backend_more : more_repos) && ++empty_rounds_ < kMaxEmptyRounds) {
    if (page.truncated) {
      plan_.backend_token = page.next_token;
    } else {
      ++plan_.index;
      plan_.backend_token.clear();
    }
    plan_.backend_start.clear();
    return OpStep::again();
  }
  // A truncated answer must say where to resume, or a client pages forever from the start (V2) or stops early.
  if (page.truncated && !backend_more && (req_.v2 || page.entries == 0))
    return OpStep::fail(errors::BadGateway, "backend listing truncated without a continuation token");
  const bool truncated = page.truncated || more_repos;
  ListEdits edits(page);
  edits.set(page.is_truncated_at, "IsTruncated", truncated ? "true" : "false");
  edits.set(page.max_keys_at, "MaxKeys", std::to_string(req_.max_keys));
  if (!req_.v2) {
    for (const xml::OutSpan* v2_only : {&page.key_count_at, &page.continuation_token_at,
                                        &page.next_continuation_token_at, &page.start_after_at})
      edits.remove(*v2_only);
    edits.set(page.marker_at, "Marker", encoded(req_.marker, req_.url));
    if (page.truncated && page.entries == 0)  // empty rounds exhausted inside one repository: no key to resume after
      return OpStep::fail(errors::ServiceUnavailable, "V1 listing: backend pages without entries");
    // NextMarker: within this repository, the last key or common prefix of this page (whichever sorts later);
    // when this repository is exhausted, a marker that sorts after all of its keys and before the next one's.
    // A backend without start-after cannot resume after a key without re-reading what precedes it: its NextMarker
    // is sealed instead ("{repo}/{backend marker}", as a V2 token; base64url, so url decoding leaves it whole).
    if (truncated && page.truncated && !d.capabilities().start_after)
      edits.set(page.next_marker_at, "NextMarker",
                xml::escaped(list_token::seal(token_keys_, listing_of(account_, req_), repo.name + "/" + page.next_token)));
    else if (truncated)
      edits.set(page.next_marker_at, "NextMarker",
                encoded(page.truncated ? std::max(page.last_key, page.last_prefix) : after_repository(repo), req_.url));
  } else {
    // The backend's own tokens never reach the client: its <ContinuationToken> echoes what we sent it (after empty
    // rounds, a token the client never had) and its <NextContinuationToken> is sealed into ours.
    if (req_.has_token) edits.set(page.continuation_token_at, "ContinuationToken", xml::escaped(req_.token));
    else edits.remove(page.continuation_token_at);
    if (truncated) {
      // "{repo}/{backend token}"; in a flat bucket the repository name is empty.
      std::string next = page.truncated ? repo.name + "/" + page.next_token : plan_.repos[plan_.index + 1]->name + "/";
      edits.set(page.next_continuation_token_at, "NextContinuationToken",
                xml::escaped(list_token::seal(token_keys_, listing_of(account_, req_), next)));
    } else {
      edits.remove(page.next_continuation_token_at);
    }
  }
  doc = std::move(edits).apply(doc);
  step.status = 200;
  step.headers = {{"content-type", "application/xml"}};
  step.body = Body{BodyKind::Bytes, std::move(doc), 0};
  return step;
}

Planned plan_list_objects(OpContext& ctx) {
  const Account& account = *ctx.account;
  Parsed<ListRequest> parsed = parse_list_request(ctx.params);
  if (!parsed.ok) return Planned::refuse(std::move(parsed.failure));
  ListRequest& list = parsed.value;
  // The listing runs over a view of the account holding only what this caller may list: a listing inside one
  // repository needs list permission for its prefix there (else 403, as S3); the repositories as CommonPrefixes
  // show those the caller can see; a walk across repositories covers those the caller may list whole.
  Account& view = ctx.listing_view;
  view.name = account.name;
  view.flat = account.flat;
  const size_t slash = list.prefix.find('/');
  if (account.flat || slash != std::string::npos) {
    const Repository* repo = account.flat ? &account.repositories.front()
                                          : account.find(std::string_view(list.prefix).substr(0, slash));
    const std::string_view rest = account.flat ? std::string_view(list.prefix) : std::string_view(list.prefix).substr(slash + 1);
    // A repository the caller cannot see lists as one that does not exist (its name is not given away); in a
    // flat bucket the repository is the bucket, which S3 refuses.
    const bool visible = repo && (account.flat || auth::can_see(ctx.caller, account, *repo));
    if (visible && !auth::allows(ctx.caller, account, *repo, kPermList, rest))
      return Planned::refuse(errors::AccessDenied, "no list permission for this prefix");
    if (visible) view.repositories.push_back(*repo);
  } else {
    const bool walk = list.delimiter != "/";
    for (const Repository& r : account.repositories)
      if (walk ? auth::allows(ctx.caller, account, r, kPermList, "") : auth::can_see(ctx.caller, account, r))
        view.repositories.push_back(r);
    if (view.repositories.empty() && !auth::can_see(ctx.caller, account))
      return Planned::refuse(errors::AccessDenied, "no repository of the account is visible");
  }
  ListPlan plan = plan_listing(view, list, ctx.config.listing_token_keys);
  if (plan.kind == ListPlan::Kind::Invalid) return Planned::refuse(*plan.error, plan.why);
  if (plan.kind == ListPlan::Kind::Local) return Planned::xml(std::move(plan.document));
  return Planned::run(std::make_unique<ListOp>(view, std::move(list), std::move(plan), ctx.config.owner_id,
                                               ctx.config.listing_token_keys));
}

}  // namespace s3p
