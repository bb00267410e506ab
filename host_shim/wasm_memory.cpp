// memcpy, memmove, memset and memcmp for the wasm module. The toolchain's prebuilt libc and libc++ (Debian's
// wasi-libc) were built without bulk memory, so every copy inside std::string (appends, inserts, the listing
// document) ran musl's 4-bytes-at-a-time loops, and memcmp (every tag-name match of the listing scanner) went a
// byte at a time: together ~25% of a 1000-key listing's CPU in workerd. Defined here, these take precedence over
// the libc archive's. Copies of a few bytes stay a loop (an instruction that calls into the engine costs more
// than it saves there); the threshold is wasi-libc's own.
#if defined(__wasm__) && defined(__wasm_bulk_memory__) && !defined(__EMSCRIPTEN__)
#include <cstddef>
#include <cstdint>

namespace {
constexpr size_t kBulkThreshold = 32;
}

extern "C" {

// no_builtin: the small-size loops must not be recognised as (and compiled back into) calls to these functions.
__attribute__((no_builtin("memcpy"))) void* memcpy(void* __restrict dest, const void* __restrict src, size_t n) {
  if (n > kBulkThreshold) return __builtin_memcpy(dest, src, n);  // memory.copy
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  while (n--) *d++ = *s++;
  return dest;
}

__attribute__((no_builtin("memmove"))) void* memmove(void* dest, const void* src, size_t n) {
  if (n > kBulkThreshold) return __builtin_memmove(dest, src, n);  // memory.copy (overlap-safe)
  auto* d = static_cast<unsigned char*>(dest);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dest;
}

__attribute__((no_builtin("memset"))) void* memset(void* dest, int c, size_t n) {
  if (n > kBulkThreshold) return __builtin_memset(dest, c, n);  // memory.fill
  auto* d = static_cast<unsigned char*>(dest);
  while (n--) *d++ = static_cast<unsigned char>(c);
  return dest;
}

// Eight bytes at a time until a difference, then the byte that differs decides (as unsigned chars).
__attribute__((no_builtin("memcmp"))) int memcmp(const void* a, const void* b, size_t n) {
  const auto* p = static_cast<const unsigned char*>(a);
  const auto* q = static_cast<const unsigned char*>(b);
  for (; n >= 8; p += 8, q += 8, n -= 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, p, 8);
    __builtin_memcpy(&y, q, 8);
    if (x != y) break;
  }
  for (; n > 0; --n, ++p, ++q) {
    if (*p != *q) return *p - *q;
  }
  return 0;
}

}  // extern "C"
#endif
