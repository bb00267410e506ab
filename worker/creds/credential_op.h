// Obtaining backend credentials is itself a small state machine (L1 hit, wait for another request's exchange,
// L2 lookup, STS exchange, background refresh). A ClientRequest drives one CredentialOp until it is Done, passing
// through every action it yields and feeding back every result.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "worker/config/config.h"
#include "worker/proto/action.h"
#include "worker/s3/errors.h"
#include "worker/sign/sigv4.h"

namespace s3p {

class CredentialOp {
 public:
  virtual ~CredentialOp() = default;
  // The next action; Done when the op has finished (then ok() tells how).
  virtual Action next(double now_ms) = 0;
  virtual void feed(Result&& result, double now_ms) = 0;
  virtual bool ok() const = 0;
  virtual const sigv4::Credentials& credentials() const = 0;
  virtual std::string_view source() const = 0;  // for the log line: "L1", "L2", "STS", "L1+refresh", ...
  virtual const S3Error& error() const = 0;      // when !ok(): what the client gets (503/403/502)
  virtual const std::string& detail() const = 0; // when !ok(): for the log line only
  // Anything else worth a log field (e.g. why an L2 entry was a miss); empty when there is nothing to say.
  virtual std::string_view note() const { return {}; }
};

}  // namespace s3p
