#include "worker/http/json.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "worker/util/sort.h"

namespace s3p::json {

// One recursive-descent pass over the text; each parse_* leaves pos_ after what it read, or returns false.
class Parser {
 public:
  explicit Parser(std::string_view text) : p_(text.data()), n_(text.size()) {}

  Value run() {
    if (n_ >= 3 && std::string_view(p_, 3) == "\xEF\xBB\xBF") pos_ = 3;
    Value v;
    skip_space();
    if (!parse_value(v, 0)) return Value(Type::Discarded);
    skip_space();
    if (pos_ != n_) return Value(Type::Discarded);
    return v;
  }

 private:
  void skip_space() {
    while (pos_ < n_ && (p_[pos_] == ' ' || p_[pos_] == '\t' || p_[pos_] == '\n' || p_[pos_] == '\r')) ++pos_;
  }
  bool literal(std::string_view word) {
    if (n_ - pos_ < word.size() || std::string_view(p_ + pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool parse_value(Value& v, size_t depth) {
    if (pos_ >= n_) return false;
    switch (p_[pos_]) {
      case '{':
        return parse_object(v, depth + 1);
      case '[':
        return parse_array(v, depth + 1);
      case '"':
        v.type_ = Type::String;
        return parse_string(v.string_);
      case 't':
        v.type_ = Type::Boolean;
        v.boolean_ = true;
        return literal("true");
      case 'f':
        v.type_ = Type::Boolean;
        return literal("false");
      case 'n':
        v.type_ = Type::Null;
        return literal("null");
      default:
        return parse_number(v);
    }
  }

  // Its first byte ('{' or '[') read: whether the list is empty (its closing byte then read too).
  bool empty_list(char close) {
    ++pos_;
    skip_space();
    if (pos_ < n_ && p_[pos_] == close) {
      ++pos_;
      return true;
    }
    return false;
  }
  // After an element or member: ',' (more follow) or `close` (the list is done), each read; false for anything else.
  bool after_item(char close, bool& more) {
    skip_space();
    if (pos_ < n_ && (p_[pos_] == ',' || p_[pos_] == close)) {
      more = p_[pos_++] == ',';
      skip_space();
      return true;
    }
    return false;
  }

  bool parse_object(Value& v, size_t depth) {
    if (depth > Value::kMaxDepth) return false;
    v.type_ = Type::Object;
    for (bool more = !empty_list('}'); more;) {
      if (pos_ >= n_ || p_[pos_] != '"') return false;
      Member m;
      if (!parse_string(m.name)) return false;
      skip_space();
      if (pos_ >= n_ || p_[pos_] != ':') return false;
      ++pos_;
      skip_space();
      if (!parse_value(m.value, depth)) return false;
      v.members_.push_back(std::move(m));
      if (!after_item('}', more)) return false;
    }
    // Sorted for find(); of a name given twice the last member stays (stable sort: it is the last of its run).
    auto& m = v.members_;
    util::sort(m.begin(), m.end(), [](const Member& a, const Member& b) { return a.name < b.name; });
    size_t kept = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      if (i + 1 < m.size() && m[i + 1].name == m[i].name) continue;
      if (kept != i) m[kept] = std::move(m[i]);
      ++kept;
    }
    m.resize(kept);
    return true;
  }

  bool parse_array(Value& v, size_t depth) {
    if (depth > Value::kMaxDepth) return false;
    v.type_ = Type::Array;
    for (bool more = !empty_list(']'); more;) {
      v.array_.emplace_back();
      if (!parse_value(v.array_.back(), depth)) return false;
      if (!after_item(']', more)) return false;
    }
    return true;
  }

  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  bool parse_number(Value& v) {
    const size_t begin = pos_;
    const bool negative = pos_ < n_ && p_[pos_] == '-';
    if (negative) ++pos_;
    if (pos_ >= n_ || !digit(p_[pos_])) return false;
    if (p_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < n_ && digit(p_[pos_])) ++pos_;
    }
    bool integer = true;
    if (pos_ < n_ && p_[pos_] == '.') {
      integer = false;
      ++pos_;
      if (pos_ >= n_ || !digit(p_[pos_])) return false;
      while (pos_ < n_ && digit(p_[pos_])) ++pos_;
    }
    if (pos_ < n_ && (p_[pos_] == 'e' || p_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < n_ && (p_[pos_] == '+' || p_[pos_] == '-')) ++pos_;
      if (pos_ >= n_ || !digit(p_[pos_])) return false;
      while (pos_ < n_ && digit(p_[pos_])) ++pos_;
    }
    const std::string text(p_ + begin, pos_ - begin);  // NUL-terminated for strto*
    if (integer) {
      const std::string_view digits = std::string_view(text).substr(negative ? 1 : 0);
      uint64_t magnitude = 0;
      bool fits = true;
      for (char c : digits) {
        const uint64_t d = static_cast<uint64_t>(c - '0');
        if (magnitude > (UINT64_MAX - d) / 10) {
          fits = false;
          break;
        }
        magnitude = magnitude * 10 + d;
      }
      if (fits && !negative) {
        v.type_ = Type::Unsigned;
        v.unsigned_ = magnitude;
        return true;
      }
      if (fits && magnitude <= static_cast<uint64_t>(INT64_MAX) + 1) {
        v.type_ = Type::Integer;
        v.integer_ = magnitude == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude);
        return true;
      }
    }
    v.type_ = Type::Float;
    v.float_ = std::strtod(text.c_str(), nullptr);
    return std::isfinite(v.float_);  // 1e400 overflows: refused, as nlohmann did
  }

