#include "worker/s3/list_rewrite.h"

#include <cstring>

#include "worker/http/uri.h"

namespace s3p::xml {
namespace {

constexpr size_t kMaxDepth = 32;

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool eq(std::string_view a, const char* lit, size_t n) {
  return a.size() == n && (n == 0 || std::memcmp(a.data(), lit, n) == 0);
}
#define S3P_IS(name, lit) eq(name, lit, sizeof(lit) - 1)

constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;

// Index of the first byte c in p[i, n), or n. Inline 8-bytes-at-a-time search: the spans between tags are short,
// where a libc memchr call costs more than it saves (and wasm libcs' memchr is 4 bytes at a time).
inline size_t find_byte(const char* p, size_t i, size_t n, unsigned char c) {
  const uint64_t pat = kOnes * c;
  while (n - i >= 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    x ^= pat;
    const uint64_t z = (x - kOnes) & ~x & kHighs;  // the lowest set bit marks the first zero byte (little-endian)
    if (z) return i + (static_cast<size_t>(__builtin_ctzll(z)) >> 3);
    i += 8;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) == c) return i;
  }
  return n;
}

// memchr/memcmp take pointers that must not be null even for a length of 0, and an empty string_view (an empty
// <Key/>, an empty backend prefix, a default-constructed option) may hold one. Every search or comparison of a
// view that can be empty goes through these.
inline bool has_byte(std::string_view s, char c) { return !s.empty() && std::memchr(s.data(), c, s.size()) != nullptr; }

inline bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && (p.empty() || std::memcmp(s.data(), p.data(), p.size()) == 0);
}

// XML text escaping for element content: & < > as entities, C0 controls other than TAB and LF as &#N;.
struct EscapeClass {
  bool c[256] = {};
  constexpr EscapeClass() {
    for (int i = 0; i < 0x20; ++i) c[i] = i != '\t' && i != '\n';
    c[static_cast<unsigned char>('&')] = c[static_cast<unsigned char>('<')] = c[static_cast<unsigned char>('>')] = true;
  }
};
constexpr EscapeClass kEscape;

