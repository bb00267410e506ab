#include "worker/ops/delete_objects.h"

#include <algorithm>
#include <cmath>

#include "worker/auth/authorize.h"
#include "worker/crypto/md5.h"
#include "worker/crypto/sha256.h"
#include "worker/dialect/dialect.h"
#include "worker/ops/write_answer.h"
#include "worker/ops/client_body.h"
#include "worker/ops/multipart_common.h"
#include "worker/route/route.h"
#include "worker/s3/xml.h"
#include "worker/s3/xml_records.h"

namespace s3p {

namespace {

constexpr size_t kMaxKeys = 1000;

void append_key_error(std::string& out, const DeleteTarget& t, const S3Error& e) {
  out += "<Error>";
  xml::append_element(out, "Key", t.key);
  if (!t.version_id.empty()) xml::append_element(out, "VersionId", t.version_id);
  xml::append_element(out, "Code", e.code);
  xml::append_element(out, "Message", e.message);
  out += "</Error>";
}

// How many single-key deletes of a backend without batch deletes (Azure) are in flight at once: the keys go as
// FetchBatch actions of at most this many Delete Blob requests, window after window. 16 because a window waits
// for its slowest delete, so a wider one hides more of the tail, while Workers open at most 6 connections per
// invocation and queue the rest (their timeouts run while queued: 10 small DELETEs queue for about two round
// trips, far inside a backend timeout), so a wider window buys little more; and 1000 keys (S3's cap) then take
// 63 windows. The subrequests are one per key whatever the window.
constexpr size_t kDeleteWindow = 16;
static_assert(kDeleteWindow <= kMaxFetchBatch);

// The keys of one repository, deleted with one backend request — or, on a backend without batch deletes
// (Azure), with one request per key, kDeleteWindow of them at a time (one FetchBatch per window).
struct DeleteGroup {
  const Repository* repo;
  std::vector<DeleteTarget> objects;  // client keys
  bool batch = true;
  size_t rounds() const { return batch ? 1 : (objects.size() + kDeleteWindow - 1) / kDeleteWindow; }
};

class DeleteObjectsOp : public BackendOp {
 public:
  DeleteObjectsOp(std::vector<DeleteGroup> groups, std::string entries, bool quiet, bool flat)
      : groups_(std::move(groups)), entries_(std::move(entries)), quiet_(quiet), flat_(flat) {}
  std::string_view name() const override { return "DeleteObjects"; }
  const Backend& backend() const override { return *groups_[index_].repo->backend; }
  int round_budget() const override {
    size_t n = 0;
    for (const DeleteGroup& g : groups_) n += g.rounds();
    return static_cast<int>(n);
  }

  // A group without batch deletes: the next window of its keys, one Delete per key, performed concurrently.
  Action step(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys) override {
    const DeleteGroup& g = groups_[index_];
    if (g.batch) return BackendOp::step(creds, now_ms, keys);
    const dialect::Dialect& d = dialect::of(*g.repo->backend);
    const int64_t now_s = static_cast<int64_t>(std::floor(now_ms / 1000));
    Action a;
    a.kind = ActionKind::FetchBatch;
    const size_t end = std::min(g.objects.size(), object_ + kDeleteWindow);
    for (size_t i = object_; i < end; ++i) {
      const DeleteTarget& o = g.objects[i];
      const std::string key = g.repo->prefix + std::string(in_repo(o.key));
      std::vector<http::QueryParam> query;
      if (!o.version_id.empty()) query.push_back({"versionId", o.version_id, true});
      dialect::ObjectWrite w;
      w.step = dialect::WriteStep::Delete;
      w.key = key;
      w.query = &query;
      FetchAction f = d.write(*g.repo->backend, w, creds, dialect::Signing{now_s, keys});
      f.mode = ResponseMode::Buffer;  // an empty answer or a small error document: no stream to carry
      f.max_body = kMaxXmlBody;
      a.batch.push_back(std::move(f));
    }
    return a;
  }

  OpStep on_result(Result&& r, double now_ms) override {
    const DeleteGroup& g = groups_[index_];
    if (g.batch) return BackendOp::on_result(std::move(r), now_ms);
    const size_t window = std::min(g.objects.size() - object_, kDeleteWindow);
    if (r.kind != ActionKind::FetchBatch || r.batch.size() != window)
      return OpStep::fail(host_fault("a FetchBatch answered with " + std::to_string(r.batch.size()) + " results for " +
                                     std::to_string(window) + " fetches"));
    for (FetchResult& one : r.batch) on_one_key(std::move(one), g.objects[object_++]);
    if (object_ < g.objects.size()) return OpStep::again();
    return next_group();
  }

  FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) override {
    const DeleteGroup& g = groups_[index_];
    const dialect::Dialect& d = dialect::of(*g.repo->backend);
    dialect::ObjectWrite w;
    std::string body = open_result("Delete");
    xml::append_element(body, "Quiet", quiet_ ? "true" : "false");
    for (const auto& o : g.objects) {
      body += "<Object>";
      xml::append_element(body, "Key", g.repo->prefix + std::string(in_repo(o.key)));
      if (!o.version_id.empty()) xml::append_element(body, "VersionId", o.version_id);
      body += "</Object>";
    }
    body += "</Delete>";
    const std::string hash = crypto::hex(crypto::sha256(body));
    const std::vector<http::QueryParam> query{{"delete", ""}};
    const Headers headers{{"content-md5", crypto::content_md5(body)}, {"content-type", "application/xml"}};
    w.step = dialect::WriteStep::DeleteBatch;
    w.query = &query;
    w.headers = &headers;
    w.payload_hash = hash;
    w.body = Body{BodyKind::Bytes, std::move(body), 0};
    FetchAction f = d.write(*g.repo->backend, w, creds, dialect::Signing{now_s, keys});
    f.mode = ResponseMode::Buffer;
    f.max_body = kMaxXmlBody;
    return f;
  }

  void changed_objects(std::vector<ObjectRef>& out) const override {
    for (const DeleteGroup& g : groups_)
      for (const auto& o : g.objects) out.push_back({g.repo->backend, g.repo->prefix + std::string(in_repo(o.key))});
  }

  OpStep on_response(FetchResult&& r) override {
    const DeleteGroup& g = groups_[index_];
    OpStep failure;
    xml::Document doc;
    if (backend_failure(r, failure) || r.status != 200 || !doc.parse(r.body) || doc.root().name() != "DeleteResult") {
      // One repository's backend failing fails its keys, not the others' (already deleted or still to go).
      const S3Error& e = failure.kind == OpStep::Kind::Error ? *failure.failure.error : errors::BadGateway;
      for (const auto& o : g.objects) append_key_error(entries_, o, e);
    } else {
      for (xml::Element el = doc.root().first(); el; el = el.next()) {
        const bool deleted = el.name() == "Deleted";
        if (!deleted && el.name() != "Error") continue;
        std::string key;
        if (!client_key_of(g, el.child_text("Key"), key)) continue;  // not ours: never shown
        if (deleted && quiet_) continue;
        entries_ += deleted ? "<Deleted>" : "<Error>";
        xml::append_element(entries_, "Key", key);
        if (deleted) xml::copy_fields(entries_, el, {"VersionId", "DeleteMarker", "DeleteMarkerVersionId"});
        else xml::copy_fields(entries_, el, {"VersionId", "Code", "Message"});
        entries_ += deleted ? "</Deleted>" : "</Error>";
      }
    }
    return next_group();
  }

 private:
  // One key's answer of a single-key delete (a window's results are read in request order).
  void on_one_key(FetchResult&& r, const DeleteTarget& o) {
    const DeleteGroup& g = groups_[index_];
    const bool gone = r.outcome == FetchOutcome::Ok &&
                      ((r.status >= 200 && r.status < 300) ||
                       (r.status == 404 && dialect::classify_answer(*g.repo->backend, r).error == BackendError::NoSuchKey));
    if (!gone) {
      OpStep failure = write_failure(*g.repo->backend, r, flat_);
      append_key_error(entries_, o, failure.kind == OpStep::Kind::Error ? *failure.failure.error : errors::BadGateway);
    } else if (!quiet_) {
      entries_ += "<Deleted>";
      xml::append_element(entries_, "Key", o.key);
      if (!o.version_id.empty()) xml::append_element(entries_, "VersionId", o.version_id);
      entries_ += "</Deleted>";
    }
  }

  OpStep next_group() {
    object_ = 0;
    if (++index_ < groups_.size()) return OpStep::again();
    OpStep step;
    std::string out = open_result("DeleteResult");
    out += entries_;
    out += "</DeleteResult>";
    step.headers.push_back({"content-type", "application/xml"});
    step.body = Body{BodyKind::Bytes, std::move(out), 0};
    return step;
  }

