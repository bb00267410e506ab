// Small S3 XML documents the core renders itself (errors, ListBuckets). Big listings are rewritten elsewhere.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "worker/s3/xml_escape.h"

namespace s3p::xml {

// <name>escaped text</name>
void append_element(std::string& out, std::string_view name, std::string_view text);

std::string error_document(std::string_view code, std::string_view message, std::string_view resource,
                           std::string_view request_id);

// `continuation_token`: where the next page starts ("" = this is the last); `prefix`: the request's, echoed.
std::string list_buckets(std::string_view owner_id, const std::vector<std::string>& names,
                         std::string_view creation_date, std::string_view continuation_token = {},
                         std::string_view prefix = {});

// GetBucketLocation: accounts are not regional; an empty constraint means us-east-1 to every client.
std::string bucket_location();

// The text of the first <Code> element of an S3/STS error document, or "" (parsed with tinyxml2).
std::string error_code_of(std::string_view document);

}  // namespace s3p::xml
