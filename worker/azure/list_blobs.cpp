// The List Blobs renderer (what list_blobs.h promises): the scanner finds the few elements read per entry; the
// S3 document is written around them.
#include "worker/azure/list_blobs.h"

#include "worker/azure/s3_view.h"

#include "worker/http/uri.h"
#include "worker/rules/http_date.h"
#include "worker/rules/iso8601.h"
#include "worker/s3/xml_escape.h"
#include "worker/s3/xml_scanner.h"

namespace s3p::azure {
namespace {

constexpr std::string_view kHead = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                   "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

// Where the renderer is: its view of each open element.
enum class Ctx : uint8_t { Root, Blobs, Blob, Properties, BlobPrefix, Other };

bool is_digits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Encoded="true" among a start tag's attributes (the raw tag text, '<' to '>').
bool says_encoded(std::string_view tag) {
  const size_t at = tag.find("Encoded=");
  if (at == std::string_view::npos) return false;
  const std::string_view v = tag.substr(at + 8);
  return v.substr(0, 6) == "\"true\"" || v.substr(0, 6) == "'true'";
}

std::string_view storage_class(std::string_view tier) {
  if (tier == "Cool" || tier == "Cold") return "STANDARD_IA";
  if (tier == "Archive") return "GLACIER";
  return "STANDARD";
}

class Renderer {
 public:
  Renderer(std::string_view in, const ListRender& r, std::string& out, xml::ListPage& page)
      : s_(in, sink_), r_(r), out_(out), page_(page) {}

  bool run();
  const std::string& error() const { return s_.error(); }

 private:
  bool fail(const char* why) { return s_.fail(why); }

  // A key-like value as the client asked for it: url-encoded, or XML-escaped.
  void emit_value(std::string& dst, std::string_view v) {
    if (r_.url_encoded) {
      http::uri_encode_append(dst, v, false);
    } else {
      xml::append_escaped(dst, v);
    }
  }
  void element(std::string_view name, std::string_view text, bool key_like, bool encode) {
    out_.push_back('<');
    out_.append(name);
    out_.push_back('>');
    if (key_like && encode) {
      emit_value(out_, text);
    } else {
      xml::append_escaped(out_, text);
    }
    out_.append("</");
    out_.append(name);
    out_.push_back('>');
  }
  // Writes a control element and records where it lies.
  void control(xml::OutSpan& at, std::string_view name, std::string_view text, bool key_like = false,
               bool encode = false) {
    at.begin = out_.size();
    element(name, text, key_like, encode);
    at.end = out_.size();
  }

  void head();
  bool trailer();
  bool on_start(const xml::Tag& t, Ctx ctx);
  // The name of a Blob or BlobPrefix: decoded into `name_`.
  bool read_name(const xml::Tag& t);
  // Decoded name → "client key" in key_ if inside P; false if outside (dropped).
  bool map_name();
  bool end_blob();
  bool end_prefix();

  std::string sink_;  // the scanner's output (it copies nothing the renderer keeps)
  xml::Scanner s_;
  const ListRender& r_;
  std::string& out_;
  xml::ListPage& page_;
  Ctx ctx_[xml::Scanner::kMaxDepth];
  bool root_closed_ = false;

  std::string prefixes_;  // <CommonPrefixes> entries, written after the <Contents>
  std::string scratch_, name_, key_;

