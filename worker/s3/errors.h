// The S3 errors the proxy emits: code, HTTP status and the generic message clients see.
#pragma once
#include <cstdint>
#include <string_view>

namespace s3p {

struct S3Error {
  std::string_view code;
  uint32_t status;
  std::string_view message;
};

namespace errors {
inline constexpr S3Error NoSuchBucket{"NoSuchBucket", 404, "The specified bucket does not exist."};
inline constexpr S3Error NoSuchKey{"NoSuchKey", 404, "The specified key does not exist."};
inline constexpr S3Error AccessDenied{"AccessDenied", 403, "Access Denied"};
inline constexpr S3Error InvalidURI{"InvalidURI", 400, "Couldn't parse the specified URI."};
inline constexpr S3Error InvalidArgument{"InvalidArgument", 400, "Invalid Argument"};
inline constexpr S3Error KeyTooLong{"KeyTooLongError", 400, "Your key is too long."};
inline constexpr S3Error MethodNotAllowed{"MethodNotAllowed", 405, "The specified method is not allowed against this resource."};
inline constexpr S3Error NotImplemented{"NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."};
inline constexpr S3Error PreconditionFailed{"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold."};
inline constexpr S3Error InvalidRange{"InvalidRange", 416, "The requested range is not satisfiable."};
inline constexpr S3Error InternalError{"InternalError", 500, "We encountered an internal error. Please try again."};
inline constexpr S3Error BadGateway{"BadGateway", 502, "The backend returned an invalid response."};
inline constexpr S3Error ServiceUnavailable{"ServiceUnavailable", 503, "Please reduce your request rate or try again later."};
inline constexpr S3Error SlowDown{"SlowDown", 503, "Please reduce your request rate."};
}  // namespace errors

}  // namespace s3p