  // A string's content, unescaped, as UTF-8; pos_ at its opening quote.
  bool parse_string(std::string& out) {
    ++pos_;  // '"'
    for (;;) {
      const size_t run = pos_;
      while (pos_ < n_) {
        const unsigned char c = static_cast<unsigned char>(p_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out.append(p_ + run, pos_ - run);
      if (pos_ >= n_) return false;
      const unsigned char c = static_cast<unsigned char>(p_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        if (!utf8_sequence(out)) return false;
        continue;
      }
      if (!escape(out)) return false;
    }
  }

  // One escape sequence after '\' (pos_ at the backslash).
  bool escape(std::string& out) {
    if (n_ - pos_ < 2) return false;
    const char e = p_[pos_ + 1];
    pos_ += 2;
    switch (e) {
      case '"': out.push_back('"'); return true;
      case '\\': out.push_back('\\'); return true;
      case '/': out.push_back('/'); return true;
      case 'b': out.push_back('\b'); return true;
      case 'f': out.push_back('\f'); return true;
      case 'n': out.push_back('\n'); return true;
      case 'r': out.push_back('\r'); return true;
      case 't': out.push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    uint32_t cp;
    if (!hex4(cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (n_ - pos_ < 2 || p_[pos_] != '\\' || p_[pos_ + 1] != 'u') return false;
      pos_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, cp);
    return true;
  }

  bool hex4(uint32_t& cp) {
    if (n_ - pos_ < 4) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = p_[pos_++];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return false;
      }
      cp = cp << 4 | d;
    }
    return true;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | cp >> 6));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | cp >> 12));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | cp >> 18));
      out.push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One well-formed UTF-8 sequence of 2–4 bytes (RFC 3629 §4: no overlong forms, no surrogates, ≤ U+10FFFF),
  // copied to out.
  bool utf8_sequence(std::string& out) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(p_[pos_ + k]); };
    const auto cont = [&](size_t k) { return pos_ + k < n_ && (b(k) & 0xC0) == 0x80; };
    const unsigned char c = b(0);
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (!cont(1) || (c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F)) return false;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (!cont(1) || (c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F)) return false;
    } else {
      return false;
    }
    for (size_t k = 1; k < len; ++k) {
      if (!cont(k)) return false;
    }
    out.append(p_ + pos_, len);
    pos_ += len;
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  const char* p_;
  size_t n_;
  size_t pos_ = 0;
};

Value parse(std::string_view text) { return Parser(text).run(); }

namespace {
const Value kNull;
const std::string kNoName;

// A double as an integer type, saturated (a plain cast of an out-of-range double is undefined).
template <typename T>
T saturate(double f) {
  constexpr double kLow = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double kHigh = static_cast<double>(std::numeric_limits<T>::max());  // rounds up to 2^63 or 2^64
  if (!(f > kLow)) return std::numeric_limits<T>::min();
  if (f >= kHigh) return std::numeric_limits<T>::max();
  return static_cast<T>(f);
}
}  // namespace

size_t Value::size() const {
  if (type_ == Type::Array) return array_.size();
  if (type_ == Type::Object) return members_.size();
  return 0;
}

const Value& Value::operator[](size_t i) const {
  if (type_ == Type::Array && i < array_.size()) return array_[i];
  return kNull;
}

const_iterator Value::find(std::string_view key) const {
  if (type_ != Type::Object) return end();
  const auto it = std::lower_bound(members_.begin(), members_.end(), key,
                                   [](const Member& m, std::string_view k) { return std::string_view(m.name) < k; });
  if (it == members_.end() || it->name != key) return end();
  return const_iterator(this, static_cast<size_t>(it - members_.begin()));
}

const Value& Value::operator[](std::string_view key) const {
  const const_iterator it = find(key);
  return it == end() ? kNull : it.value();
}

const std::string& const_iterator::key() const {
  return v_->type_ == Type::Object && i_ < v_->members_.size() ? v_->members_[i_].name : kNoName;
}

const Value& const_iterator::value() const {
  if (v_->type_ == Type::Object) return i_ < v_->members_.size() ? v_->members_[i_].value : kNull;
  return (*v_)[i_];
}

template <>
std::string Value::get<std::string>() const {
  return string_;
}

template <>
bool Value::get<bool>() const {
  return boolean_;
}

template <>
double Value::get<double>() const {
  switch (type_) {
    case Type::Unsigned: return static_cast<double>(unsigned_);
    case Type::Integer: return static_cast<double>(integer_);
    case Type::Float: return float_;
    default: return 0;
  }
}

template <>
int64_t Value::get<int64_t>() const {
  switch (type_) {
    case Type::Unsigned: return static_cast<int64_t>(unsigned_);
    case Type::Integer: return integer_;
    case Type::Float: return saturate<int64_t>(float_);
    default: return 0;
  }
}

template <>
uint64_t Value::get<uint64_t>() const {
  switch (type_) {
    case Type::Unsigned: return unsigned_;
    case Type::Integer: return static_cast<uint64_t>(integer_);
    case Type::Float: return saturate<uint64_t>(float_);
    default: return 0;
  }
}

template <>
uint32_t Value::get<uint32_t>() const {
  return static_cast<uint32_t>(get<uint64_t>());
}

}  // namespace s3p::json
