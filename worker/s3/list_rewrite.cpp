// The rewrite policy for listings (what list_rewrite.h promises), over xml_scanner.h (finding tags and copying
// spans) and xml_escape.h (the core's one escaper): which elements are mapped, replaced, dropped or counted.
#include "worker/s3/list_rewrite.h"

#include "worker/http/uri.h"
#include "worker/s3/xml_escape.h"
#include "worker/s3/xml_scanner.h"

namespace s3p::xml {
namespace {

inline bool eq(std::string_view a, const char* lit, size_t n) {
  return a.size() == n && (n == 0 || std::memcmp(a.data(), lit, n) == 0);
}
#define S3P_IS(name, lit) eq(name, lit, sizeof(lit) - 1)

// Text that form-decodes to itself and uri_encode(.., false)s to itself: only A-Z a-z 0-9 - . _ ~ and '/'.
struct UrlPlainClass {
  bool c[256] = {};
  constexpr UrlPlainClass() {
    for (int i = 'A'; i <= 'Z'; ++i) c[i] = true;
    for (int i = 'a'; i <= 'z'; ++i) c[i] = true;
    for (int i = '0'; i <= '9'; ++i) c[i] = true;
    c[static_cast<unsigned char>('-')] = c[static_cast<unsigned char>('.')] = c[static_cast<unsigned char>('_')] = true;
    c[static_cast<unsigned char>('~')] = c[static_cast<unsigned char>('/')] = true;
  }
};
constexpr UrlPlainClass kUrlPlain;

// Key bytes a fast-path entry copies verbatim when neither the document nor the client uses url encoding: what
// is_literal_text accepts (no & < > and no control byte but TAB and LF; quotes are fine), '<' excluded (it ends
// the text). A byte outside it sends the entry to the generic path, which decodes and re-escapes.
struct LiteralKeyClass {
  bool c[256] = {};
  constexpr LiteralKeyClass() {
    for (int i = 0x20; i < 256; ++i) c[i] = true;
    c[static_cast<unsigned char>('\t')] = c[static_cast<unsigned char>('\n')] = true;
    c[static_cast<unsigned char>('&')] = c[static_cast<unsigned char>('<')] = c[static_cast<unsigned char>('>')] = false;
  }
};
constexpr LiteralKeyClass kLiteralKey;

bool url_plain(std::string_view s) {
  for (unsigned char c : s) {
    if (!kUrlPlain.c[c]) return false;
  }
  return true;
}

// Where the rewrite is: the policy's view of each open element.
enum class Ctx : uint8_t { Root, Contents, CommonPrefixes, Owner, Other };

class Rewriter {
 public:
  Rewriter(std::string_view in, const ListRewrite& rw, std::string& out, ListPage& page)
      : s_(in, out), p_(in.data()), rw_(rw), out_(out), page_(page) {
    if (rw_.url_encoded) {
      http::uri_encode_append(client_prefix_out_, rw_.client_prefix, false);
    } else {
      append_escaped(client_prefix_out_, rw_.client_prefix);
    }
  }

  // decode_url: how the document's key-like values are encoded. On return false, error() says why.
  bool run(bool decode_url);
  bool declared_url() const { return declared_url_; }
  bool scanned() const { return root_closed_; }  // the structure was fine (value errors may remain)
  const std::string& error() const { return s_.error(); }

 private:
  bool fail(const char* why) { return s_.fail(why); }
  // A value-level problem: recorded, the pass continues (a retry with the other decoding may clear it).
  void defer(const char* why) {
    if (deferred_.empty()) deferred_ = why;
  }

  // Decodes a key-like text; on success `value` views the input or a scratch buffer.
  bool decode_value(std::string_view raw, std::string_view& value);
  // Decodes and checks P. 1: inside P (rest = value after P), 0: outside P, -1: undecodable (deferred).
  // verbatim: the raw text needs no decoding and no re-encoding, so rest views the input and can be copied as is.
  int map_value(std::string_view raw, std::string_view& rest, bool& verbatim);
  // Writes a mapped key-like element (client prefix + rest).
  void put_mapped(const Tag& t, const TextElem& e, std::string_view rest, bool verbatim) {
    if (verbatim && t.kind == Tag::Start) {
      s_.flush(t.end);
      out_.append(client_prefix_out_);
      s_.copy_from(s_.offset_of(rest));  // the rest of the key goes out with the next span
    } else {
      s_.replace_text(t, e, [&] { emit_mapped(rest); });
    }
  }
  void emit_value(std::string_view raw_value) {
    if (rw_.url_encoded) {
      http::uri_encode_append(out_, raw_value, false);
    } else {
      append_escaped(out_, raw_value);
    }
  }
  void emit_mapped(std::string_view rest) {
    out_.append(client_prefix_out_);
    emit_value(rest);
  }
  void emit_element(const char* name, std::string_view value) {
    out_.push_back('<');
    out_.append(name);
    out_.push_back('>');
    emit_value(value);
    out_.append("</", 2);
    out_.append(name);
    out_.push_back('>');
  }

