// Encoding of requests, actions and results on the wire (see host_shim/README.md for the byte layouts).
#pragma once
#include <string>
#include <vector>

#include "worker/config/config.h"
#include "worker/core/engine.h"
#include "worker/proto/action.h"

namespace s3p::codec {

bool decode_init(const uint8_t* p, size_t n, std::string& config, Env& env, std::string& seed);
bool decode_head(const uint8_t* p, size_t n, RequestHead& head);
bool decode_result(const uint8_t* p, size_t n, Result& r);
void encode_action(const Action& a, std::string& out);
void encode_ids(const std::vector<uint32_t>& ids, std::string& out);

}  // namespace s3p::codec
