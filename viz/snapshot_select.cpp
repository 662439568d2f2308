// Which stored snapshots `fplab render --times` means ("last", "all", or times mapped to the
// nearest stored snapshot), and the file name of a snapshot's picture.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "solver/errors.hpp"
#include "viz/render_detail.hpp"

namespace fplab::viz {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::string density_png_name(int k) { return fmt::format("density_{:04d}.png", k); }

std::vector<int> snapshots_select(const std::vector<double>& times, const std::string& selection) {
  if (times.empty()) throw InputError("--times: the result holds no snapshots.");
  const int n = static_cast<int>(times.size());
  const std::string_view sel = trim(selection);
  if (sel == "last") return {n - 1};
  if (sel == "all") {
    std::vector<int> all(n);
    for (int k = 0; k < n; ++k) all[k] = k;
    return all;
  }
  if (sel.empty())
    throw InputError(
        "--times is empty; expected last, all or a comma list of times such as 0,0.5,1.");

  const double t_first = times.front(), t_last = times.back();
  // Output times land on their grid up to rounding: accept a requested time that far outside.
  const double slack = 1e-9 * std::max(1.0, std::abs(t_last - t_first));
  std::vector<int> picked;
  std::size_t start = 0;
  while (start <= sel.size()) {
    const std::size_t comma = std::min(sel.find(',', start), sel.size());
    const std::string_view item = trim(sel.substr(start, comma - start));
    start = comma + 1;
    double t = 0.0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), t);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(t))
      throw InputError(fmt::format(
          "--times: '{}' is not a time; expected last, all or a comma list of times such as "
          "0,0.5,1.",
          item));
    if (t < t_first - slack || t > t_last + slack)
      throw InputError(
          fmt::format("--times: t = {} is outside the stored range [{}, {}].", t, t_first, t_last));
    // Nearest stored time (the earlier one on a tie); times are increasing.
    const auto it = std::lower_bound(times.begin(), times.end(), t);
    int k = static_cast<int>(it - times.begin());
    if (k == n || (k > 0 && t - times[k - 1] <= times[k] - t)) --k;
    if (std::find(picked.begin(), picked.end(), k) == picked.end()) picked.push_back(k);
  }
  return picked;
}

}  // namespace fplab::viz
