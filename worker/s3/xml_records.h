// Reads the small request documents S3 defines for DeleteObjects and CompleteMultipartUpload: a root element
// holding a list of entries, each a leaf with text (<Quiet>true</Quiet>) or a record of leaf fields
// (<Object><Key>k</Key><VersionId>v</VersionId></Object>). One pass of the scanner (xml_scanner.h) with no DOM,
// and bounded counts: an anonymous body of a million empty elements costs one refusal at the first element past
// the bound, not a million nodes in wasm memory (which never shrinks).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace s3p::xml {

struct Field {
  std::string_view name;
  std::string text;  // unescaped
};

struct Entry {
  std::string_view name;
  std::string text;           // a leaf's text (unescaped); "" for a record
  std::vector<Field> fields;  // a record's fields, in document order
  const std::string* field(std::string_view name) const;  // the first field so named, or null
};

struct EntryLimits {
  size_t max_entries;             // children of the root
  size_t max_fields = 16;         // fields of one entry
};

// The entries of `doc`, whose root must be named `root`. False with `why` (for the log) on anything else:
// malformed markup, another root, an entry nested deeper than a record of leaves, more entries or fields than the
// limits, a text holding a raw control character (NUL included) or not unescaping, or content after the root.
bool read_entries(std::string_view doc, std::string_view root, EntryLimits limits, std::vector<Entry>& out,
                  std::string& why);

}  // namespace s3p::xml