  // The entry being read.
  bool has_name_ = false, skip_entry_ = false;
  std::string_view last_modified_, etag_, size_, tier_;
};

void Renderer::head() {
  const bool url = r_.url_encoded;
  out_.append(kHead);
  element("Name", r_.bucket, false, false);
  // Under encoding-type=url S3 encodes Prefix in V2 only; V1 encodes Marker, NextMarker, Delimiter and the keys.
  element("Prefix", r_.prefix, true, url && r_.v2);
  if (r_.v2) {
    if (r_.continuation_token) control(page_.continuation_token_at, "ContinuationToken", *r_.continuation_token);
    if (!r_.start_after.empty()) control(page_.start_after_at, "StartAfter", r_.start_after, true, url);
  } else {
    control(page_.marker_at, "Marker", r_.start_after, true, url);
  }
  control(page_.max_keys_at, "MaxKeys", std::to_string(r_.max_keys));
  if (!r_.delimiter.empty()) element("Delimiter", r_.delimiter, true, url);
  if (url) element("EncodingType", "url", false, false);
}

bool Renderer::trailer() {
  out_.append(prefixes_);
  page_.entries = page_.keys + page_.prefixes;
  page_.truncated = page_.has_next_token;
  if (r_.v2) control(page_.key_count_at, "KeyCount", std::to_string(page_.entries));
  control(page_.is_truncated_at, "IsTruncated", page_.truncated ? "true" : "false");
  if (page_.truncated) {
    if (r_.v2) {
      if (!r_.seal_marker) return fail("a truncated listing and no hook to seal its marker");
      control(page_.next_continuation_token_at, "NextContinuationToken", r_.seal_marker(page_.next_token));
    } else if (page_.entries > 0) {
      page_.has_next_marker = true;
      page_.next_marker = page_.last_key > page_.last_prefix ? page_.last_key : page_.last_prefix;
      control(page_.next_marker_at, "NextMarker", page_.next_marker, true, r_.url_encoded);
    }
  }
  page_.root_end_at = out_.size();
  out_.append("</ListBucketResult>");
  return true;
}

bool Renderer::read_name(const xml::Tag& t) {
  xml::TextElem e;
  if (!s_.text_element(t, e)) return false;
  if (!xml::unescape(e.text, name_)) return fail("undecodable blob name (entity)");
  if (t.kind == xml::Tag::Start && says_encoded(std::string_view(s_.data() + t.begin, t.end - t.begin))) {
    if (!http::percent_decode(name_, scratch_)) return fail("undecodable blob name (Encoded)");
    name_.swap(scratch_);
  }
  has_name_ = true;
  return true;
}

bool Renderer::map_name() {
  if (!xml::starts_with_bytes(name_, r_.backend_prefix)) return false;
  key_.assign(r_.client_prefix.data(), r_.client_prefix.size());
  key_.append(name_, r_.backend_prefix.size(), std::string::npos);
  return true;
}

bool Renderer::end_blob() {
  if (!has_name_) return fail("a Blob without a Name");
  if (!r_.url_encoded && xml::has_byte(name_, '\0')) return fail("a blob name holding NUL (no XML form)");
  if (skip_entry_ || !map_name() || (!r_.start_after.empty() && key_ <= r_.start_after)) {
    ++page_.dropped;
    return true;
  }
  std::string last_modified;
  if (!last_modified_.empty()) {
    int64_t secs = 0;
    if (!parse_http_date(last_modified_, secs)) return fail("a Last-Modified that is not an HTTP date");
    last_modified = format_iso8601(secs);
    if (last_modified.empty() || last_modified.back() != 'Z') return fail("a Last-Modified out of range");
    last_modified.insert(last_modified.size() - 1, ".000");
  }
  if (!size_.empty() && !is_digits(size_)) return fail("a Content-Length that is not a number");
  out_.append("<Contents><Key>");
  emit_value(out_, key_);
  out_.append("</Key>");
  if (!last_modified.empty()) element("LastModified", last_modified, false, false);
  if (!etag_.empty()) {
    if (!xml::unescape(etag_, scratch_)) return fail("undecodable Etag");
    out_.append("<ETag>");
    xml::append_escaped(out_, etag_to_s3(scratch_));  // the form every answer gives (s3_view.h), quoted
    out_.append("</ETag>");
  }
  if (!size_.empty()) element("Size", size_, false, false);
  if (!r_.owner_id.empty()) {
    out_.append("<Owner>");
    element("ID", r_.owner_id, false, false);
    element("DisplayName", r_.owner_id, false, false);
    out_.append("</Owner>");
  }
  element("StorageClass", storage_class(tier_), false, false);
  out_.append("</Contents>");
  ++page_.keys;
  page_.last_key = key_;
  return true;
}

bool Renderer::end_prefix() {
  if (!has_name_) return fail("a BlobPrefix without a Name");
  if (!r_.url_encoded && xml::has_byte(name_, '\0')) return fail("a blob prefix holding NUL (no XML form)");
  if (!map_name()) {
    ++page_.dropped;
    return true;
  }
  // Kept when some key under it may follow start_after: it sorts after it, or start_after lies inside it.
  if (!r_.start_after.empty() && !(key_ > r_.start_after || (key_.size() < r_.start_after.size() &&
                                                             xml::starts_with_bytes(r_.start_after, key_)))) {
    ++page_.dropped;
    return true;
  }
  prefixes_.append("<CommonPrefixes><Prefix>");
  emit_value(prefixes_, key_);
  prefixes_.append("</Prefix></CommonPrefixes>");
  ++page_.prefixes;
  page_.last_prefix = key_;
  return true;
}

bool Renderer::on_start(const xml::Tag& t, Ctx ctx) {
  const std::string_view name = t.name;
  Ctx push = Ctx::Other;
  xml::TextElem e;
  switch (ctx) {
    case Ctx::Root:
      if (name == "Blobs") push = Ctx::Blobs;
      if (name == "NextMarker") {
        if (!s_.text_element(t, e)) return false;
        if (!xml::unescape(e.text, page_.next_token)) return fail("undecodable NextMarker");
        page_.has_next_token = !page_.next_token.empty();
        return true;
      }
      break;
    case Ctx::Blobs:
      if (name == "Blob" || name == "BlobPrefix") {
        has_name_ = skip_entry_ = false;
        last_modified_ = etag_ = size_ = tier_ = {};
        if (t.kind == xml::Tag::Empty) return fail("an entry without a Name");
        push = name == "Blob" ? Ctx::Blob : Ctx::BlobPrefix;
      }
      break;
    case Ctx::Blob:
    case Ctx::BlobPrefix:
      if (name == "Name") return read_name(t);
      if (ctx == Ctx::Blob) {
        if (name == "Properties") push = Ctx::Properties;
        if (name == "Snapshot" || name == "Deleted" || name == "IsCurrentVersion") {
          if (!s_.text_element(t, e)) return false;
          if (name == "Snapshot" ? !e.text.empty() : name == "Deleted" ? e.text == "true" : e.text != "true")
            skip_entry_ = true;
          return true;
        }
      }
      break;
    case Ctx::Properties: {
      std::string_view* field = name == "Last-Modified"    ? &last_modified_
                                : name == "Etag"           ? &etag_
                                : name == "Content-Length" ? &size_
                                : name == "AccessTier"     ? &tier_
                                                           : nullptr;
      if (field) {
        if (!s_.text_element(t, e)) return false;
        *field = e.text;
        return true;
      }
      break;
    }
    case Ctx::Other:
      break;
  }
  if (t.kind == xml::Tag::Empty) return true;
  if (push == Ctx::Other && s_.skip_leaf(t)) return true;
  if (!s_.push(name)) return false;
  ctx_[s_.depth() - 1] = push;
  return true;
}

bool Renderer::run() {
  out_.clear();
  out_.reserve(s_.size() / 2 + 512);
  page_ = xml::ListPage{};
  head();
  if (!s_.prolog()) return false;
  xml::Tag t;
  for (;;) {
    if (!s_.next_tag(t)) return false;
    if (t.kind == xml::Tag::Eof) break;
    if (root_closed_) return fail("content after the root element");
    if (s_.depth() == 0) {
      if (t.kind != xml::Tag::Start || t.name != "EnumerationResults") return fail("not an EnumerationResults");
      s_.push(t.name);
      ctx_[0] = Ctx::Root;
      continue;
    }
    if (t.kind == xml::Tag::End) {
      if (s_.open() != t.name) return fail("mismatched end tag");
      s_.pop();
      const Ctx c = ctx_[s_.depth()];
      if (c == Ctx::Blob && !end_blob()) return false;
      if (c == Ctx::BlobPrefix && !end_prefix()) return false;
      if (s_.depth() == 0) root_closed_ = true;
      continue;
    }
    if (!on_start(t, ctx_[s_.depth() - 1])) return false;
  }
  if (!root_closed_) return fail("truncated document");
  return trailer();
}

}  // namespace

bool render_listing(std::string_view azure_xml, const ListRender& r, std::string& out, std::string& error,
                    xml::ListPage* page) {
  xml::ListPage local;
  Renderer renderer(azure_xml, r, out, page ? *page : local);
  if (renderer.run()) return true;
  error = renderer.error();
  return false;
}

}  // namespace s3p::azure
