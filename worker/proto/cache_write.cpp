#include "worker/proto/cache_write.h"

#include <memory>

#include "worker/http/log_line.h"

namespace s3p {

CacheWrite::CacheWrite(std::string_view op, ActionKind kind, std::string url, std::string data, Headers headers)
    : op_(op), kind_(kind), url_(std::move(url)), data_(std::move(data)), headers_(std::move(headers)) {}

std::unique_ptr<Task> CacheWrite::put(std::string_view op, std::string url, std::string data, uint32_t ttl_s) {
  Headers h = {{"content-type", "text/plain"}, {"cache-control", "max-age=" + std::to_string(ttl_s)}};
  return std::unique_ptr<Task>(new CacheWrite(op, ActionKind::CachePut, std::move(url), std::move(data), std::move(h)));
}

std::unique_ptr<Task> CacheWrite::remove(std::string_view op, std::string url) {
  return std::unique_ptr<Task>(new CacheWrite(op, ActionKind::CacheDelete, std::move(url), {}, {}));
}

Action CacheWrite::next(double) {
  Action a;
  if (step_ == Step::Ask) {
    a.kind = kind_;
    a.call.name = url_;
    a.call.data = std::move(data_);
    a.call.headers = std::move(headers_);
    step_ = Step::Await;
    return a;
  }
  if (step_ == Step::Await) failure_ = "next() without a result";  // host misuse: stop
  step_ = Step::Done;
  if (!failure_.empty()) {  // only failures are logged: a write per cold object would drown the log
    LogLine log;
    log.str("op", op_).str("task", "background");
    log.str("outcome", "failed").str("detail", failure_);
    a.log_line = log.finish();
    failure_.clear();
  }
  return a;  // Done
}

void CacheWrite::feed(Result&& r, double) {
  if (step_ != Step::Await) return;
  step_ = Step::Done;
  if (r.kind != kind_) failure_ = "unexpected result";
  else if (!r.flag) failure_ = r.error.empty() ? "cache refused" : r.error;
}

}  // namespace s3p