// True if no byte of the 8 at p needs escaping (SWAR; a TAB or LF only sends the word to the byte loop).
inline bool clean8(const unsigned char* p) {
  uint64_t x;
  std::memcpy(&x, p, 8);
  const auto zero_byte = [&](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  const uint64_t below_space = (x - kOnes * 0x20) & ~x & kHighs;
  return (below_space | zero_byte(x ^ (kOnes * '&')) | zero_byte(x ^ (kOnes * '<')) | zero_byte(x ^ (kOnes * '>'))) == 0;
}

void escape_append(std::string& out, std::string_view s) {
  const unsigned char* const b = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* const e = b + s.size();
  const unsigned char* start = b;
  for (const unsigned char* q = b; q < e; ++q) {
    while (e - q >= 8 && clean8(q)) q += 8;
    if (q >= e) break;
    if (!kEscape.c[*q]) continue;
    const unsigned char c = *q;
    out.append(reinterpret_cast<const char*>(start), static_cast<size_t>(q - start));
    start = q + 1;
    switch (c) {
      case '&': out.append("&amp;", 5); break;
      case '<': out.append("&lt;", 4); break;
      case '>': out.append("&gt;", 4); break;
      default: {  // C0 control: &#N;
        char buf[6] = {'&', '#', 0, 0, 0, 0};
        size_t k = 2;
        if (c >= 10) buf[k++] = static_cast<char>('0' + c / 10);
        buf[k++] = static_cast<char>('0' + c % 10);
        buf[k++] = ';';
        out.append(buf, k);
      }
    }
  }
  out.append(reinterpret_cast<const char*>(start), static_cast<size_t>(e - start));
}

// Text that XML-decodes to itself and escapes to itself: no & < > or C0 control (TAB/LF excepted).
bool xml_plain(std::string_view s) {
  const unsigned char* q = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char* const e = q + s.size();
  while (e - q >= 8 && clean8(q)) q += 8;
  for (; q < e; ++q) {
    if (kEscape.c[*q]) return false;
  }
  return true;
}

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

bool url_plain(std::string_view s) {
  for (unsigned char c : s) {
    if (!kUrlPlain.c[c]) return false;
  }
  return true;
}

void append_utf8(std::string& out, uint32_t cp) {
  char b[4];
  size_t n;
  if (cp < 0x80) {
    b[0] = static_cast<char>(cp);
    n = 1;
  } else if (cp < 0x800) {
    b[0] = static_cast<char>(0xC0 | (cp >> 6));
    b[1] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = static_cast<char>(0xE0 | (cp >> 12));
    b[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[2] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = static_cast<char>(0xF0 | (cp >> 18));
    b[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    b[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    b[3] = static_cast<char>(0x80 | (cp & 0x3F));
    n = 4;
  }
  out.append(b, n);
}

// Decodes the predefined entities and character references. False on anything else (including a bare '&').
bool xml_unescape(std::string_view in, std::string& out) {
  out.clear();
  const char* p = in.data();
  const size_t n = in.size();
  size_t start = 0;
  while (start < n) {
    const void* hit = std::memchr(p + start, '&', n - start);
    if (!hit) break;
    const size_t amp = static_cast<size_t>(static_cast<const char*>(hit) - p);
    out.append(p + start, amp - start);
    size_t semi = amp + 1;
    while (semi < n && semi - amp <= 10 && p[semi] != ';') ++semi;
    if (semi >= n || p[semi] != ';') return false;
    const std::string_view ent(p + amp + 1, semi - amp - 1);
    if (S3P_IS(ent, "amp")) {
      out.push_back('&');
    } else if (S3P_IS(ent, "lt")) {
      out.push_back('<');
    } else if (S3P_IS(ent, "gt")) {
      out.push_back('>');
    } else if (S3P_IS(ent, "quot")) {
      out.push_back('"');
    } else if (S3P_IS(ent, "apos")) {
      out.push_back('\'');
    } else if (ent.size() >= 2 && ent[0] == '#') {
      const bool hex = ent[1] == 'x';
      size_t i = hex ? 2 : 1;
      if (i >= ent.size()) return false;
      uint32_t cp = 0;
      for (; i < ent.size(); ++i) {
        const char c = ent[i];
        uint32_t d;
        if (c >= '0' && c <= '9') {
          d = static_cast<uint32_t>(c - '0');
        } else if (hex && c >= 'a' && c <= 'f') {
          d = static_cast<uint32_t>(c - 'a' + 10);
        } else if (hex && c >= 'A' && c <= 'F') {
          d = static_cast<uint32_t>(c - 'A' + 10);
        } else {
          return false;
        }
        cp = cp * (hex ? 16 : 10) + d;
        if (cp > 0x10FFFF) return false;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
      append_utf8(out, cp);
    } else {
      return false;
    }
    start = semi + 1;
  }
  out.append(p + start, n - start);
  return true;
}

enum class Ctx : uint8_t { Root, Contents, CommonPrefixes, Owner, Other };

struct Tag {
  enum Kind : uint8_t { Start, End, Empty, Eof } kind = Eof;
  std::string_view name;
  size_t begin = 0;  // '<'
  size_t end = 0;    // after '>'
};

// A simple element's text: <X>text</X> or <X/>.
struct TextElem {
  std::string_view text;
  size_t close_begin = 0;  // '<' of </X> (== tag end for <X/>)
  size_t end = 0;          // after the whole element
};

class Rewriter {
 public:
  Rewriter(std::string_view in, const ListRewrite& rw, std::string& out, ListPage& page)
      : p_(in.data()), n_(in.size()), rw_(rw), out_(out), page_(page) {
    if (rw_.url_encoded) {
      http::uri_encode_append(client_prefix_out_, rw_.client_prefix, false);
    } else {
      escape_append(client_prefix_out_, rw_.client_prefix);
    }
  }

  // decode_url: how the document's key-like values are encoded. On return false, error() says why.
  bool run(bool decode_url);
  bool declared_url() const { return declared_url_; }
  bool scanned() const { return root_closed_; }  // the structure was fine (value errors may remain)
  const std::string& error() const { return error_; }

 private:
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  // A value-level problem: recorded, the pass continues (a retry with the other decoding may clear it).
  void defer(const char* why) {
    if (deferred_.empty()) deferred_ = why;
  }

  void flush(size_t upto) {
    out_.append(p_ + copy_from_, upto - copy_from_);
    copy_from_ = upto;
  }

  bool next_tag(Tag& t);
  bool read_name(size_t& i, std::string_view& name);
  bool text_element(const Tag& t, TextElem& e);

  // Replaces the text of a simple element with what emit() appends.
  template <class F>
  void replace_text(const Tag& t, const TextElem& e, F emit) {
    if (t.kind == Tag::Start) {
      flush(t.end);
      emit();
      copy_from_ = e.close_begin;
    } else {  // <X/> -> <X>...</X>
      flush(t.begin);
      out_.push_back('<');
      out_.append(t.name.data(), t.name.size());
      out_.push_back('>');
      emit();
      out_.append("</", 2);
      out_.append(t.name.data(), t.name.size());
      out_.push_back('>');
      copy_from_ = t.end;
    }
  }
  void drop(size_t begin, size_t end) {
    flush(begin);
    copy_from_ = end;
  }

  // Decodes a key-like text; on success `value` views the input or a scratch buffer.
  bool decode_value(std::string_view raw, std::string_view& value);
  // Decodes and checks P. 1: inside P (rest = value after P), 0: outside P, -1: undecodable (deferred).
  // verbatim: the raw text needs no decoding and no re-encoding, so rest views the input and can be copied as is.
  int map_value(std::string_view raw, std::string_view& rest, bool& verbatim);
  int map_value(std::string_view raw, std::string_view& rest) {
    bool verbatim;
    return map_value(raw, rest, verbatim);
  }
  // Writes a mapped key-like element (client prefix + rest).
  void put_mapped(const Tag& t, const TextElem& e, std::string_view rest, bool verbatim) {
    if (verbatim && t.kind == Tag::Start) {
      flush(t.end);
      out_.append(client_prefix_out_);
      copy_from_ = static_cast<size_t>(rest.data() - p_);  // the rest of the key goes out with the next span
    } else {
      replace_text(t, e, [&] { emit_mapped(rest); });
    }
  }
  void skip_leaves();
  void emit_value(std::string_view raw_value) {
    if (rw_.url_encoded) {
      http::uri_encode_append(out_, raw_value, false);
    } else {
      escape_append(out_, raw_value);
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
  bool echo(const Tag& t, const std::optional<std::string_view>& override_value, bool& seen, bool encoded = true);
  void end_entry(size_t end);
  void close_root(const Tag& t);

  const char* p_;
  size_t n_;
  const ListRewrite& rw_;
  std::string& out_;
  ListPage& page_;
  std::string client_prefix_out_;
  std::string scratch_xml_, scratch_url_;
  std::string error_, deferred_;

  bool decode_url_ = false;
  bool declared_url_ = false;
  size_t pos_ = 0;
  size_t copy_from_ = 0;
  size_t depth_ = 0;
  std::string_view names_[kMaxDepth];
  Ctx ctx_[kMaxDepth];
  bool root_closed_ = false;

  // The entry being scanned (<Contents> / <CommonPrefixes>).
  size_t entry_out_ = 0;
  bool entry_has_key_ = false, entry_foreign_ = false;
  size_t last_key_begin_ = 0, last_key_len_ = 0, entry_key_begin_ = 0, entry_key_len_ = 0;
  size_t last_prefix_begin_ = 0, last_prefix_len_ = 0;
  bool have_last_key_ = false, have_last_prefix_ = false;

  // <KeyCount> text in the output.
  bool have_key_count_ = false;
  size_t key_count_out_ = 0, key_count_len_ = 0;
  bool seen_prefix_ = false, seen_start_after_ = false, seen_marker_ = false, seen_encoding_ = false;
};

// Byte classes for tag names: 0 = name byte, 1 = ends the name (space, '>', '/'), 2 = invalid in a tag name.
struct NameClass {
  uint8_t c[256] = {};
  constexpr NameClass() {
    c[static_cast<unsigned char>(' ')] = c[static_cast<unsigned char>('\t')] = 1;
    c[static_cast<unsigned char>('\r')] = c[static_cast<unsigned char>('\n')] = 1;
    c[static_cast<unsigned char>('>')] = c[static_cast<unsigned char>('/')] = 1;
    c[static_cast<unsigned char>('<')] = c[static_cast<unsigned char>('&')] = 2;
    c[static_cast<unsigned char>('"')] = c[static_cast<unsigned char>('\'')] = c[static_cast<unsigned char>('=')] = 2;
  }
};
constexpr NameClass kNameClass;

bool Rewriter::read_name(size_t& i, std::string_view& name) {
  const unsigned char* const b = reinterpret_cast<const unsigned char*>(p_) + i;
  const unsigned char* const e = reinterpret_cast<const unsigned char*>(p_) + n_;
  const unsigned char* q = b;
  while (q < e && kNameClass.c[*q] == 0) ++q;
  if (q >= e) return fail("truncated tag");
  if (kNameClass.c[*q] == 2) return fail("bad character in a tag name");
  if (q == b) return fail("empty tag name");
  name = std::string_view(reinterpret_cast<const char*>(b), static_cast<size_t>(q - b));
  i += name.size();
  return true;
}

// Next element tag from pos_. Comments and PIs are dropped; text between tags is left for the verbatim copy
// (outside the root it must be whitespace).
bool Rewriter::next_tag(Tag& t) {
  for (;;) {
    const size_t lt = pos_ < n_ ? find_byte(p_, pos_, n_, '<') : n_;
    const bool hit = lt < n_;
    if (depth_ == 0) {
      for (size_t i = pos_; i < lt; ++i) {
        if (!is_space(p_[i])) return fail("text outside the root element");
      }
    }
    if (!hit) {
      t.kind = Tag::Eof;
      pos_ = n_;
      return true;
    }
    const size_t rem = n_ - lt;
    if (rem >= 2 && p_[lt + 1] == '!') {
      if (rem >= 4 && p_[lt + 2] == '-' && p_[lt + 3] == '-') {
        const std::string_view rest(p_ + lt + 4, rem - 4);
        const size_t e = rest.find("-->");
        if (e == std::string_view::npos) return fail("unterminated comment");
        drop(lt, lt + 4 + e + 3);
        pos_ = copy_from_;
        continue;
      }
      return fail("CDATA/DOCTYPE not supported");
    }
    if (rem >= 2 && p_[lt + 1] == '?') {
      const std::string_view rest(p_ + lt + 2, rem - 2);
      const size_t e = rest.find("?>");
      if (e == std::string_view::npos) return fail("unterminated processing instruction");
      drop(lt, lt + 2 + e + 2);
      pos_ = copy_from_;
      continue;
    }
    t.begin = lt;
    size_t i = lt + 1;
    if (i < n_ && p_[i] == '/') {
      ++i;
      // Almost always the end of the open element: compare instead of parsing.
      if (depth_ > 0) {
        const std::string_view top = names_[depth_ - 1];
        const size_t e = i + top.size();
        if (e < n_ && p_[e] == '>' && std::memcmp(p_ + i, top.data(), top.size()) == 0) {
          t.kind = Tag::End;
          t.name = top;
          t.end = pos_ = e + 1;
          return true;
        }
      }
      if (!read_name(i, t.name)) return false;
      while (i < n_ && is_space(p_[i])) ++i;
      if (i >= n_ || p_[i] != '>') return fail("bad end tag");
      t.kind = Tag::End;
      t.end = pos_ = i + 1;
      return true;
    }
    if (!read_name(i, t.name)) return false;
    // Attributes: name = "value" | 'value'.
    for (;;) {
      while (i < n_ && is_space(p_[i])) ++i;
      if (i >= n_) return fail("truncated tag");
      if (p_[i] == '>') {
        t.kind = Tag::Start;
        t.end = pos_ = i + 1;
        return true;
      }
      if (p_[i] == '/') {
        if (i + 1 >= n_ || p_[i + 1] != '>') return fail("bad empty-element tag");
        t.kind = Tag::Empty;
        t.end = pos_ = i + 2;
        return true;
      }
      const size_t ab = i;
      while (i < n_ && !is_space(p_[i]) && p_[i] != '=' && p_[i] != '>' && p_[i] != '/' && p_[i] != '<') ++i;
      if (i == ab) return fail("bad attribute");
      while (i < n_ && is_space(p_[i])) ++i;
      if (i >= n_ || p_[i] != '=') return fail("bad attribute");
      ++i;
      while (i < n_ && is_space(p_[i])) ++i;
      if (i >= n_ || (p_[i] != '"' && p_[i] != '\'')) return fail("bad attribute value");
      const char q = p_[i++];
      const void* close = std::memchr(p_ + i, q, n_ - i);
      if (!close) return fail("truncated attribute value");
      const size_t ce = static_cast<size_t>(static_cast<const char*>(close) - p_);
      if (has_byte(std::string_view(p_ + i, ce - i), '<')) return fail("'<' in an attribute value");
      i = ce + 1;
    }
  }
}

// For elements whose content we read or replace: text only, then the matching end tag.
bool Rewriter::text_element(const Tag& t, TextElem& e) {
  if (t.kind == Tag::Empty) {
    e.text = std::string_view(p_ + t.end, 0);  // empty, but pointing into the input (never a null view)
    e.close_begin = e.end = t.end;
    return true;
  }
  const size_t lt = find_byte(p_, t.end, n_, '<');
  if (lt >= n_) return fail("truncated element");
  size_t i = lt + 1;
  const size_t nl = t.name.size();
  if (i >= n_ || p_[i] != '/' || n_ - (i + 1) < nl || std::memcmp(p_ + i + 1, t.name.data(), nl) != 0)
    return fail("a key, name or count element holds markup");
  i += 1 + nl;
  while (i < n_ && is_space(p_[i])) ++i;
  if (i >= n_ || p_[i] != '>') return fail("bad end tag");
  e.text = std::string_view(p_ + t.end, lt - t.end);
  e.close_begin = lt;
  e.end = pos_ = i + 1;
  return true;
}

bool Rewriter::decode_value(std::string_view raw, std::string_view& value) {
  value = raw;
  if (has_byte(raw, '&')) {
    if (!xml_unescape(raw, scratch_xml_)) return false;
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
  // Fast path: nothing to decode or re-encode (the common key), so the text is its own decoding and encoding.
  verbatim = !decode_url_ && !rw_.url_encoded ? xml_plain(raw) : url_plain(raw);
  std::string_view v = raw;
  if (!verbatim && !decode_value(raw, v)) {
    defer(decode_url_ ? "undecodable key (entity or %-escape)" : "undecodable key (entity)");
    return -1;
  }
  if (!starts_with(v, rw_.backend_prefix)) return 0;
  rest = v.substr(rw_.backend_prefix.size());
  return 1;
}

bool Rewriter::echo(const Tag& t, const std::optional<std::string_view>& override_value, bool& seen, bool encoded) {
  TextElem e;
  if (!text_element(t, e)) return false;
  seen = true;
  if (override_value) {
    replace_text(t, e, [&] {
      if (encoded) {
        emit_value(*override_value);
      } else {
        escape_append(out_, *override_value);
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

// Inside <Contents>: skips a run of verbatim leaves <X>text</X> (LastModified, ETag, Size, StorageClass, ...)
// without tokenizing them. Anything else — an end tag, Key, Owner (or any name starting with K or O), markup,
// an element with children, a mismatched end — is left to the general path at the same position.
void Rewriter::skip_leaves() {
  const char* const p = p_;
  for (;;) {
    const size_t a = pos_ < n_ ? find_byte(p, pos_, n_, '<') : n_;
    if (n_ - a < 2) return;
    const unsigned char c = static_cast<unsigned char>(p[a + 1]);
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) || c == 'K' || c == 'O') return;
    const size_t b = find_byte(p, a + 1, n_, '<');
    if (b >= n_) return;
    const size_t g = find_byte(p, a + 1, b, '>');  // the start tag ends before the next '<'
    if (g >= b) return;
    const size_t nl = g - a - 1;  // the whole start-tag content, attributes included
    if (p[g - 1] == '/' || n_ - b < nl + 3 || p[b + 1] != '/' || p[b + 2 + nl] != '>' ||
        std::memcmp(p + b + 2, p + a + 1, nl) != 0)
      return;
    pos_ = b + 3 + nl;
  }
}

bool Rewriter::on_start(const Tag& t, Ctx ctx) {
  const std::string_view name = t.name;
  Ctx push = Ctx::Other;
  switch (ctx) {
    case Ctx::Contents:
      if (S3P_IS(name, "Key")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        std::string_view rest;
        bool verbatim;
        const int m = map_value(e.text, rest, verbatim);
        if (m != 1 || entry_foreign_) {
          entry_foreign_ = true;
          return true;  // the whole entry is dropped at </Contents>
        }
        entry_has_key_ = true;
        put_mapped(t, e, rest, verbatim);
        entry_key_begin_ = static_cast<size_t>(e.text.data() - p_);
        entry_key_len_ = e.text.size();
        return true;
      }
      if (S3P_IS(name, "Owner")) push = Ctx::Owner;
      break;
    case Ctx::CommonPrefixes:
      if (S3P_IS(name, "Prefix")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        std::string_view rest;
        bool verbatim;
        if (map_value(e.text, rest, verbatim) != 1 || entry_foreign_) {
          entry_foreign_ = true;
          return true;
        }
        entry_has_key_ = true;
        put_mapped(t, e, rest, verbatim);
        entry_key_begin_ = static_cast<size_t>(e.text.data() - p_);
        entry_key_len_ = e.text.size();
        return true;
      }
      break;
    case Ctx::Owner:
      if (S3P_IS(name, "ID") || S3P_IS(name, "DisplayName")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        replace_text(t, e, [&] { escape_append(out_, rw_.owner_id); });
        return true;
      }
      break;
    case Ctx::Root:
      if (S3P_IS(name, "Contents") || S3P_IS(name, "CommonPrefixes")) {
        flush(t.begin);
        entry_out_ = out_.size();
        entry_has_key_ = entry_foreign_ = false;
        if (t.kind == Tag::Empty) {  // an entry without a key
          ++page_.dropped;
          copy_from_ = t.end;
          return true;
        }
        push = name.size() == 8 ? Ctx::Contents : Ctx::CommonPrefixes;
        break;
      }
      if (S3P_IS(name, "Name")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        replace_text(t, e, [&] { escape_append(out_, rw_.bucket); });
        return true;
      }
      if (S3P_IS(name, "Prefix")) return echo(t, rw_.prefix_echo, seen_prefix_, rw_.prefix_echo_encoded);
      if (S3P_IS(name, "StartAfter")) return echo(t, rw_.start_after_echo, seen_start_after_);
      if (S3P_IS(name, "Marker")) return echo(t, rw_.marker_echo, seen_marker_);
      if (S3P_IS(name, "NextMarker")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        std::string_view rest;
        bool verbatim;
        if (map_value(e.text, rest, verbatim) != 1) {
          drop(t.begin, e.end);
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
        if (!text_element(t, e)) return false;
        if (t.kind == Tag::Start) {
          flush(e.close_begin);
          have_key_count_ = true;
          key_count_out_ = out_.size() - e.text.size();
          key_count_len_ = e.text.size();
        }
        return true;
      }
      if (S3P_IS(name, "IsTruncated")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        std::string_view v = e.text;
        while (!v.empty() && is_space(v.front())) v.remove_prefix(1);
        while (!v.empty() && is_space(v.back())) v.remove_suffix(1);
        page_.truncated = S3P_IS(v, "true");
        return true;
      }
      if (S3P_IS(name, "NextContinuationToken")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        if (!xml_unescape(e.text, page_.next_token)) return fail("undecodable NextContinuationToken");
        page_.has_next_token = true;
        return true;
      }
      if (S3P_IS(name, "EncodingType")) {
        TextElem e;
        if (!text_element(t, e)) return false;
        if (S3P_IS(e.text, "url")) {
          declared_url_ = true;
        } else if (!e.text.empty()) {
          return fail("unknown EncodingType");
        }
        seen_encoding_ = true;
        if (rw_.url_encoded) {
          replace_text(t, e, [&] { out_.append("url", 3); });
        } else {
          drop(t.begin, e.end);
        }
        return true;
      }
      break;
    case Ctx::Other:
      break;
  }
  if (t.kind == Tag::Empty) return true;
  // Fast path for a verbatim leaf <X>text</X>: skip it whole. Entries and owners are always tracked (a keyless
  // <Contents></Contents> must be seen to be dropped).
  if (push == Ctx::Other) {
    const size_t lt = find_byte(p_, t.end, n_, '<');
    const size_t nl = name.size();
    if (lt < n_ && n_ - lt >= nl + 3 && p_[lt + 1] == '/' && p_[lt + 2 + nl] == '>' &&
        std::memcmp(p_ + lt + 2, name.data(), nl) == 0) {
      pos_ = lt + 3 + nl;
      return true;
    }
  }
  if (depth_ >= kMaxDepth) return fail("nesting too deep");
  names_[depth_] = name;
  ctx_[depth_] = push;
  ++depth_;
  return true;
}

void Rewriter::end_entry(size_t end) {
  if (!entry_has_key_ || entry_foreign_) {
    flush(end);
    out_.resize(entry_out_);
    ++page_.dropped;
    return;
  }
  if (ctx_[depth_] == Ctx::Contents) {
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
  flush(t.begin);
  auto add = [&](const char* name, const std::optional<std::string_view>& v, bool seen, bool skip_empty) {
    if (!v || seen || (skip_empty && v->empty())) return;
    emit_element(name, *v);
  };
  if (rw_.prefix_echo && !seen_prefix_ && !rw_.prefix_echo_encoded) {
    out_.append("<Prefix>");
    escape_append(out_, *rw_.prefix_echo);
    out_.append("</Prefix>");
  } else {
    add("Prefix", rw_.prefix_echo, seen_prefix_, false);
  }
  add("StartAfter", rw_.start_after_echo, seen_start_after_, true);
  add("Marker", rw_.marker_echo, seen_marker_, true);
  if (rw_.url_encoded && !seen_encoding_) out_.append("<EncodingType>url</EncodingType>");
}

bool Rewriter::run(bool decode_url) {
  decode_url_ = decode_url;
  out_.clear();
  out_.reserve(n_ + n_ / 4 + 256);
  page_ = ListPage{};
  // Optional UTF-8 BOM and XML declaration, copied verbatim.
  if (n_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  if (n_ - pos_ >= 6 && std::memcmp(p_ + pos_, "<?xml", 5) == 0 && is_space(p_[pos_ + 5])) {
    const std::string_view rest(p_ + pos_, n_ - pos_);
    const size_t e = rest.find("?>");
    if (e == std::string_view::npos) return fail("unterminated XML declaration");
    pos_ += e + 2;
  }
  Tag t;
  for (;;) {
    if (depth_ > 0 && ctx_[depth_ - 1] == Ctx::Contents) skip_leaves();
    if (!next_tag(t)) return false;
    if (t.kind == Tag::Eof) break;
    if (root_closed_) return fail("content after the root element");
    if (depth_ == 0) {
      if (t.kind != Tag::Start || !S3P_IS(t.name, "ListBucketResult")) return fail("not a ListBucketResult");
      names_[0] = t.name;
      ctx_[0] = Ctx::Root;
      depth_ = 1;
      continue;
    }
    if (t.kind == Tag::End) {
      if (names_[depth_ - 1] != t.name) return fail("mismatched end tag");
      --depth_;
      const Ctx c = ctx_[depth_];
      if (c == Ctx::Contents || c == Ctx::CommonPrefixes) {
        end_entry(t.end);
      } else if (depth_ == 0) {
        close_root(t);
        root_closed_ = true;
      }
      continue;
    }
    if (!on_start(t, ctx_[depth_ - 1])) return false;
  }
  if (!root_closed_) return fail("truncated document");
  flush(n_);
  if (!deferred_.empty()) return fail(deferred_.c_str());

  page_.entries = page_.keys + page_.prefixes;
  if (have_key_count_ && page_.dropped > 0) {
    out_.replace(key_count_out_, key_count_len_, std::to_string(page_.entries));
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
