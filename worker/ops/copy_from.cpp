#include "worker/ops/copy_from.h"

#include "worker/auth/authorize.h"
#include "worker/config/backend_identity.h"
#include "worker/http/uri.h"
#include "worker/ops/put_object.h"
#include "worker/route/copy_source.h"

namespace s3p {

bool backend_copy_source(const OpContext& ctx, BackendCall& call, Failure& out) {
  const std::string* raw = find_header(ctx.headers, "x-amz-copy-source");
  CopySource src;
  switch (raw ? parse_copy_source(*raw, src) : CopySourceError::Malformed) {
    case CopySourceError::None: break;
    case CopySourceError::Malformed: return out = client_fault(errors::InvalidCopySource, "copy source"), false;
    case CopySourceError::BadEncoding: return out = client_fault(errors::InvalidURI, "copy source encoding"), false;
    case CopySourceError::DotSegment:
      return out = client_fault(errors::InvalidArgument, "copy source has a '.' or '..' segment"), false;
    case CopySourceError::KeyTooLong: return out = client_fault(errors::KeyTooLong, "copy source"), false;
    case CopySourceError::BadVersionId: return out = client_fault(errors::InvalidVersionId, "copy source"), false;
  }
  const Account* account = ctx.ns->find_account(src.route.account);
  if (!account) return out = client_fault(errors::NoSuchBucket, "copy source bucket"), false;
  const Repository* repo = account->flat ? &account->repositories.front() : account->find(src.route.repo);
  const std::string& key = account->flat ? src.route.tail : src.route.key;
  if (!repo || key.empty()) return out = client_fault(errors::NoSuchKey, "copy source names no object"), false;
  if (!auth::allows(ctx.caller, *account, *repo, kPermRead, key))
    return out = client_fault(errors::AccessDenied, "no read permission for the copy source"), false;
  // The backend copies when one request may name both objects: the same endpoint, reached as the same principal
  // (the buckets may differ). Otherwise the bytes would have to pass through the proxy.
  if (!same_endpoint_and_principal(*repo->backend, *ctx.repo->backend))
    return out = client_fault(errors::CrossBackendCopy, "copy source on backend " + repo->backend->name), false;
  call.copy_source = repo->backend;
  call.copy_source_key = repo->prefix + key;
  call.copy_source_version = src.version_id;
  return true;
}

bool plan_copy_call(const OpContext& ctx, BackendCall& call, Failure& out) {
  if (!auth::allows(ctx.caller, *ctx.account, *ctx.repo, kPermWrite, ctx.key))
    return out = client_fault(errors::AccessDenied, "no write permission for this key"), false;
  if (ctx.key.empty()) return out = client_fault(errors::InvalidArgument, "empty key"), false;
  if (!backend_copy_source(ctx, call, out)) return false;
  call.step = dialect::WriteStep::Copy;
  call.long_running = true;
  call.key = ctx.backend_key();
  return true;
}

Headers forwarded_copy_headers(const Headers& client) {
  Headers out;
  for (auto& h : PutObjectOp::forwarded_headers(client))
    if (h.name != "content-md5" && h.name != "x-amz-decoded-content-length" && h.name != "x-amz-trailer" &&
        !starts_with(h.name, "x-amz-checksum-") )
      out.push_back(std::move(h));
  for (const auto& h : client)
    if ((starts_with(h.name, "x-amz-copy-source-") || h.name == "x-amz-metadata-directive" ||
         h.name == "x-amz-tagging-directive" || h.name == "x-amz-checksum-algorithm") &&
        !has_ctl_break(h.value))
      out.push_back(h);
  return out;
}

}  // namespace s3p
