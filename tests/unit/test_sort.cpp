// util::sort (worker/util/sort.h), the core's one sort: the same order as std::stable_sort for every size around
// its run length and merge widths, stable on ties, and moving elements (never copying them).
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "worker/util/sort.h"

TEST_CASE("util::sort orders as std::stable_sort does, ties in their order") {
  std::mt19937 rng(7);
  for (size_t n : {0, 1, 2, 3, 15, 16, 17, 31, 32, 33, 47, 64, 65, 100, 255, 256, 257, 1000, 5000}) {
    for (int round = 0; round < 4; ++round) {
      // (key, original position): few distinct keys, so that ties are common
      std::vector<std::pair<int, size_t>> v(n);
      for (size_t i = 0; i < n; ++i) v[i] = {static_cast<int>(rng() % (round == 0 ? 3 : n + 1)), i};
      if (round == 2) std::sort(v.begin(), v.end());                          // already sorted
      if (round == 3) std::sort(v.begin(), v.end(), std::greater<>());  // reversed
      auto expected = v;
      const auto by_key = [](const auto& a, const auto& b) { return a.first < b.first; };
      std::stable_sort(expected.begin(), expected.end(), by_key);
      s3p::util::sort(v.begin(), v.end(), by_key);
      INFO("n = " << n << ", round " << round);
      CHECK(v == expected);
    }
  }
}

TEST_CASE("util::sort: the default order, raw arrays, and move-only elements") {
  std::vector<std::string> names = {"b", "a", "c", "a", ""};
  s3p::util::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"", "a", "a", "b", "c"});

  int raw[40];
  for (int i = 0; i < 40; ++i) raw[i] = (i * 17) % 40;
  s3p::util::sort(raw, raw + 40);
  CHECK(std::is_sorted(raw, raw + 40));

  std::vector<std::unique_ptr<int>> owned;
  for (int i = 0; i < 50; ++i) owned.push_back(std::make_unique<int>((i * 31) % 50));
  s3p::util::sort(owned.begin(), owned.end(), [](const auto& a, const auto& b) { return *a < *b; });
  for (int i = 0; i < 50; ++i) CHECK(*owned[static_cast<size_t>(i)] == i);
}
