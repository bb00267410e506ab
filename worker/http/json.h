// A JSON document reader (RFC 8259), for the core's configuration, registry entries, tokens and credential
// answers. Parsing is strict and never aborts: anything but one well-formed value (surrounding whitespace and a
// leading UTF-8 BOM allowed) gives a discarded Value. Refused besides what the RFC forbids: invalid UTF-8 (raw or
// as unpaired \u surrogates), numbers beyond a double's range, and nesting deeper than kMaxDepth. Of a member name
// given twice in one object the last one counts (as nlohmann and JavaScript's JSON.parse read it; RFC 7519 §4
// allows it for JWT claims). Unlike nlohmann, a NUL byte is not the end of the input: a document with one outside a
// string is refused, not read up to it.
//
// Why not nlohmann_json (what this replaced): its templates were 155 KB of the 947 KB module, and the functions of
// the first request of an isolate (config loading above all) are each compiled on first call: fewer, smaller
// functions start an isolate faster. The reading API keeps nlohmann's names (find/end, is_*, get<T>, iterators
// with key()/value()), so call sites read the same.
//
// Numbers as nlohmann reads them: a literal without fraction or exponent is unsigned when >= 0 and within uint64,
// signed when < 0 and within int64, else a double; is_number_integer() covers both integer kinds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace s3p::json {

class Value;
struct Member;

enum class Type : uint8_t { Discarded, Null, Boolean, Unsigned, Integer, Float, String, Array, Object };

// Over an array's elements or an object's members (key order); a scalar has none.
class const_iterator {
 public:
  const_iterator(const Value* v, size_t i) : v_(v), i_(i) {}
  const Value& operator*() const { return value(); }
  const Value* operator->() const { return &value(); }
  const_iterator& operator++() {
    ++i_;
    return *this;
  }
  bool operator==(const const_iterator& o) const { return v_ == o.v_ && i_ == o.i_; }
  bool operator!=(const const_iterator& o) const { return !(*this == o); }
  const std::string& key() const;  // an object member's name ("" in an array)
  const Value& value() const;

 private:
  const Value* v_;
  size_t i_;
};

class Value {
 public:
  static constexpr size_t kMaxDepth = 64;

  Value() = default;

  Type type() const { return type_; }
  bool is_discarded() const { return type_ == Type::Discarded; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_boolean() const { return type_ == Type::Boolean; }
  bool is_number() const { return type_ == Type::Unsigned || type_ == Type::Integer || type_ == Type::Float; }
  bool is_number_integer() const { return type_ == Type::Unsigned || type_ == Type::Integer; }
  bool is_number_unsigned() const { return type_ == Type::Unsigned; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  // The value as T (std::string, bool, double, int64_t, uint64_t, uint32_t): check its type first; another type
  // gives T's zero. A number converts between the number kinds (a double beyond an integer type saturates).
  template <typename T>
  T get() const;
  const std::string& string_ref() const { return string_; }  // "" unless a string

  // Elements or members: size, index (a null Value past the end), iteration.
  size_t size() const;
  bool empty() const { return size() == 0; }
  const Value& operator[](size_t i) const;
  const_iterator begin() const { return const_iterator(this, 0); }
  const_iterator end() const { return const_iterator(this, size()); }

  // An object's member by name: end() when absent (or not an object); operator[] gives a null Value then.
  const_iterator find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != end(); }
  const Value& operator[](std::string_view key) const;

 private:
  friend class Parser;
  friend class const_iterator;
  explicit Value(Type t) : type_(t) {}

  Type type_ = Type::Null;
  bool boolean_ = false;
  uint64_t unsigned_ = 0;
  int64_t integer_ = 0;
  double float_ = 0;
  std::string string_;
  std::vector<Value> array_;
  std::vector<Member> members_;  // sorted by name, each name once
};

struct Member {
  std::string name;
  Value value;
};

// One JSON text; a discarded Value when it is not exactly one well-formed value.
Value parse(std::string_view text);

template <>
std::string Value::get<std::string>() const;
template <>
bool Value::get<bool>() const;
template <>
double Value::get<double>() const;
template <>
int64_t Value::get<int64_t>() const;
template <>
uint64_t Value::get<uint64_t>() const;
template <>
uint32_t Value::get<uint32_t>() const;

}  // namespace s3p::json
