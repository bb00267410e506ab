// An S3 operation that is answered by talking to backends (GetObject, HeadObject, ListObjects). The ClientRequest
// obtains credentials for `backend()`, sends `request(...)`, and hands the response to `on_response`, which either
// finishes (a response or an error) or asks for another backend round (a listing that moves on to the next
// repository).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "worker/config/config.h"
#include "worker/dialect/credentials.h"
#include "worker/http/log_line.h"
#include "worker/proto/action.h"
#include "worker/proto/backend_error.h"
#include "worker/proto/task.h"
#include "worker/s3/failure.h"
#include "worker/sign/sigv4.h"

namespace s3p {

struct OpStep {
  OpStep();
  ~OpStep();
  OpStep(OpStep&&) noexcept;
  OpStep& operator=(OpStep&&) noexcept;
  enum class Kind { Respond, Error, Again };
  Kind kind = Kind::Respond;
  // Respond
  uint32_t status = 200;
  Headers headers;
  Body body;
  // Error
  Failure failure;
  // Work for after the answer (cache writes): the request spawns these when it responds.
  std::vector<std::unique_ptr<Task>> background;

  static OpStep again() {
    OpStep s;
    s.kind = Kind::Again;
    return s;
  }
  static OpStep fail(Failure f) {
    OpStep s;
    s.kind = Kind::Error;
    s.failure = std::move(f);
    return s;
  }
  // A failure read off a backend's answer (who is at fault follows from the error: see from_backend).
  static OpStep fail(const S3Error& e, std::string detail = {}) { return fail(from_backend(e, std::move(detail))); }
};

// An object on a backend (the object cache's unit).
struct ObjectRef {
  const Backend* backend;
  std::string key;  // full backend key
};

class BackendOp {
 public:
  virtual ~BackendOp() = default;
  virtual std::string_view name() const = 0;  // S3 operation name, for the log line
  virtual const Backend& backend() const = 0;
  // `creds` null = anonymous backend.
  virtual FetchAction request(const BackendCredentials* creds, int64_t now_s, sigv4::SigningKeyCache& keys) = 0;
  virtual OpStep on_response(FetchResult&& r) = 0;

  // An operation that needs more of its host than backend requests (the object cache: cache lookups, waiting for
  // another request's answer, chunk streams) overrides these two; by default a round is the backend request.
  // Before any round: an answer the operation can give without I/O (from what the isolate already knows).
  virtual bool answer_now(double /*now_ms*/, OpStep& /*out*/) { return false; }
  virtual Action step(const BackendCredentials* creds, double now_ms, sigv4::SigningKeyCache& keys);
  virtual OpStep on_result(Result&& r, double now_ms);
  // Objects this operation may have changed (writes and deletes, whatever their outcome): the object cache
  // forgets them.
  virtual void changed_objects(std::vector<ObjectRef>&) const {}
  // Fields this operation adds to the request's log line.
  virtual void log_fields(LogLine&) const {}
  // The backend rounds this operation is planned to take when that is more than the request's default bound (a
  // runaway guard): a DeleteObjects on a backend without batch deletes takes one round per window of keys.
  virtual int round_budget() const { return 0; }
};

// Backend failures common to every operation: transport errors and 5xx become 503 (retryable), anything else
// unexpected 502. Returns true and sets `out` when `r` is such a failure.
bool backend_failure(const FetchResult& r, OpStep& out);

// How a backend's 404 NoSuchBucket answers the client: a flat bucket mirrors it; for a repository it is a
// configuration fault (the config names a bucket that does not exist): 502, with the fault in the log detail.
OpStep missing_backend_bucket(bool flat, std::string detail);

// What kind of backend exchange an error answered: the one thing besides the error's class that decides the
// client's answer.
enum class BackendCallKind : uint8_t {
  Read,        // GetObject / HeadObject: a 404 is the key
  Write,       // PutObject, DeleteObject, copies, the multipart steps: the write refusals pass on as S3 names them
  List,        // ListObjects V1/V2, on the bucket: a 404 is the bucket
  HeadBucket,  // HeadBucket on a flat bucket: no body, so only statuses; a 404 is the bucket
};

// The one mapper of backend errors: a neutral class (a dialect's classifier made it from the backend's status and
// code: worker/s3/backend_errors.h, worker/azure/errors.h) and the call it answered → the client's S3 error.
// `flat`: the bucket is a flat bucket (a missing backend bucket is the client's NoSuchBucket) rather than a
// repository (a configuration fault). `detail` is the log's ("backend 404 NoSuchKey"). The credentials classes
// are the proxy's, never the client's: expired is retryable (503: the next attempt signs with fresh credentials),
// refused a configuration fault (502). Backend transport failures and 5xx statuses are backend_failure's, before.
OpStep backend_error_answer(BackendError error, BackendCallKind call, bool flat, std::string detail);

}  // namespace s3p
