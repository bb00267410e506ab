// The wasm exports: the C ABI the JavaScript host drives. Encoding in wire.h; protocol in host_shim/README.md.
// Exports never trap on bad input from the host: malformed buffers are answered with a Done / error code.
#include <string>
#include <vector>

#include <algorithm>

#include "host_shim/codec.h"
#include "host_shim/wire.h"
#include "worker/core/engine.h"

#if defined(__wasm__)
#define S3P_EXPORT(name) extern "C" __attribute__((export_name(name), used))
#else
#define S3P_EXPORT(name) extern "C" __attribute__((used))
#endif

namespace {
s3p::Engine& engine() {
  static s3p::Engine e;
  return e;
}
std::string g_in;   // host → core scratch (the host writes here, then passes the length)
std::string g_out;  // core → host: the last encoded action / message
}  // namespace

// Returns a buffer of at least `size` bytes for the host to write its next input into. Valid until the next call.
S3P_EXPORT("core_in") uint8_t* core_in(uint32_t size) {
  if (g_in.size() < size) g_in.resize(size);
  return reinterpret_cast<uint8_t*>(g_in.data());
}
S3P_EXPORT("core_out_ptr") const uint8_t* core_out_ptr() { return reinterpret_cast<const uint8_t*>(g_out.data()); }
S3P_EXPORT("core_out_len") uint32_t core_out_len() { return static_cast<uint32_t>(g_out.size()); }

// Input: str config_json, u32 n, (str name, str value)* (the secrets the config names), str seed (≥ 16 random
// bytes). Returns 0 when the config is valid, 1 otherwise with the reason in the out buffer (the engine then
// answers 503 to everything), 2 when refused because tasks are in flight (the current config stays; see
// Engine::init).
S3P_EXPORT("core_init") uint32_t core_init(uint32_t len) {
  s3p::Env env;
  std::string config, seed;
  if (!s3p::codec::decode_init(reinterpret_cast<const uint8_t*>(g_in.data()), len, config, env, seed)) {
    g_out = "init: malformed input";
    return 1;
  }
  if (!engine().init(config, env, seed)) {
    g_out = "init: refused while requests or background tasks are in flight; the current config stays";
    return 2;
  }
  g_out = engine().config_error();
  return engine().configured() ? 0 : 1;
}

// Input: the request head (see codec.h). Returns the request id (never 0; 0 = malformed input).
S3P_EXPORT("req_begin") uint32_t req_begin(uint32_t len, double now_ms) {
  s3p::RequestHead head;
  if (!s3p::codec::decode_head(reinterpret_cast<const uint8_t*>(g_in.data()), len, head)) return 0;
  return engine().begin(std::move(head), now_ms);
}

// Returns the next action's kind; its fields are in the out buffer.
S3P_EXPORT("req_next") uint32_t req_next(uint32_t id, double now_ms) {
  s3p::Action a = engine().next(id, now_ms);
  s3p::codec::encode_action(a, g_out);
  return static_cast<uint32_t>(a.kind);
}

// Input: the result of the action last returned for `id`. Returns 0, or 1 if the input was malformed (the
// request then answers 500).
S3P_EXPORT("req_feed") uint32_t req_feed(uint32_t id, uint32_t len, double now_ms) {
  s3p::Result r;
  bool ok = s3p::codec::decode_result(reinterpret_cast<const uint8_t*>(g_in.data()), len, r);
  if (!ok) r = s3p::Result{};  // kind Done: the task treats it as an unexpected result
  engine().feed(id, std::move(r), now_ms);
  return ok ? 0 : 1;
}

S3P_EXPORT("req_free") void req_free(uint32_t id) { engine().release(id); }

// Ids of parked tasks that may proceed now; out buffer = u32 ids. Returns the count.
S3P_EXPORT("core_wakeups") uint32_t core_wakeups() {
  std::vector<uint32_t> ids = engine().take_wakeups();
  s3p::codec::encode_ids(ids, g_out);
  return static_cast<uint32_t>(ids.size());
}

// Input: str meta_url (an OpenChunks plan's). The object it names changed at the origin: the isolate's object
// cache forgets it.
S3P_EXPORT("core_forget") void core_forget(uint32_t len) {
  s3p::wire::Reader r(reinterpret_cast<const uint8_t*>(g_in.data()), std::min<size_t>(len, g_in.size()));
  const std::string url = r.str();
  if (r.ok()) engine().objects().forget_by_meta_url(url, engine().config().object_cache_name_key);
}

S3P_EXPORT("core_in_flight") uint32_t core_in_flight() { return static_cast<uint32_t>(engine().in_flight()); }
