#include "worker/s3/xml_read.h"

#include <tinyxml2.h>

#include "worker/http/headers.h"
#include "worker/s3/xml.h"

namespace s3p::xml {

std::string_view Element::name() const { return e_ ? e_->Name() : ""; }

std::string_view Element::text() const {
  const char* t = e_ ? e_->GetText() : nullptr;
  return t ? t : "";
}

Element Element::child(std::string_view name) const {
  for (Element c = first(); c; c = c.next())
    if (c.name() == name) return c;
  return Element{};
}

Element Element::first() const { return Element(e_ ? e_->FirstChildElement() : nullptr); }
Element Element::next() const { return Element(e_ ? e_->NextSiblingElement() : nullptr); }

size_t Element::count(std::string_view name) const {
  size_t n = 0;
  for (Element c = first(); c; c = c.next()) n += c.name() == name;
  return n;
}

Document::Document() : doc_(std::make_unique<tinyxml2::XMLDocument>()) {}
Document::~Document() = default;

bool Document::parse(std::string_view text) {
  return doc_->Parse(text.data(), text.size()) == tinyxml2::XML_SUCCESS && doc_->RootElement() != nullptr;
}

Element Document::root() const { return Element(doc_->RootElement()); }

void copy_fields(std::string& out, Element from, std::initializer_list<std::string_view> names, bool checksums) {
  for (Element c = from.first(); c; c = c.next()) {
    bool copy = checksums && starts_with(c.name(), "Checksum");
    for (auto n : names) copy = copy || c.name() == n;
    if (copy) append_element(out, c.name(), c.text());
  }
}

}  // namespace s3p::xml
