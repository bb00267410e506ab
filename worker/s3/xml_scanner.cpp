#include "worker/s3/xml_scanner.h"

namespace s3p::xml {
namespace {

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

}  // namespace

bool Scanner::prolog() {
  if (n_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  if (n_ - pos_ >= 6 && std::memcmp(p_ + pos_, "<?xml", 5) == 0 && is_space(p_[pos_ + 5])) {
    const std::string_view rest(p_ + pos_, n_ - pos_);
    const size_t e = rest.find("?>");
    if (e == std::string_view::npos) return fail("unterminated XML declaration");
    pos_ += e + 2;
  }
  return true;
}

bool Scanner::read_name(size_t& i, std::string_view& name) {
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

bool Scanner::next_tag(Tag& t) {
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
        if (e < n_ && p_[e] == '>' && same_bytes(p_ + i, top.data(), top.size())) {
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

bool Scanner::text_element(const Tag& t, TextElem& e) {
  if (t.kind == Tag::Empty) {
    e.text = std::string_view(p_ + t.end, 0);  // empty, but pointing into the input (never a null view)
    e.close_begin = e.end = t.end;
    return true;
  }
  const size_t lt = find_byte(p_, t.end, n_, '<');
  if (lt >= n_) return fail("truncated element");
  size_t i = lt + 1;
  const size_t nl = t.name.size();
  if (i >= n_ || p_[i] != '/' || n_ - (i + 1) < nl || !same_bytes(p_ + i + 1, t.name.data(), nl))
    return fail("a key, name or count element holds markup");
  i += 1 + nl;
  while (i < n_ && is_space(p_[i])) ++i;
  if (i >= n_ || p_[i] != '>') return fail("bad end tag");
  e.text = std::string_view(p_ + t.end, lt - t.end);
  e.close_begin = lt;
  e.end = pos_ = i + 1;
  return true;
}

bool Scanner::skip_leaf(const Tag& t) {
  const size_t lt = find_byte(p_, t.end, n_, '<');
  const size_t nl = t.name.size();
  if (lt < n_ && n_ - lt >= nl + 3 && p_[lt + 1] == '/' && p_[lt + 2 + nl] == '>' &&
      same_bytes(p_ + lt + 2, t.name.data(), nl)) {
    pos_ = lt + 3 + nl;
    return true;
  }
  return false;
}

void Scanner::skip_leaves(char stop_a, char stop_b) {
  const char* const p = p_;
  for (;;) {
    const size_t a = pos_ < n_ ? find_byte(p, pos_, n_, '<') : n_;
    if (n_ - a < 2) return;
    const unsigned char c = static_cast<unsigned char>(p[a + 1]);
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) || c == static_cast<unsigned char>(stop_a) ||
        c == static_cast<unsigned char>(stop_b))
      return;
    const size_t b = find_byte(p, a + 1, n_, '<');
    if (b >= n_) return;
    const size_t g = find_byte(p, a + 1, b, '>');  // the start tag ends before the next '<'
    if (g >= b) return;
    const size_t nl = g - a - 1;  // the whole start-tag content, attributes included
    if (p[g - 1] == '/' || n_ - b < nl + 3 || p[b + 1] != '/' || p[b + 2 + nl] != '>' ||
        !same_bytes(p + b + 2, p + a + 1, nl))
      return;
    pos_ = b + 3 + nl;
  }
}

size_t Scanner::leaves_at(size_t i, char stop_a, char stop_b) const {
  const char* const p = p_;
  for (;;) {
    if (n_ - i < 2 || p[i] != '<') return i;
    const unsigned char c = static_cast<unsigned char>(p[i + 1]);
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) || c == static_cast<unsigned char>(stop_a) ||
        c == static_cast<unsigned char>(stop_b))
      return i;
    // skip_leaves' checks in one pass less: the start tag ends at the first '>', with no '<' before it.
    const size_t g = find_angle(p, i + 1, n_);
    if (g >= n_ || p[g] != '>' || p[g - 1] == '/') return i;
    const size_t nl = g - i - 1;  // the whole start-tag content, attributes included (as skip_leaves)
    const size_t b = find_byte(p, g + 1, n_, '<');
    if (n_ - b < nl + 3 || p[b + 1] != '/' || p[b + 2 + nl] != '>' || !same_bytes(p + b + 2, p + i + 1, nl))
      return i;
    i = b + 3 + nl;
  }
}

}  // namespace s3p::xml
