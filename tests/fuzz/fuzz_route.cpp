// Fuzzes the namespace parser: any raw path either routes or is refused; a routed key never has a dot segment
// and the virtual-host rewrite never produces a path that escapes the host's account.
#include <cstdint>
#include <string>

#include "worker/route/route.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  s3p::Route r;
  std::string path = "/" + std::string(in);
  if (s3p::parse_route(path, r) == s3p::RouteError::None) {
    if (s3p::has_dot_segment(r.key) || s3p::has_dot_segment(r.tail) || r.tail.size() > 1024) __builtin_trap();
    if (r.kind == s3p::Route::Kind::Object && r.repo.find('/') != std::string::npos && path.find("%2") == std::string::npos &&
        path.find("%2f") == std::string::npos)
      __builtin_trap();  // a literal '/' can only enter the repository name through an encoded one
  }
  size_t cut = in.find('\n');
  if (cut != std::string_view::npos) {
    std::string host(in.substr(0, cut));
    std::string out = s3p::path_style(host, "s3.example.org", path);
    if (out.empty() || out[0] != '/') __builtin_trap();
  }
  return 0;
}
