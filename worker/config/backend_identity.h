// What makes two backends the same for the bytes they serve and for who may read them. The edge cache keys an
// object by both (one principal's cached bytes never answer a request sent as another), a write through any
// backend forgets what every backend over the same bucket cached of that key, and a copy can run inside the
// backend when both sides are reached as the same principal at the same endpoint.
#pragma once
#include <string>

#include "worker/config/config.h"

namespace s3p {

// Who the proxy is at the backend: anonymous, a static access key id, a federated role and subject, or a role
// session assumed with base keys.
std::string backend_principal(const Backend& b);

// Same endpoint and bucket: the same objects.
bool same_location(const Backend& a, const Backend& b);

// Same endpoint, region and principal: one request may name objects of both (CopyObject between their buckets).
bool same_endpoint_and_principal(const Backend& a, const Backend& b);

}  // namespace s3p
