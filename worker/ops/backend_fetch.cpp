#include "worker/ops/backend_fetch.h"

namespace s3p {

Headers forwarded_read_headers(const Headers& client) {
  // S3's GetObject/HeadObject request headers that shape the answer: the range, the conditions, the checksum mode
  // (without it the backend sends no x-amz-checksum-*, and an SDK cannot validate what it read end to end) and an
  // SSE-C object's key (without which the backend cannot decrypt it). Not the bucket-owner or requester-pays
  // assertions: those speak of the client's account, not of the proxy's at the backend.
  static constexpr std::string_view kForward[] = {"range", "if-match", "if-none-match", "if-modified-since",
                                                  "if-unmodified-since", "x-amz-checksum-mode",
                                                  "x-amz-server-side-encryption-customer-algorithm",
                                                  "x-amz-server-side-encryption-customer-key",
                                                  "x-amz-server-side-encryption-customer-key-md5"};
  Headers out;
  for (const auto& h : client)
    for (auto name : kForward)
      if (h.name == name && !has_ctl_break(h.value)) out.push_back(h);
  return out;
}

}  // namespace s3p
