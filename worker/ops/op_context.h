// What an operation's planner sees (the request, resolved against the config and the caller), and what it
// decides: answer at once, refuse, run a backend operation, or first have the client's body read into the core
// (the small XML bodies of DeleteObjects and CompleteMultipartUpload; object bytes never come here).
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "worker/auth/authenticate.h"
#include "worker/cache/object_cache.h"
#include "worker/config/access.h"
#include "worker/config/config.h"
#include "worker/config/namespace.h"
#include "worker/http/uri.h"
#include "worker/ops/backend_op.h"
#include "worker/ops/operation.h"

namespace s3p {

struct OpContext {
  const Config& config;
  S3Operation op;
  std::string_view method;
  const Headers& headers;
  std::vector<http::QueryParam>& params;  // decoded, authentication parameters removed
  const AccessKey* caller;                // the verified access key; null = anonymous
  std::string_view payload_hash;          // the x-amz-content-sha256 a SigV4 header signature declared, or ""
  const Account* account = nullptr;       // null at the service level
  const Repository* repo = nullptr;       // object-level operations
  std::string_view key;                   // the client's key inside the repository
  bool body_read = false;                 // `body` holds the client's body (the planner asked for it)
  std::string body;
  Account& listing_view;                  // storage for a listing's view of the account (outlives the operation)
  const auth::ChunkSeed* chunk_seed = nullptr;  // a signed-chunks upload's seed (empty fields otherwise)
  cache::ObjectCache* objects = nullptr;  // the isolate's object cache (worker/cache/)
  uint32_t task_id = 0;                   // the request's id (what the object cache wakes)
  const Namespace* ns = nullptr;          // the namespace as this request resolved it (config + registry entries)

  std::string backend_key() const { return repo->prefix + std::string(key); }
  // The key as the client names it inside its bucket (the account): "{repository}/{key}", or the key when flat.
  std::string client_key() const { return flat() ? std::string(key) : repo->name + "/" + std::string(key); }
  bool flat() const { return account && account->flat; }
};

struct Planned {
  std::unique_ptr<BackendOp> op;  // set: run it
  uint32_t read_body = 0;         // > 0: read the client's body (at most this many bytes), then plan again
  OpStep answer;                  // otherwise: the answer (Respond) or the refusal (Error)

  static Planned run(std::unique_ptr<BackendOp> op) {
    Planned p;
    p.op = std::move(op);
    return p;
  }
  static Planned refuse(Failure f) {
    Planned p;
    p.answer = OpStep::fail(std::move(f));
    return p;
  }
  static Planned refuse(const S3Error& e, std::string detail = {}) { return refuse(client_fault(e, std::move(detail))); }
  static Planned respond(uint32_t status, Headers headers, Body body = {}) {
    Planned p;
    p.answer.status = status;
    p.answer.headers = std::move(headers);
    p.answer.body = std::move(body);
    return p;
  }
  static Planned xml(std::string document) {
    return respond(200, {{"content-type", "application/xml"}}, Body{BodyKind::Bytes, std::move(document), 0});
  }
  static Planned read_body_first(uint32_t limit) {
    Planned p;
    p.read_body = limit;
    return p;
  }
};

using Planner = Planned (*)(OpContext&);

// The operation table: the planner of each operation (worker/ops/planners.cpp).
Planner planner_for(S3Operation op);

}  // namespace s3p
