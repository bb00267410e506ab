// What the multipart operations share: the object headers an upload is created with, and rendering a result
// document of ours (the backend's is read, never passed through: its bucket, keys and owner ids stay behind).
#pragma once
#include <string>
#include <string_view>

#include "worker/ops/backend_op.h"
#include "worker/s3/xml_read.h"

namespace s3p {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// "<?xml …?>\n<{root} xmlns=…>": the opening of a result document.
std::string open_result(std::string_view root);

// <Initiator>/<Owner> naming the deployment's owner id (never the backend account's).
void append_owner(std::string& out, std::string_view element, std::string_view owner_id);

// A backend answer that is a 2xx whose body is an S3 <Error> (CompleteMultipartUpload and the copies do this
// when they fail after the status was sent) becomes that error; false when `doc` is not an error.
bool error_in_result(const xml::Document& doc, OpStep& out, bool flat);

// Parses a buffered backend result document whose root must be `root`; on failure `out` says why (502).
bool parse_result(const FetchResult& r, std::string_view root, xml::Document& doc, OpStep& out, bool flat);

}  // namespace s3p
