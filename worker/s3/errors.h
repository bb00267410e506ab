// The S3 errors the proxy emits: code, HTTP status and the generic message clients see.
#pragma once
#include <cstdint>
#include <string_view>

namespace s3p {

// Only the constants below exist: failures point at them, so a copy (whose address could dangle) cannot be made.
struct S3Error {
  std::string_view code;
  uint32_t status;
  std::string_view message;
  S3Error(const S3Error&) = delete;
  S3Error& operator=(const S3Error&) = delete;
};

namespace errors {
inline constexpr S3Error NoSuchBucket{"NoSuchBucket", 404, "The specified bucket does not exist."};
inline constexpr S3Error NoSuchKey{"NoSuchKey", 404, "The specified key does not exist."};
inline constexpr S3Error AccessDenied{"AccessDenied", 403, "Access Denied"};
inline constexpr S3Error InvalidURI{"InvalidURI", 400, "Couldn't parse the specified URI."};
inline constexpr S3Error InvalidArgument{"InvalidArgument", 400, "Invalid Argument"};
inline constexpr S3Error InvalidContinuationToken{"InvalidArgument", 400, "The continuation token provided is incorrect"};
inline constexpr S3Error KeyTooLong{"KeyTooLongError", 400, "Your key is too long."};
inline constexpr S3Error RequestHeaderSectionTooLarge{"RequestHeaderSectionTooLarge", 400, "Your request header section exceeds the maximum allowed size."};
inline constexpr S3Error MethodNotAllowed{"MethodNotAllowed", 405, "The specified method is not allowed against this resource."};
inline constexpr S3Error NotImplemented{"NotImplemented", 501, "A header or query you provided implies functionality that is not implemented."};
inline constexpr S3Error PreconditionFailed{"PreconditionFailed", 412, "At least one of the pre-conditions you specified did not hold."};
inline constexpr S3Error InvalidRange{"InvalidRange", 416, "The requested range is not satisfiable."};
inline constexpr S3Error InternalError{"InternalError", 500, "We encountered an internal error. Please try again."};
inline constexpr S3Error BadGateway{"BadGateway", 502, "The backend returned an invalid response."};
inline constexpr S3Error ServiceUnavailable{"ServiceUnavailable", 503, "Please reduce your request rate or try again later."};
inline constexpr S3Error SlowDown{"SlowDown", 503, "Please reduce your request rate."};
// Inbound authentication (messages as S3 words them).
inline constexpr S3Error InvalidAccessKeyId{"InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."};
inline constexpr S3Error SignatureDoesNotMatch{"SignatureDoesNotMatch", 403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."};
inline constexpr S3Error RequestTimeTooSkewed{"RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large."};
inline constexpr S3Error RequestExpired{"AccessDenied", 403, "Request has expired"};
inline constexpr S3Error RequestNotYetValid{"AccessDenied", 403, "Request is not yet valid"};
inline constexpr S3Error MissingDate{"AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header"};
inline constexpr S3Error UnsignedHeaders{"AccessDenied", 403, "There were headers present in the request which were not signed"};
inline constexpr S3Error AuthorizationHeaderMalformed{"AuthorizationHeaderMalformed", 400, "The authorization header is malformed."};
inline constexpr S3Error AuthorizationQueryParametersError{"AuthorizationQueryParametersError", 400, "Error parsing the X-Amz-Credential parameter or other query-string authentication parameters."};
inline constexpr S3Error PresignTooLong{"AuthorizationQueryParametersError", 400, "X-Amz-Expires must be less than a week (in seconds) that is 604800"};
inline constexpr S3Error XAmzContentSHA256Mismatch{"XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed."};
inline constexpr S3Error MissingContentSha256{"InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256"};
inline constexpr S3Error BadContentSha256{"InvalidArgument", 400, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD or a valid sha256 value."};
inline constexpr S3Error TwoAuthMechanisms{"InvalidArgument", 400, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"};
inline constexpr S3Error UnsupportedAlgorithm{"InvalidArgument", 400, "Unsupported authorization type"};
// Session credentials (the proxy's STS: worker/auth/session.h), as S3 answers a bad x-amz-security-token.
inline constexpr S3Error ExpiredToken{"ExpiredToken", 400, "The provided token has expired."};
inline constexpr S3Error InvalidToken{"InvalidToken", 400, "The provided token is malformed or otherwise invalid."};
inline constexpr S3Error AnonymousOverrides{"InvalidRequest", 400, "Request specific response headers cannot be used for anonymous GET requests."};
// Writes.
inline constexpr S3Error BadDigest{"BadDigest", 400, "The Content-MD5 or checksum value that you specified did not match what the server received."};
inline constexpr S3Error InvalidDigest{"InvalidDigest", 400, "The Content-MD5 or checksum value that you specified is not valid."};
inline constexpr S3Error EntityTooLarge{"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size."};
inline constexpr S3Error MissingContentLength{"MissingContentLength", 411, "You must provide the Content-Length HTTP header."};
inline constexpr S3Error InvalidRequest{"InvalidRequest", 400, "Invalid Request"};
inline constexpr S3Error CorsMissingOrigin{"BadRequest", 400, "Insufficient information. Origin request header needed."};
inline constexpr S3Error CorsForbidden{"AccessForbidden", 403, "CORSResponse: This CORS request is not allowed."};
inline constexpr S3Error MalformedXML{"MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema."};
inline constexpr S3Error MissingRequestBody{"MissingRequestBodyError", 400, "Request Body is empty"};
inline constexpr S3Error NoSuchUpload{"NoSuchUpload", 404, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."};
inline constexpr S3Error InvalidPart{"InvalidPart", 400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag."};
inline constexpr S3Error InvalidPartOrder{"InvalidPartOrder", 400, "The list of parts was not in ascending order. Parts must be ordered by part number."};
inline constexpr S3Error EntityTooSmall{"EntityTooSmall", 400, "Your proposed upload is smaller than the minimum allowed object size."};
inline constexpr S3Error InvalidCopySource{"InvalidArgument", 400, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"};
inline constexpr S3Error InvalidVersionId{"InvalidArgument", 400, "Invalid version id specified"};
inline constexpr S3Error CrossBackendCopy{"NotImplemented", 501, "Copying between repositories on different backends is not supported; download and upload instead."};
inline constexpr S3Error SignedChunksUnsupported{"NotImplemented", 501, "Signed aws-chunked uploads with trailers or ECDSA signatures are not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, a payload hash or UNSIGNED-PAYLOAD."};
inline constexpr S3Error RequestTimeout{"RequestTimeout", 400, "Your socket connection to the server was not read from or written to within the timeout period."};
inline constexpr S3Error IncompleteBody{"IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header."};
inline constexpr S3Error InvalidChecksumValue{"InvalidRequest", 400, "Value for x-amz-checksum-* header is invalid."};
inline constexpr S3Error MultipleChecksums{"InvalidRequest", 400, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."};
inline constexpr S3Error UnsupportedTrailer{"InvalidRequest", 400, "The value specified in the x-amz-trailer header is not supported"};
inline constexpr S3Error BadDecodedLength{"InvalidArgument", 400, "x-amz-decoded-content-length must be a non-negative integer."};
}  // namespace errors

}  // namespace s3p
