// The core's one sort: stable, O(n log n), and small in code. std::sort and std::stable_sort instantiate 6–15 KB of
// wasm per call site (every comparator lambda is a new type): 112 functions and 127 KB of the module, most of it in
// config loading, which an isolate compiles on its first request. This is an insertion sort for short runs and a
// bottom-up merge of the runs through one buffer: well under 1 KB per instantiation, and as fast for the short
// vectors the core sorts on a request's path (headers, query parameters).
//
// Stable for every caller, so equal elements keep their order (SigV4's and Azure's canonical forms rely on it where
// a name repeats). The range must be contiguous (a vector's or an array's); elements are moved, never copied.
#pragma once
#include <cstddef>
#include <functional>
#include <iterator>
#include <utility>
#include <vector>

namespace s3p::util {

namespace sort_detail {

constexpr size_t kRun = 16;

template <typename T, typename Less>
void insertion(T* a, size_t n, Less& less) {
  for (size_t i = 1; i < n; ++i) {
    if (!less(a[i], a[i - 1])) continue;
    T x = std::move(a[i]);
    size_t j = i;
    do {
      a[j] = std::move(a[j - 1]);
      --j;
    } while (j > 0 && less(x, a[j - 1]));
    a[j] = std::move(x);
  }
}

// Merges runs of `width` from src into dst (both n long); a tie takes the left run's element (stability).
template <typename T, typename Less>
void merge_pass(T* src, T* dst, size_t n, size_t width, Less& less) {
  for (size_t lo = 0; lo < n; lo += 2 * width) {
    const size_t mid = lo + width < n ? lo + width : n;
    const size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi) dst[k++] = std::move(less(src[j], src[i]) ? src[j++] : src[i++]);
    while (i < mid) dst[k++] = std::move(src[i++]);
    while (j < hi) dst[k++] = std::move(src[j++]);
  }
}

}  // namespace sort_detail

template <typename It, typename Less>
void sort(It first, It last, Less less) {
  using T = typename std::iterator_traits<It>::value_type;
  const size_t n = static_cast<size_t>(last - first);
  if (n < 2) return;
  T* const a = &*first;
  for (size_t lo = 0; lo < n; lo += sort_detail::kRun)
    sort_detail::insertion(a + lo, (n - lo < sort_detail::kRun ? n - lo : sort_detail::kRun), less);
  if (n <= sort_detail::kRun) return;
  std::vector<T> buffer(n);
  T* src = a;
  T* dst = buffer.data();
  for (size_t width = sort_detail::kRun; width < n; width *= 2) {
    sort_detail::merge_pass(src, dst, n, width, less);
    std::swap(src, dst);
  }
  if (src != a) {
    for (size_t i = 0; i < n; ++i) a[i] = std::move(src[i]);
  }
}

// Ascending by operator<.
template <typename It>
void sort(It first, It last) {
  s3p::util::sort(first, last, std::less<>());
}

}  // namespace s3p::util
