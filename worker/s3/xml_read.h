// Reading small XML documents element by element (tinyxml2 underneath): the backend's result documents for
// writes, and the request bodies the core must understand (DeleteObjects, CompleteMultipartUpload). Callers
// bound the size; what they pass on is re-rendered from chosen fields through the one escaper (xml.h), never
// copied through raw.
#pragma once
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

namespace tinyxml2 {
class XMLDocument;
class XMLElement;
}  // namespace tinyxml2

namespace s3p::xml {

class Element {
 public:
  Element() = default;
  explicit Element(const tinyxml2::XMLElement* e) : e_(e) {}
  explicit operator bool() const { return e_ != nullptr; }
  std::string_view name() const;
  std::string_view text() const;  // "" when it has none
  Element child(std::string_view name) const;  // the first child element so named
  std::string_view child_text(std::string_view name) const { return child(name).text(); }
  Element first() const;  // the first child element
  Element next() const;   // the next sibling element
  size_t count(std::string_view name) const;

 private:
  const tinyxml2::XMLElement* e_ = nullptr;
};

class Document {
 public:
  Document();
  ~Document();
  bool parse(std::string_view text);  // false: not well-formed, or no root element
  Element root() const;

 private:
  std::unique_ptr<tinyxml2::XMLDocument> doc_;
};

// Appends <name>text</name> for each child element of `from` named in `names` (and every Checksum* element when
// `checksums`), in document order: an allowlist copy of a backend result into a document of ours.
void copy_fields(std::string& out, Element from, std::initializer_list<std::string_view> names, bool checksums = false);

}  // namespace s3p::xml
