// A forward, zero-copy scanner over one XML document, for rewriting it in a single pass: it finds tags and the
// text of simple elements, and copies the input to an output buffer in spans, so that a caller changes only what
// it replaces or drops and everything else goes out verbatim (no DOM; a 255 KB listing is one reserve and a few
// thousand appends).
//
// What it accepts: an optional UTF-8 BOM and XML declaration, then elements with attributes, text, comments and
// processing instructions (both dropped from the output). CDATA and DOCTYPE are refused; so are truncated or
// unbalanced markup, text outside the root, and nesting deeper than kMaxDepth. It never reads outside the input.
// Entities in text are left to the caller (xml_escape.h: unescape).
//
// Output model: bytes before `copied_to()` are already in `out`; flush(upto) copies the gap; replace/drop move the
// copy position past what they rewrote or removed.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace s3p::xml {

// SWAR helpers over 8 bytes read as a little-endian word: the lowest set bit of the result marks the first byte
// that matched (zero_byte: a zero byte; below_space: a byte < 0x20).
constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
inline uint64_t load_word(const char* q) {
  uint64_t x;
  std::memcpy(&x, q, 8);
  return x;
}
inline uint64_t zero_byte(uint64_t x) { return (x - kOnes) & ~x & kHighs; }
inline uint64_t below_space(uint64_t x) { return (x - kOnes * 0x20) & ~x & kHighs; }

// Index of the first byte c in p[i, n), or n. Inline 8-bytes-at-a-time search: the spans between tags are short,
// where a libc memchr call costs more than it saves (and wasm libcs' memchr is 4 bytes at a time).
inline size_t find_byte(const char* p, size_t i, size_t n, unsigned char c) {
  const uint64_t pat = kOnes * c;
  while (n - i >= 8) {
    const uint64_t z = zero_byte(load_word(p + i) ^ pat);
    if (z) return i + (static_cast<size_t>(__builtin_ctzll(z)) >> 3);
    i += 8;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(p[i]) == c) return i;
  }
  return n;
}

// Index of the first '<' or '>' in p[i, n), or n (the end of a start tag, or markup before it).
inline size_t find_angle(const char* p, size_t i, size_t n) {
  while (n - i >= 8) {
    const uint64_t x = load_word(p + i);
    const uint64_t z = zero_byte(x ^ (kOnes * '<')) | zero_byte(x ^ (kOnes * '>'));
    if (z) return i + (static_cast<size_t>(__builtin_ctzll(z)) >> 3);
    i += 8;
  }
  for (; i < n; ++i) {
    if (p[i] == '<' || p[i] == '>') return i;
  }
  return n;
}

// memchr/memcmp take pointers that must not be null even for a length of 0, and an empty string_view (an empty
// <Key/>, an empty backend prefix, a default-constructed option) may hold one. Every search or comparison of a
// view that can be empty goes through these.
inline bool has_byte(std::string_view s, char c) { return !s.empty() && std::memchr(s.data(), c, s.size()) != nullptr; }
inline bool starts_with_bytes(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && (p.empty() || std::memcmp(s.data(), p.data(), p.size()) == 0);
}

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Whether x[0, n) == y[0, n), inline: the scanner compares short tag names (3-20 bytes) thousands of times per
// listing, where a call to memcmp costs more than the comparison (in wasm memcmp is not a builtin).
inline bool same_bytes(const char* x, const char* y, size_t n) {
  auto load8 = load_word;
  auto load4 = [](const char* q) {
    uint32_t v;
    std::memcpy(&v, q, 4);
    return v;
  };
  if (n >= 8) {
    for (size_t k = 0; k + 8 < n; k += 8) {
      if (load8(x + k) != load8(y + k)) return false;
    }
    return load8(x + n - 8) == load8(y + n - 8);  // the last 8 bytes (overlapping the loop's: same answer)
  }
  if (n >= 4) return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
  for (size_t k = 0; k < n; ++k) {
    if (x[k] != y[k]) return false;
  }
  return true;
}

struct Tag {
  enum Kind : uint8_t { Start, End, Empty, Eof } kind = Eof;
  std::string_view name;
  size_t begin = 0;  // '<'
  size_t end = 0;    // after '>'
};

// A simple element's text: <X>text</X> or <X/>.
struct TextElem {
  std::string_view text;   // never a null view, even when empty
  size_t close_begin = 0;  // '<' of </X> (== tag end for <X/>)
  size_t end = 0;          // after the whole element
};

