#include "worker/s3/xml_records.h"

#include "worker/s3/xml_escape.h"
#include "worker/s3/xml_scanner.h"

namespace s3p::xml {

const std::string* Entry::field(std::string_view name) const {
  for (const Field& f : fields)
    if (f.name == name) return &f.text;
  return nullptr;
}

namespace {

bool fail(std::string& why, std::string_view what) {
  why = what;
  return false;
}

// Element text as XML 1.0 allows it raw: no C0 control but TAB, LF and CR (a NUL in particular has no XML form,
// so nothing re-rendered from it could be read back the same), then its entities decoded.
bool read_text(std::string_view raw, std::string& out, std::string& why) {
  for (unsigned char c : raw)
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return fail(why, "a control character in element text");
  if (!unescape(raw, out)) return fail(why, "bad character reference");
  return true;
}

// The entry whose start tag is `t` (a Start tag; the scanner has pushed its name): its text, or its fields up to
// its end tag.
bool read_entry(Scanner& s, const Tag& t, const EntryLimits& limits, Entry& e, std::string& why) {
  Tag f;
  for (;;) {
    if (!s.next_tag(f)) return fail(why, s.error());
    if (f.kind == Tag::Eof) return fail(why, "truncated document");
    if (f.kind == Tag::End) {
      if (f.name != t.name) return fail(why, "mismatched end tag");
      // No field at all: a leaf, whose text is everything between its tags.
      if (e.fields.empty() && !read_text(std::string_view(s.data() + t.end, f.begin - t.end), e.text, why)) return false;
      return true;
    }
    if (e.fields.size() == limits.max_fields) return fail(why, "too many fields in an entry");
    TextElem text;
    if (!s.text_element(f, text)) return fail(why, s.error());
    Field field{f.name, {}};
    if (!read_text(text.text, field.text, why)) return false;
    e.fields.push_back(std::move(field));
  }
}

}  // namespace

bool read_entries(std::string_view doc, std::string_view root, EntryLimits limits, std::vector<Entry>& out,
                  std::string& why) {
  std::string unused;  // the scanner copies what it drops (comments) past; nothing here reads it
  Scanner s(doc, unused);
  Tag t;
  if (!s.prolog() || !s.next_tag(t)) return fail(why, s.error());
  if (t.kind != Tag::Start && t.kind != Tag::Empty) return fail(why, "no root element");
  if (t.name != root) return fail(why, "the root element is not " + std::string(root));
  if (t.kind == Tag::Start) {
    s.push(t.name);
    for (;;) {
      if (!s.next_tag(t)) return fail(why, s.error());
      if (t.kind == Tag::Eof) return fail(why, "truncated document");
      if (t.kind == Tag::End) {
        if (t.name != root) return fail(why, "mismatched end tag");
        s.pop();
        break;
      }
      if (out.size() == limits.max_entries) return fail(why, "more entries than the limit");
      Entry e;
      e.name = t.name;
      if (t.kind == Tag::Start) {
        if (!s.push(t.name)) return fail(why, s.error());
        if (!read_entry(s, t, limits, e, why)) return false;
        s.pop();
      }
      out.push_back(std::move(e));
    }
  }
  if (!s.next_tag(t)) return fail(why, s.error());
  if (t.kind != Tag::Eof) return fail(why, "content after the root element");
  return true;
}

}  // namespace s3p::xml
