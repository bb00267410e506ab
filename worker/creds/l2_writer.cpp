#include "worker/creds/l2_writer.h"

#include "worker/http/log_line.h"

namespace s3p {

L2Writer::L2Writer(std::string key_secret, std::string cache_key, std::string binding, std::string plaintext, int64_t ttl_s)
    : key_secret_(std::move(key_secret)),
      cache_key_(std::move(cache_key)),
      binding_(std::move(binding)),
      data_(std::move(plaintext)),
      ttl_s_(ttl_s) {}

void L2Writer::fail(std::string detail) {
  detail_ = std::move(detail);
  data_.clear();
  step_ = Step::Done;
}

Action L2Writer::next(double now_ms) {
  Action a;
  if (start_ms_ < 0) start_ms_ = now_ms;
  if (awaiting_) {
    awaiting_ = false;
    fail("next() without a result");  // host misuse: stop
  }
  switch (step_) {
    case Step::Seal:
      a.kind = ActionKind::Seal;
      a.call.name = key_secret_;
      a.call.aad = binding_;
      a.call.data = data_;
      break;
    case Step::Put:
      a.kind = ActionKind::CachePut;
      a.call.name = cache_key_;
      a.call.data = data_;
      a.call.headers = {{"content-type", "application/octet-stream"},
                        {"cache-control", "max-age=" + std::to_string(ttl_s_)}};
      break;
    case Step::Done:
      if (!logged_) {
        logged_ = true;
        LogLine log;
        log.str("op", "L2Write").str("task", "background").str("outcome", stored_ ? "stored" : "failed");
        if (stored_) log.num("ttl_s", static_cast<double>(ttl_s_));
        if (!detail_.empty()) log.str("detail", detail_);
        log.num("total_ms", now_ms - start_ms_);
        a.log_line = log.finish();
      }
      return a;
  }
  awaiting_ = true;
  return a;
}

void L2Writer::feed(Result&& r, double) {
  awaiting_ = false;
  if (step_ == Step::Seal && r.kind == ActionKind::Seal && r.flag) {
    data_ = std::move(r.data);  // only the sealed form is kept from here on
    step_ = Step::Put;
    return;
  }
  if (step_ == Step::Put && r.kind == ActionKind::CachePut && r.flag) {
    stored_ = true;
    data_.clear();
    step_ = Step::Done;
    return;
  }
  if (step_ == Step::Seal && r.kind == ActionKind::Seal) return fail("seal: " + r.error);
  if (step_ == Step::Put && r.kind == ActionKind::CachePut) return fail("cache put: " + r.error);
  fail("unexpected result");
}

}  // namespace s3p
