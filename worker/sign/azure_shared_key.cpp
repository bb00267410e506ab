// Shared Key for the Blob service: the string to sign as azure_shared_key.h lays it out, each part named after
// the spec's own terms so that a reviewer with "Authorize with Shared Key" open can check it line by line.
#include "worker/sign/azure_shared_key.h"

#include <algorithm>

#include "worker/crypto/base64.h"
#include "worker/crypto/sha256.h"
#include "worker/util/sort.h"

namespace s3p::azure {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_ws(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view v) {
  while (!v.empty() && is_ws(v.front())) v.remove_prefix(1);
  while (!v.empty() && is_ws(v.back())) v.remove_suffix(1);
  return v;
}

// The value of a standard header (case-insensitive name), or "" when absent. Repeated: the first.
std::string_view standard(const Headers& headers, std::string_view lower_name) {
  for (const Header& h : headers)
    if (h.name.size() == lower_name.size() && lower(h.name) == lower_name) return trim(h.value);
  return {};
}

bool has_break(std::string_view v) { return has_ctl_break(v); }

}  // namespace

bool decode_account_key(std::string_view base64_key, std::string& key_out) {
  return b64::decode(base64_key, key_out) && !key_out.empty();
}

std::string canonicalized_headers(const Headers& headers) {
  struct Line {
    std::string name, value;
  };
  std::vector<Line> lines;
  for (const Header& h : headers) {
    std::string name = lower(trim(h.name));
    if (name.compare(0, 5, "x-ms-") != 0) continue;
    const std::string_view value = trim(h.value);
    auto same = std::find_if(lines.begin(), lines.end(), [&](const Line& l) { return l.name == name; });
    if (same != lines.end()) {
      same->value.push_back(',');
      same->value.append(value);
    } else {
      lines.push_back({std::move(name), std::string(value)});
    }
  }
  util::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.name < b.name; });
  std::string out;
  for (const Line& l : lines) out.append(l.name).append(":").append(l.value).append("\n");
  return out;
}

std::string canonicalized_resource(std::string_view account, std::string_view path,
                                   const std::vector<http::QueryParam>* query) {
  std::string out = "/";
  out.append(account);
  out.append(path.empty() ? std::string_view("/") : path);
  if (!query) return out;
  struct Param {
    std::string name;
    std::vector<std::string> values;
  };
  std::vector<Param> params;
  for (const http::QueryParam& q : *query) {
    std::string name = lower(q.name);
    auto same = std::find_if(params.begin(), params.end(), [&](const Param& p) { return p.name == name; });
    if (same == params.end()) {
      params.push_back({std::move(name), {}});
      same = params.end() - 1;
    }
    same->values.push_back(q.value);
  }
  util::sort(params.begin(), params.end(), [](const Param& a, const Param& b) { return a.name < b.name; });
  for (Param& p : params) {
    util::sort(p.values.begin(), p.values.end());
    out.append("\n").append(p.name).append(":");
    for (size_t i = 0; i < p.values.size(); ++i) {
      if (i) out.push_back(',');
      out.append(p.values[i]);
    }
  }
  return out;
}

std::string string_to_sign(const SharedKeyRequest& req) {
  static const Headers kNone;
  const Headers& h = req.headers ? *req.headers : kNone;
  std::string_view content_length = standard(h, "content-length");
  if (content_length == "0") content_length = {};
  std::string out;
  out.append(req.method).append("\n");
  out.append(standard(h, "content-encoding")).append("\n");
  out.append(standard(h, "content-language")).append("\n");
  out.append(content_length).append("\n");
  out.append(standard(h, "content-md5")).append("\n");
  out.append(standard(h, "content-type")).append("\n");
  out.append(standard(h, "date")).append("\n");
  out.append(standard(h, "if-modified-since")).append("\n");
  out.append(standard(h, "if-match")).append("\n");
  out.append(standard(h, "if-none-match")).append("\n");
  out.append(standard(h, "if-unmodified-since")).append("\n");
  out.append(standard(h, "range")).append("\n");
  out.append(canonicalized_headers(h));
  out.append(canonicalized_resource(req.account, req.path, req.query));
  return out;
}

std::string signature(std::string_view key, std::string_view string_to_sign) {
  return b64::encode(crypto::as_view(crypto::hmac_sha256(key, string_to_sign)));
}

bool authorization(const SharedKeyRequest& req, std::string_view key, std::string& out) {
  out.clear();
  if (has_break(req.path) || has_break(req.account) || has_break(req.method)) return false;
  if (req.headers)
    for (const Header& h : *req.headers)
      if (has_break(h.name) || has_break(h.value)) return false;
  if (req.query)
    for (const http::QueryParam& q : *req.query)
      if (has_break(q.name) || has_break(q.value)) return false;
  out.append("SharedKey ").append(req.account).append(":").append(signature(key, string_to_sign(req)));
  return true;
}

}  // namespace s3p::azure
