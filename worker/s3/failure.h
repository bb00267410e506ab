// The one failure type of the core: what the client is told (an S3 error), what the log is told (a detail that
// never reaches the client), and who is at fault — the client's request, the backend (or STS), the host that
// runs the core, the deployment's configuration, or the core itself (a bug). The fault is a log field, so an
// operator can tell "users sending garbage" from "our backend is down" from "we shipped a bug" at a glance.
#pragma once
#include <string>
#include <string_view>

#include "worker/s3/errors.h"

namespace s3p {

enum class Fault { Client, Backend, Host, Config, Core };

constexpr std::string_view fault_name(Fault f) {
  switch (f) {
    case Fault::Client: return "client";
    case Fault::Backend: return "backend";
    case Fault::Host: return "host";
    case Fault::Config: return "config";
    case Fault::Core: return "core";
  }
  return "core";
}

struct Failure {
  const S3Error* error = &errors::InternalError;
  std::string detail;  // log only
  Fault fault = Fault::Core;
};

inline Failure client_fault(const S3Error& e, std::string detail = {}) { return {&e, std::move(detail), Fault::Client}; }
inline Failure backend_fault(const S3Error& e, std::string detail = {}) { return {&e, std::move(detail), Fault::Backend}; }
inline Failure config_fault(const S3Error& e, std::string detail = {}) { return {&e, std::move(detail), Fault::Config}; }
inline Failure host_fault(std::string detail) { return {&errors::InternalError, std::move(detail), Fault::Host}; }
inline Failure core_fault(std::string detail) { return {&errors::InternalError, std::move(detail), Fault::Core}; }

// A backend's answer mapped onto an S3 error: a 4xx it gave means the client's request could not be served as
// asked (missing key, failed precondition); anything else is the backend's.
inline Failure from_backend(const S3Error& e, std::string detail) {
  return {&e, std::move(detail), e.status < 500 && e.status != 403 ? Fault::Client : Fault::Backend};
}

}  // namespace s3p