class Scanner {
 public:
  static constexpr size_t kMaxDepth = 32;

  Scanner(std::string_view in, std::string& out) : p_(in.data()), n_(in.size()), out_(out) {}

  // Skips (and copies) an optional BOM and XML declaration. Call first.
  bool prolog();
  // The next element tag from the current position. Comments and processing instructions on the way are dropped
  // from the output; text is left for the verbatim copy (outside the root it must be whitespace). An end tag is
  // checked against open() only by the caller; Eof at the end of the input.
  bool next_tag(Tag& t);
  // For elements whose content the caller reads or replaces: text only, then the matching end tag.
  bool text_element(const Tag& t, TextElem& e);
  // A leaf <X ...>text</X ...> at t (a Start tag) skipped whole, without tokenizing it. False (nothing consumed)
  // for anything else.
  bool skip_leaf(const Tag& t);
  // Skips a run of such leaves from the current position, stopping before an end tag, markup, an element with
  // children, or a leaf whose name starts with stop_a or stop_b (the caller's to look at; two letters, not a set:
  // this loop runs for every leaf of a listing).
  void skip_leaves(char stop_a, char stop_b);

  // Pure look-aheads for a caller's fast path over a layout it expects (no output, no state change; npos on any
  // surprise, and the caller then takes the generic path from where it was):
  // - the end of `lit` if the input holds exactly it at i;
  size_t expect(size_t i, std::string_view lit) const {
    return n_ - i >= lit.size() && same_bytes(p_ + i, lit.data(), lit.size()) ? i + lit.size() : npos;
  }
  // - the end of the text that starts at i, if every byte before the next '<' is in `allowed` (a 256-entry table
  //   that must not allow '<'). literal_words: the table allows every byte >= 0x20 but & < >, so that words of
  //   such bytes can be passed 8 at a time;
  size_t text_in(size_t i, const bool* allowed, bool literal_words) const {
    if (literal_words) {
      while (n_ - i >= 8) {
        const uint64_t x = load_word(p_ + i);
        if (below_space(x) | zero_byte(x ^ (kOnes * '&')) | zero_byte(x ^ (kOnes * '<')) | zero_byte(x ^ (kOnes * '>')))
          break;
        i += 8;
      }
    }
    while (i < n_ && allowed[static_cast<unsigned char>(p_[i])]) ++i;
    return i < n_ && p_[i] == '<' ? i : npos;
  }
  // - the end of the run of leaves from i that skip_leaves(stop_a, stop_b) would skip, with no text between them:
  //   stops before the first '<' that does not start such a leaf.
  size_t leaves_at(size_t i, char stop_a, char stop_b) const;
  static constexpr size_t npos = static_cast<size_t>(-1);
  // Moves the tag search on to pos (after a fast path consumed the input up to it).
  void advance_to(size_t pos) { pos_ = pos; }

  // The stack of open elements (for the fast end-tag match in next_tag).
  bool push(std::string_view name) {
    if (depth_ >= kMaxDepth) return fail("nesting too deep");
    names_[depth_++] = name;
    return true;
  }
  void pop() { --depth_; }
  size_t depth() const { return depth_; }
  std::string_view open() const { return names_[depth_ - 1]; }

  // Output.
  void flush(size_t upto) {
    out_.append(p_ + copy_from_, upto - copy_from_);
    copy_from_ = upto;
  }
  void drop(size_t begin, size_t end) {
    flush(begin);
    copy_from_ = end;
  }
  void copy_from(size_t pos) { copy_from_ = pos; }
  // Replaces the text of a simple element with what emit() appends (<X/> becomes <X>...</X>).
  template <class F>
  void replace_text(const Tag& t, const TextElem& e, F emit) {
    if (t.kind == Tag::Start) {
      flush(t.end);
      emit();
      copy_from_ = e.close_begin;
    } else {
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

  const char* data() const { return p_; }
  size_t size() const { return n_; }
  size_t position() const { return pos_; }  // where the next tag search starts (after what was consumed)
  size_t offset_of(std::string_view inside) const { return static_cast<size_t>(inside.data() - p_); }

  // The first structural error (for the log); every failing call returns false through this.
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  bool read_name(size_t& i, std::string_view& name);

  const char* p_;
  size_t n_;
  std::string& out_;
  size_t pos_ = 0;
  size_t copy_from_ = 0;
  size_t depth_ = 0;
  std::string_view names_[kMaxDepth];
  std::string error_;
};

}  // namespace s3p::xml