  // The key inside the repository, from the client's key in the bucket.
  std::string_view in_repo(std::string_view client_key) const {
    return flat_ ? client_key : client_key.substr(client_key.find('/') + 1);
  }
  bool client_key_of(const DeleteGroup& g, std::string_view backend_key, std::string& out) const {
    if (backend_key.substr(0, g.repo->prefix.size()) != g.repo->prefix) return false;
    out = flat_ ? std::string() : g.repo->name + "/";
    out += backend_key.substr(g.repo->prefix.size());
    return true;
  }

  std::vector<DeleteGroup> groups_;
  std::string entries_;  // <Deleted>/<Error> entries so far (refusals first)
  bool quiet_;
  bool flat_;
  size_t index_ = 0;
  size_t object_ = 0;  // a group without batch deletes: its first key not yet answered (the window's start)
};

}  // namespace

Parsed<DeleteRequest> parse_delete_request(std::string_view body) {
  auto malformed = [](std::string why) { return Parsed<DeleteRequest>::fail(client_fault(errors::MalformedXML, std::move(why))); };
  std::vector<xml::Entry> entries;
  std::string why;
  // 1000 <Object> entries and a <Quiet>; one more is refused as soon as it starts.
  if (!xml::read_entries(body, "Delete", {kMaxKeys + 1}, entries, why)) return malformed("Delete document: " + why);
  DeleteRequest req;
  for (const xml::Entry& e : entries) {
    if (e.name == "Quiet") {
      req.quiet = e.text == "true";
    } else if (e.name == "Object") {
      if (req.objects.size() == kMaxKeys) return malformed("more than 1000 keys");
      const std::string* key = e.field("Key");
      if (!key) return malformed("Object without Key");
      const std::string* version = e.field("VersionId");
      req.objects.push_back({*key, version ? *version : std::string()});
    } else {
      return malformed("unexpected element " + std::string(e.name));
    }
  }
  if (req.objects.empty()) return malformed("no keys");
  return Parsed<DeleteRequest>::of(std::move(req));
}

Planned plan_delete_objects(OpContext& ctx) {
  // Before the body is read: a caller who may delete nothing in the account (anonymous, for one) is refused
  // without it; each key is judged on its own below.
  if (!auth::may_delete_in(ctx.caller, *ctx.account))
    return Planned::refuse(errors::AccessDenied, "no delete permission in this account");
  if (!ctx.body_read) return Planned::read_body_first(kMaxDeleteBody);
  if (Failure f; !body_matches_declared(ctx.body, ctx.payload_hash, ctx.headers, f)) return Planned::refuse(std::move(f));
  Parsed<DeleteRequest> req = parse_delete_request(ctx.body);
  if (!req.ok) return Planned::refuse(std::move(req.failure));

  const Account& account = *ctx.account;
  std::string refused;
  std::vector<DeleteGroup> groups;
  for (auto& o : req.value.objects) {
    const size_t slash = account.flat ? 0 : o.key.find('/');
    const Repository* repo = account.flat ? &account.repositories.front()
                             : slash == std::string::npos ? nullptr
                                                          : account.find(std::string_view(o.key).substr(0, slash));
    const std::string_view key = account.flat ? std::string_view(o.key) : std::string_view(o.key).substr(slash + 1);
    if (!repo || key.empty() || !auth::allows(ctx.caller, account, *repo, kPermDelete, key)) {
      append_key_error(refused, o, errors::AccessDenied);
      continue;
    }
    if (key.size() > 1024 || has_dot_segment(key)) {
      append_key_error(refused, o, errors::InvalidArgument);
      continue;
    }
    auto g = std::find_if(groups.begin(), groups.end(), [&](const DeleteGroup& d) { return d.repo == repo; });
    if (g == groups.end())
      g = groups.insert(groups.end(), DeleteGroup{repo, {}, dialect::of(*repo->backend).capabilities().batch_delete});
    g->objects.push_back(std::move(o));
  }
  if (groups.empty()) return Planned::xml(open_result("DeleteResult") + refused + "</DeleteResult>");
  return Planned::run(std::make_unique<DeleteObjectsOp>(std::move(groups), std::move(refused), req.value.quiet, account.flat));
}

}  // namespace s3p