  bool on_start(const Tag& t, Ctx ctx);
  bool fast_entry(size_t body, Ctx ctx);
  bool control(const Tag& t);
  OutSpan* control_span(std::string_view name);
  bool tracked(const Tag& t, OutSpan& span);
  void shift_spans_after(size_t pos, size_t old_len, size_t new_len);
  bool entry_key(const Tag& t);
  bool echo(const Tag& t, const std::optional<std::string_view>& override_value, bool& seen, bool encoded = true);
  void end_entry(size_t end, Ctx ctx);
  void close_root(const Tag& t);

  Scanner s_;
  const char* p_;
  const ListRewrite& rw_;
  std::string& out_;
  ListPage& page_;
  std::string client_prefix_out_;
  std::string scratch_xml_, scratch_url_;
  std::string deferred_;

  bool decode_url_ = false;
  bool declared_url_ = false;
  Ctx ctx_[Scanner::kMaxDepth];
  bool root_closed_ = false;

  // The entry being scanned (<Contents> / <CommonPrefixes>).
  size_t entry_out_ = 0;
  bool entry_has_key_ = false, entry_foreign_ = false;
  size_t last_key_begin_ = 0, last_key_len_ = 0, entry_key_begin_ = 0, entry_key_len_ = 0;
  size_t last_prefix_begin_ = 0, last_prefix_len_ = 0;
  bool have_last_key_ = false, have_last_prefix_ = false;

  // Consecutive entries fast_entry had to leave to the generic path.
  static constexpr uint32_t kFastMissLimit = 4;
  uint32_t fast_misses_ = 0;
  size_t fast_missed_at_ = Scanner::npos;

