// Charts of the monthly report as inline SVG text: bars (faults by type, daily exchange volume)
// and lines (daily availability per probe, CPU/memory/disk trends). No script, no font or file
// from outside: the page is viewed offline. Each chart carries <title>/<desc> (role="img") and
// axis labels; every text is escaped. A chart with no value at all is not drawn: the caller gets
// a sentence saying so instead of empty axes. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace huitong::ops::report {

// A y axis from `lo` to `hi` in `step`s of 1, 2 or 5 × 10^n (lo ≤ every value ≤ hi).
struct AxisScale {
  double lo = 0, hi = 1, step = 0.2;
  int ticks() const;  // steps from lo to hi
};
// The nice axis that holds [minValue, maxValue]; bars pass minValue 0. A flat or non-finite
// range gets a non-empty axis (0..1 when nothing is known).
AxisScale niceScale(double minValue, double maxValue);

struct ChartSpec {
  std::string id;           // unique in the page: element ids derive from it
  std::string title;        // <title> and the heading drawn in the chart
  std::string description;  // <desc>: what it shows, in words (screen readers)
  std::string xLabel, yLabel;
  std::vector<std::string> categories;  // x labels (days, types), one per value
  std::optional<double> yMin, yMax;     // fixed ends (percent charts: 0..100)
};

struct ChartSeries {
  std::string name;
  std::vector<std::optional<double>> values;  // one per category; nullopt = no figure
};

// True when some value of some series is a finite number.
bool hasValues(const std::vector<ChartSeries>& series);

// `<svg …>…</svg>`, or, without any value, `<p class="nodata" …>` naming the chart and saying
// there is no data for it.
std::string barChart(const ChartSpec& spec, const std::vector<std::optional<double>>& values);
std::string lineChart(const ChartSpec& spec, const std::vector<ChartSeries>& series);

// "12", "12.5", "0.25": up to `digits` decimals, trailing zeros dropped; "-" when not finite.
std::string formatNumber(double v, int digits = 2);

}  // namespace huitong::ops::report
