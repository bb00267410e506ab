#include "worker/creds/federation.h"

namespace s3p {

namespace {
// Placeholder until federation lands: config loading rejects web_identity backends, so this is unreachable.
class Unavailable : public CredentialOp {
 public:
  Action next(double) override { return Action{}; }
  void feed(Result&&, double) override {}
  bool ok() const override { return false; }
  const sigv4::Credentials& credentials() const override { return creds_; }
  std::string_view source() const override { return "none"; }
  const S3Error& error() const override { return errors::NotImplemented; }
  const std::string& detail() const override { return detail_; }

 private:
  sigv4::Credentials creds_;
  std::string detail_ = "web identity federation is not implemented";
};
}  // namespace

std::unique_ptr<CredentialOp> Federation::acquire(Engine&, const Backend&, uint32_t) {
  return std::make_unique<Unavailable>();
}

}  // namespace s3p
