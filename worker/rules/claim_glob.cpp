#include "worker/rules/claim_glob.h"

namespace s3p {

// The classic linear backtracking match: on a mismatch, the last `*` absorbs one more character. O(p·v) worst
// case, and both are bounded by the token and config limits.
bool glob_match(std::string_view p, std::string_view v) {
  size_t pi = 0, vi = 0, star = std::string_view::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = vi;
    } else if (pi < p.size() && p[pi] == v[vi]) {
      ++pi;
      ++vi;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace s3p
