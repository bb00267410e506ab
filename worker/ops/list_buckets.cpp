#include "worker/ops/list_buckets.h"

#include <algorithm>
#include <cstdlib>

#include "worker/auth/authorize.h"
#include "worker/crypto/base64.h"
#include "worker/s3/xml.h"
#include "worker/util/sort.h"

namespace s3p {

namespace {
// Not sealed: the token names an account the caller was about to be shown, and starts a listing anywhere at most.
constexpr std::string_view kTokenPrefix = "s3p-lb1 ";
constexpr uint32_t kMaxBuckets = 10000;

const std::string* param(const std::vector<http::QueryParam>& params, std::string_view name) {
  for (const auto& p : params)
    if (p.name == name) return &p.value;
  return nullptr;
}
}  // namespace

std::string list_buckets_token(std::string_view from) {
  return b64::encode_url(std::string(kTokenPrefix) + std::string(from));
}

bool list_buckets_start(const std::vector<http::QueryParam>& params, std::string& from) {
  from.clear();
  const std::string* token = param(params, "continuation-token");
  if (!token) return true;
  std::string decoded;
  if (!b64::decode_url(*token, decoded) || decoded.compare(0, kTokenPrefix.size(), kTokenPrefix) != 0) return false;
  from = decoded.substr(kTokenPrefix.size());
  return true;
}

// The accounts the caller can see: the static config's (each judged whole), and the registry's index's (or its
// page's) — there an account shows when some repository of it is public or the caller's key has a scope in it,
// which the index says without reading every account's entry (a scope's repository may still be gone: listing it
// then finds nothing, as for any repository the caller cannot see).
Planned plan_list_buckets(OpContext& ctx) {
  std::string from;
  if (!list_buckets_start(ctx.params, from)) return Planned::refuse(errors::InvalidContinuationToken);
  uint32_t max_buckets = kMaxBuckets;
  if (const std::string* m = param(ctx.params, "max-buckets")) {
    char* end = nullptr;
    const unsigned long v = m->empty() || m->size() > 6 ? 0 : std::strtoul(m->c_str(), &end, 10);
    if (v < 1 || v > kMaxBuckets || *end != '\0')
      return Planned::refuse(errors::InvalidArgument, "max-buckets must be an integer from 1 to 10000");
    max_buckets = static_cast<uint32_t>(v);
  }
  const std::string* prefix = param(ctx.params, "prefix");
  // The names this response may hold: from `from`, before the next index page (when the index is paged).
  const std::string& end = ctx.ns->listing_end();
  auto in_range = [&](const std::string& name) {
    return name >= from && (end.empty() || name < end) && (!prefix || name.compare(0, prefix->size(), *prefix) == 0);
  };
  std::vector<std::string> names;
  ctx.ns->for_each_account([&](const Account& a) {
    if (in_range(a.name) && auth::can_see(ctx.caller, a)) names.push_back(a.name);
  });
  if (const std::vector<ListedAccount>* listed = ctx.ns->listed_accounts())
    for (const ListedAccount& a : *listed) {
      if (!in_range(a.name) || ctx.config.find(a.name)) continue;  // a static account of that name is the one served
      bool visible = a.has_public;
      if (ctx.caller)
        for (const Scope& s : ctx.caller->scopes) visible = visible || s.account == a.name;
      if (visible) names.push_back(a.name);
    }
  util::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string next;
  if (names.size() > max_buckets) {
    next = list_buckets_token(names[max_buckets]);
    names.resize(max_buckets);
  } else if (!end.empty()) {
    next = list_buckets_token(end);
  }
  return Planned::xml(xml::list_buckets(ctx.config.owner_id, names, "2024-01-01T00:00:00.000Z", next,
                                        prefix ? std::string_view(*prefix) : std::string_view()));
}

}  // namespace s3p