  // <KeyCount> text in the output.
  bool have_key_count_ = false;
  size_t key_count_out_ = 0, key_count_len_ = 0;
  bool seen_prefix_ = false, seen_start_after_ = false, seen_marker_ = false, seen_encoding_ = false;
};

bool Rewriter::decode_value(std::string_view raw, std::string_view& value) {
  value = raw;
  if (has_byte(raw, '&')) {
    if (!unescape(raw, scratch_xml_)) return false;
    value = scratch_xml_;
  }
  if (decode_url_ && (has_byte(value, '%') || has_byte(value, '+'))) {
    if (!http::form_decode(value, scratch_url_)) return false;
    value = scratch_url_;
  }
  // NUL has no XML representation (not even &#0;): only an url-encoded answer can carry it.
  return rw_.url_encoded || !has_byte(value, '\0');
}

int Rewriter::map_value(std::string_view raw, std::string_view& rest, bool& verbatim) {
  // Fast path: nothing to decode or re-encode (the common key), so the text goes out as it came.
  verbatim = !decode_url_ && !rw_.url_encoded ? is_literal_text(raw) : url_plain(raw);
  std::string_view v = raw;
  if (!verbatim && !decode_value(raw, v)) {
    defer(decode_url_ ? "undecodable key (entity or %-escape)" : "undecodable key (entity)");
    return -1;
  }
  if (!starts_with_bytes(v, rw_.backend_prefix)) return 0;
  rest = v.substr(rw_.backend_prefix.size());
  return 1;
}

bool Rewriter::echo(const Tag& t, const std::optional<std::string_view>& override_value, bool& seen, bool encoded) {
  TextElem e;
  if (!s_.text_element(t, e)) return false;
  seen = true;
  if (override_value) {
    s_.replace_text(t, e, [&] {
      if (encoded) {
        emit_value(*override_value);
      } else {
        append_escaped(out_, *override_value);
      }
    });
    return true;
  }
  std::string_view rest;
  bool verbatim;
  const int m = map_value(e.text, rest, verbatim);
  if (m == 0) defer("an echoed prefix/start-after/marker lies outside the backend prefix");
  if (m != 1) return true;  // the pass fails at the end (unless redone)
  put_mapped(t, e, rest, verbatim);
  return true;
}

// <Contents><Key> or <CommonPrefixes><Prefix>: mapped, or the whole entry is dropped at its end tag.
bool Rewriter::entry_key(const Tag& t) {
  TextElem e;
  if (!s_.text_element(t, e)) return false;
  std::string_view rest;
  bool verbatim;
  if (map_value(e.text, rest, verbatim) != 1 || entry_foreign_) {
    entry_foreign_ = true;
    return true;
  }
  entry_has_key_ = true;
  put_mapped(t, e, rest, verbatim);
  entry_key_begin_ = s_.offset_of(e.text);
  entry_key_len_ = e.text.size();
  return true;
}

bool Rewriter::on_start(const Tag& t, Ctx ctx) {
  const std::string_view name = t.name;
  Ctx push = Ctx::Other;
  switch (ctx) {
    case Ctx::Contents:
      if (S3P_IS(name, "Key")) return entry_key(t);
      if (S3P_IS(name, "Owner")) push = Ctx::Owner;
      break;
    case Ctx::CommonPrefixes:
      if (S3P_IS(name, "Prefix")) return entry_key(t);
      break;
    case Ctx::Owner:
      if (S3P_IS(name, "ID") || S3P_IS(name, "DisplayName")) {
        TextElem e;
        if (!s_.text_element(t, e)) return false;
        s_.replace_text(t, e, [&] { append_escaped(out_, rw_.owner_id); });
        return true;
      }
      break;
    case Ctx::Root:
      if (OutSpan* span = control_span(name)) return tracked(t, *span);
      if (S3P_IS(name, "Contents") || S3P_IS(name, "CommonPrefixes")) {
        s_.flush(t.begin);
        entry_out_ = out_.size();
        entry_has_key_ = entry_foreign_ = false;
        if (t.kind == Tag::Empty) {  // an entry without a key
          ++page_.dropped;
          s_.copy_from(t.end);
          return true;
        }
        push = name.size() == 8 ? Ctx::Contents : Ctx::CommonPrefixes;
        // A miss costs a partial scan that the generic path then redoes, and listings are uniform (a backend
        // that writes entries some other way writes them all so): after a few misses in a row, stop trying.
        if (fast_misses_ < kFastMissLimit && t.end != fast_missed_at_ && fast_entry(t.end, push)) {
          fast_misses_ = 0;
          // Entries come in runs: take the following ones the same way, without tokenizing their start tags.
          const std::string_view start = push == Ctx::Contents ? "<Contents>" : "<CommonPrefixes>";
          for (;;) {
            const size_t body = s_.expect(s_.position(), start);
            if (body == Scanner::npos) break;
            if (!fast_entry(body, push)) {
              ++fast_misses_;
              fast_missed_at_ = body;  // not to be tried again when the generic path reaches its start tag
              break;
            }
          }
          return true;
        }
        if (fast_misses_ < kFastMissLimit && t.end != fast_missed_at_) ++fast_misses_;
        break;
      }
      if (S3P_IS(name, "Name")) {
        TextElem e;
        if (!s_.text_element(t, e)) return false;
        s_.replace_text(t, e, [&] { append_escaped(out_, rw_.bucket); });
        return true;
      }
      if (S3P_IS(name, "Prefix")) return echo(t, rw_.prefix_echo, seen_prefix_, rw_.prefix_echo_encoded);
      if (S3P_IS(name, "EncodingType")) {
        TextElem e;
        if (!s_.text_element(t, e)) return false;
        if (S3P_IS(e.text, "url")) {
          declared_url_ = true;
        } else if (!e.text.empty()) {
          return fail("unknown EncodingType");
        }
        seen_encoding_ = true;
        if (rw_.url_encoded) {
          s_.replace_text(t, e, [&] { out_.append("url", 3); });
        } else {
          s_.drop(t.begin, e.end);
        }
        return true;
      }
      break;
    case Ctx::Other:
      break;
  }
  if (t.kind == Tag::Empty) return true;
  // A verbatim leaf <X>text</X> is skipped whole. Entries and owners are always tracked (a keyless
  // <Contents></Contents> must be seen to be dropped).
  if (push == Ctx::Other && s_.skip_leaf(t)) return true;
  if (!s_.push(name)) return false;
  ctx_[s_.depth() - 1] = push;
  return true;
}

// The common entry, done in one look-ahead instead of tag by tag: S3, MinIO and the emulators write
//   <Contents><Key>k</Key><LastModified>..</LastModified>...</Contents>   <CommonPrefixes><Prefix>p</Prefix></CommonPrefixes>
// (with an <Owner> among the leaves in V1 and fetch-owner listings) with no whitespace, no attributes and a key
// that needs neither decoding nor re-encoding. When the entry is exactly that and its key lies inside P, it goes
// out as the generic path would write it (client prefix for P, the rest verbatim, the owner's texts replaced).
// On any surprise (another layout, a second Key, Prefix or Owner, a key to decode or outside P, markup in a leaf)
// nothing has been consumed and the generic path takes the entry from its start tag, so what is accepted and
// what is written do not depend on this function.
// body: where the entry's content starts (after its start tag, whose '<' the output has been flushed up to or
// is still to copy verbatim).
bool Rewriter::fast_entry(size_t body, Ctx ctx) {
  const bool contents = ctx == Ctx::Contents;
  const bool literal = !decode_url_ && !rw_.url_encoded;
  const size_t key = s_.expect(body, contents ? std::string_view("<Key>") : std::string_view("<Prefix>"));
  if (key == Scanner::npos) return false;
  const size_t key_end = s_.text_in(key, literal ? kLiteralKey.c : kUrlPlain.c, literal);
  if (key_end == Scanner::npos) return false;
  size_t i = s_.expect(key_end, contents ? std::string_view("</Key>") : std::string_view("</Prefix>"));
  if (i == Scanner::npos) return false;
  const std::string_view text(p_ + key, key_end - key);
  if (!starts_with_bytes(text, rw_.backend_prefix)) return false;
  // Leaves that are copied as they are, as the generic path's skip_leaves would (only in <Contents>; K and O
  // would be a second key or an owner). Among them, one <Owner> of <ID>/<DisplayName> texts (V1 listings and
  // fetch-owner; either order), whose texts are replaced as the generic path does.
  size_t owner_text[2][2];  // [begin, end) of each text to replace
  size_t owner_texts = 0;
  if (contents) {
    i = s_.leaves_at(i, 'K', 'O');
    const size_t owner = s_.expect(i, "<Owner>");
    if (owner != Scanner::npos) {
      i = owner;
      for (; owner_texts < 2; ++owner_texts) {
        std::string_view close = "</ID>";
        size_t t = s_.expect(i, "<ID>");
        if (t == Scanner::npos) {
          close = "</DisplayName>";
          t = s_.expect(i, "<DisplayName>");
        }
        if (t == Scanner::npos) break;
        const size_t lt = find_byte(p_, t, s_.size(), '<');
        i = s_.expect(lt, close);
        if (i == Scanner::npos) return false;
        owner_text[owner_texts][0] = t;
        owner_text[owner_texts][1] = lt;
      }
      i = s_.expect(i, "</Owner>");
      if (i == Scanner::npos) return false;
      i = s_.leaves_at(i, 'K', 'O');
    }
  }
  const size_t end = s_.expect(i, contents ? std::string_view("</Contents>") : std::string_view("</CommonPrefixes>"));
  if (end == Scanner::npos) return false;

  s_.flush(key);
  out_.append(client_prefix_out_);
  s_.copy_from(key + rw_.backend_prefix.size());  // the rest of the entry goes out with the next span
  for (size_t k = 0; k < owner_texts; ++k) {
    s_.flush(owner_text[k][0]);
    append_escaped(out_, rw_.owner_id);
    s_.copy_from(owner_text[k][1]);
  }
  s_.advance_to(end);
  entry_has_key_ = true;
  entry_foreign_ = false;
  entry_key_begin_ = key;
  entry_key_len_ = text.size();
  end_entry(end, ctx);
  return true;
}

// A top-level element the caller may set or remove afterwards (ListPage's spans): read, mapped or copied.
bool Rewriter::control(const Tag& t) {
  const std::string_view name = t.name;
  if (S3P_IS(name, "StartAfter")) return echo(t, rw_.start_after_echo, seen_start_after_);
  if (S3P_IS(name, "Marker")) return echo(t, rw_.marker_echo, seen_marker_);
  if (S3P_IS(name, "NextMarker")) {
    TextElem e;
    if (!s_.text_element(t, e)) return false;
    std::string_view rest;
    bool verbatim;
    if (map_value(e.text, rest, verbatim) != 1) {
      s_.drop(t.begin, e.end);
      return true;
    }
    page_.has_next_marker = true;
    page_.next_marker.assign(rw_.client_prefix.data(), rw_.client_prefix.size());
    page_.next_marker.append(rest.data(), rest.size());
    put_mapped(t, e, rest, verbatim);
    return true;
  }
  if (S3P_IS(name, "KeyCount")) {
    TextElem e;
    if (!s_.text_element(t, e)) return false;
    if (t.kind == Tag::Start) {
      s_.flush(e.close_begin);
      have_key_count_ = true;
      key_count_out_ = out_.size() - e.text.size();
      key_count_len_ = e.text.size();
    }
    return true;
  }
  if (S3P_IS(name, "IsTruncated")) {
    TextElem e;
    if (!s_.text_element(t, e)) return false;
    std::string_view v = e.text;
    while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
    while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
    page_.truncated = S3P_IS(v, "true");
    return true;
  }
  if (S3P_IS(name, "NextContinuationToken")) {
    TextElem e;
    if (!s_.text_element(t, e)) return false;
    if (!unescape(e.text, page_.next_token)) return fail("undecodable NextContinuationToken");
    page_.has_next_token = true;
    return true;
  }
  // MaxKeys, ContinuationToken: copied as they are (they must be leaves).
  TextElem e;
  return s_.text_element(t, e);
}

OutSpan* Rewriter::control_span(std::string_view name) {
  if (S3P_IS(name, "IsTruncated")) return &page_.is_truncated_at;
  if (S3P_IS(name, "MaxKeys")) return &page_.max_keys_at;
  if (S3P_IS(name, "KeyCount")) return &page_.key_count_at;
  if (S3P_IS(name, "ContinuationToken")) return &page_.continuation_token_at;
  if (S3P_IS(name, "NextContinuationToken")) return &page_.next_continuation_token_at;
  if (S3P_IS(name, "StartAfter")) return &page_.start_after_at;
  if (S3P_IS(name, "Marker")) return &page_.marker_at;
  if (S3P_IS(name, "NextMarker")) return &page_.next_marker_at;
  return nullptr;
}

// Handles a control element and records where it went in the output (an empty span at its place if dropped).
// Sent twice, it fails: the caller edits one, and the other would go out unchecked (a raw backend token).
bool Rewriter::tracked(const Tag& t, OutSpan& span) {
  if (span.end != 0) return fail("a pagination element appears twice");
  s_.flush(t.begin);
  span.begin = out_.size();
  if (!control(t)) return false;  // leaves only: text_element refuses markup inside
  s_.flush(s_.position());
  span.end = out_.size();
  return true;
}

// The output moved by new_len - old_len after pos (KeyCount's recount): so do the spans behind it.
void Rewriter::shift_spans_after(size_t pos, size_t old_len, size_t new_len) {
  auto shift = [&](size_t& at) {
    if (at > pos) at = at - old_len + new_len;
  };
  for (OutSpan* sp : {&page_.is_truncated_at, &page_.max_keys_at, &page_.key_count_at, &page_.continuation_token_at,
                      &page_.next_continuation_token_at, &page_.start_after_at, &page_.marker_at, &page_.next_marker_at}) {
    shift(sp->begin);
    shift(sp->end);
  }
  shift(page_.root_end_at);
}

void Rewriter::end_entry(size_t end, Ctx ctx) {
  if (!entry_has_key_ || entry_foreign_) {
    s_.flush(end);
    out_.resize(entry_out_);
    ++page_.dropped;
    return;
  }
  if (ctx == Ctx::Contents) {
    ++page_.keys;
    have_last_key_ = true;
    last_key_begin_ = entry_key_begin_;
    last_key_len_ = entry_key_len_;
  } else {
    ++page_.prefixes;
    have_last_prefix_ = true;
    last_prefix_begin_ = entry_key_begin_;
    last_prefix_len_ = entry_key_len_;
  }
}

void Rewriter::close_root(const Tag& t) {
  s_.flush(t.begin);
  auto add = [&](const char* name, const std::optional<std::string_view>& v, bool seen, bool skip_empty) {
    if (!v || seen || (skip_empty && v->empty())) return;
    emit_element(name, *v);
  };
  if (rw_.prefix_echo && !seen_prefix_ && !rw_.prefix_echo_encoded) {
    out_.append("<Prefix>");
    append_escaped(out_, *rw_.prefix_echo);
    out_.append("</Prefix>");
  } else {
    add("Prefix", rw_.prefix_echo, seen_prefix_, false);
  }
  add("StartAfter", rw_.start_after_echo, seen_start_after_, true);
  add("Marker", rw_.marker_echo, seen_marker_, true);
  if (rw_.url_encoded && !seen_encoding_) out_.append("<EncodingType>url</EncodingType>");
  page_.root_end_at = out_.size();
}

bool Rewriter::run(bool decode_url) {
  decode_url_ = decode_url;
  out_.clear();
  out_.reserve(s_.size() + s_.size() / 4 + 256);
  page_ = ListPage{};
  if (!s_.prolog()) return false;
  Tag t;
  for (;;) {
    // Inside <Contents>, leaves other than Key and Owner are copied without being tokenized.
    if (s_.depth() > 0 && ctx_[s_.depth() - 1] == Ctx::Contents) s_.skip_leaves('K', 'O');
    if (!s_.next_tag(t)) return false;
    if (t.kind == Tag::Eof) break;
    if (root_closed_) return fail("content after the root element");
    if (s_.depth() == 0) {
      if (t.kind != Tag::Start || !S3P_IS(t.name, "ListBucketResult")) return fail("not a ListBucketResult");
      s_.push(t.name);
      ctx_[0] = Ctx::Root;
      continue;
    }
    if (t.kind == Tag::End) {
      if (s_.open() != t.name) return fail("mismatched end tag");
      s_.pop();
      const Ctx c = ctx_[s_.depth()];
      if (c == Ctx::Contents || c == Ctx::CommonPrefixes) {
        end_entry(t.end, c);
      } else if (s_.depth() == 0) {
        close_root(t);
        root_closed_ = true;
      }
      continue;
    }
    if (!on_start(t, ctx_[s_.depth() - 1])) return false;
  }
  if (!root_closed_) return fail("truncated document");
  s_.flush(s_.size());
  if (!deferred_.empty()) return fail(deferred_.c_str());

  page_.entries = page_.keys + page_.prefixes;
  if (have_key_count_ && page_.dropped > 0) {
    const std::string count = std::to_string(page_.entries);
    out_.replace(key_count_out_, key_count_len_, count);
    shift_spans_after(key_count_out_, key_count_len_, count.size());
  }
  auto mapped = [&](size_t begin, size_t len, std::string& dest) {
    std::string_view v;
    decode_value(std::string_view(p_ + begin, len), v);  // decoded fine once already
    dest.assign(rw_.client_prefix.data(), rw_.client_prefix.size());
    dest.append(v.data() + rw_.backend_prefix.size(), v.size() - rw_.backend_prefix.size());
  };
  if (have_last_key_) mapped(last_key_begin_, last_key_len_, page_.last_key);
  if (have_last_prefix_) mapped(last_prefix_begin_, last_prefix_len_, page_.last_prefix);
  return true;
}

#undef S3P_IS

}  // namespace

bool rewrite_listing(std::string_view backend_xml, const ListRewrite& rw, std::string& out, std::string& error,
                     ListPage* page) {
  ListPage local;
  ListPage& pg = page ? *page : local;
  {
    Rewriter r(backend_xml, rw, out, pg);
    const bool ok = r.run(rw.url_encoded);
    // A well-formed document that says it is encoded otherwise than we asked: redo the pass decoding it as it
    // says (the output is still encoded as the client asked).
    if (!r.scanned() || r.declared_url() == rw.url_encoded) {
      if (!ok) error = r.error();
      return ok;
    }
  }
  Rewriter r(backend_xml, rw, out, pg);
  const bool ok = r.run(!rw.url_encoded);
  if (!ok) error = r.error();
  return ok;
}

}  // namespace s3p::xml
