#include "worker/creds/l2_writer.h"

namespace s3p {

L2Writer::L2Writer(std::string key_secret, std::string cache_key, std::string plaintext, int64_t ttl_s)
    : key_secret_(std::move(key_secret)), cache_key_(std::move(cache_key)), data_(std::move(plaintext)), ttl_s_(ttl_s) {}

Action L2Writer::next(double) {
  Action a;
  if (awaiting_) return a;  // host misuse (next without a result): stop
  switch (step_) {
    case Step::Seal:
      a.kind = ActionKind::Seal;
      a.call.name = key_secret_;
      a.call.aad = cache_key_;
      a.call.data = data_;
      break;
    case Step::Put:
      a.kind = ActionKind::CachePut;
      a.call.name = cache_key_;
      a.call.data = data_;
      a.call.headers = {{"content-type", "application/octet-stream"},
                        {"cache-control", "max-age=" + std::to_string(ttl_s_)}};
      break;
    case Step::Done: return a;
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
  data_.clear();
  step_ = Step::Done;
}

}  // namespace s3p
