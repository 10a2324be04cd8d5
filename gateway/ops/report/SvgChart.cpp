#include "gateway/ops/report/SvgChart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "gateway/core/Html.h"

namespace huitong::ops::report {
namespace {

constexpr double kWidth = 760;
constexpr double kLeft = 64, kRight = 20, kTop = 40;
constexpr double kPlotHeight = 180;
constexpr double kXAxisSpace = 44;  // tick labels and the axis label under the plot
constexpr double kLegendRow = 18;
constexpr int kLegendColumns = 4;
// Colours distinguishable in print and for the common colour-vision deficiencies (Okabe–Ito,
// then darker tones).
const char* const kPalette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                "#56B4E9", "#7F3C8D", "#333333", "#B8860B", "#2F6B2F"};

bool finite(const std::optional<double>& v) {
  return v && std::isfinite(*v);
}

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

std::string noData(const ChartSpec& spec) {
  return "<p class=\"nodata\" id=\"" + htmlEscape(spec.id) + "\">" + htmlEscape(spec.title) +
         ": 本月无数据 (no data this month)</p>\n";
}

struct Frame {
  AxisScale scale;
  double plotWidth = 0;
  double height = 0;
  double bottom = 0;  // y of the x axis
  std::size_t n = 0;

  double y(double v) const {
    const double span = scale.hi - scale.lo;
    const double c = std::clamp(v, scale.lo, scale.hi);
    return bottom - (c - scale.lo) / span * kPlotHeight;
  }
};

// The opening of the svg: title, desc, the drawn heading, the grid with y ticks, the axes, the
// x labels (thinned to at most ~16) and both axis labels.
std::string open(const ChartSpec& spec, const Frame& f, bool centred) {
  const std::string id = htmlEscape(spec.id);
  std::string s;
  s += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"" + id +
       "\" viewBox=\"0 0 " + num(kWidth) + " " + num(f.height) + "\" width=\"" + num(kWidth) +
       "\" height=\"" + num(f.height) + "\" role=\"img\" aria-labelledby=\"" + id + "-title " + id +
       "-desc\">\n";
  s += "<title id=\"" + id + "-title\">" + htmlEscape(spec.title) + "</title>\n";
  s += "<desc id=\"" + id + "-desc\">" + htmlEscape(spec.description) + "</desc>\n";
  s += "<text class=\"ct\" x=\"" + num(kWidth / 2) +
       "\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">" +
       htmlEscape(spec.title) + "</text>\n";
  const int ticks = f.scale.ticks();
  for (int i = 0; i <= ticks; ++i) {
    const double v = f.scale.lo + f.scale.step * i;
    const double y = f.y(v);
    s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + f.plotWidth) + "\" y1=\"" + num(y) +
         "\" y2=\"" + num(y) + "\" stroke=\"#ddd\"/>";
    s += "<text x=\"" + num(kLeft - 6) + "\" y=\"" + num(y + 4) +
         "\" text-anchor=\"end\" font-size=\"11\">" + htmlEscape(formatNumber(v)) + "</text>\n";
  }
  s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft) + "\" y1=\"" + num(kTop) + "\" y2=\"" +
       num(f.bottom) + "\" stroke=\"#333\"/>";
  s += "<line x1=\"" + num(kLeft) + "\" x2=\"" + num(kLeft + f.plotWidth) + "\" y1=\"" +
       num(f.bottom) + "\" y2=\"" + num(f.bottom) + "\" stroke=\"#333\"/>\n";
  const std::size_t every = std::max<std::size_t>(1, (f.n + 15) / 16);
  const double slot = f.n == 0 ? f.plotWidth : f.plotWidth / static_cast<double>(f.n);
  for (std::size_t i = 0; i < f.n && i < spec.categories.size(); i += every) {
    const double x = kLeft + slot * static_cast<double>(i) + (centred ? slot / 2 : 0);
    s += "<text x=\"" + num(x) + "\" y=\"" + num(f.bottom + 15) +
         "\" text-anchor=\"middle\" font-size=\"11\">" + htmlEscape(spec.categories[i]) + "</text>";
  }
  s += "\n<text class=\"axis-x\" x=\"" + num(kLeft + f.plotWidth / 2) + "\" y=\"" +
       num(f.bottom + 36) + "\" text-anchor=\"middle\" font-size=\"12\">" +
       htmlEscape(spec.xLabel) + "</text>\n";
  s += "<text class=\"axis-y\" transform=\"translate(14 " + num(kTop + kPlotHeight / 2) +
       ") rotate(-90)\" text-anchor=\"middle\" font-size=\"12\">" + htmlEscape(spec.yLabel) +
       "</text>\n";
  return s;
}

Frame frameFor(const ChartSpec& spec, double lo, double hi, std::size_t n, std::size_t legend) {
  Frame f;
  f.scale = niceScale(spec.yMin.value_or(lo), spec.yMax.value_or(hi));
  if (spec.yMin)
    f.scale.lo = std::min(f.scale.lo, *spec.yMin);
  if (spec.yMax && *spec.yMax > f.scale.lo && hi <= *spec.yMax) {
    // A fixed top (100 %) stays the top when it is a whole number of steps.
    const double steps = (*spec.yMax - f.scale.lo) / f.scale.step;
    if (std::fabs(steps - std::round(steps)) < 1e-9)
      f.scale.hi = *spec.yMax;
  }
  f.plotWidth = kWidth - kLeft - kRight;
  f.bottom = kTop + kPlotHeight;
  const std::size_t rows = legend == 0 ? 0 : (legend + kLegendColumns - 1) / kLegendColumns;
  f.height = f.bottom + kXAxisSpace + kLegendRow * static_cast<double>(rows) + 6;
  f.n = n;
  return f;
}

}  // namespace

int AxisScale::ticks() const {
  if (!(step > 0))
    return 1;
  return std::max(1, static_cast<int>(std::lround((hi - lo) / step)));
}

AxisScale niceScale(double minValue, double maxValue) {
  if (!std::isfinite(minValue) || !std::isfinite(maxValue))
    return AxisScale{0, 1, 0.2};
  if (minValue > maxValue)
    std::swap(minValue, maxValue);
  if (maxValue - minValue < 1e-12) {
    // One value: an axis from 0 (or around it, when negative) that shows it.
    if (maxValue > 0)
      minValue = 0;
    else if (maxValue < 0)
      maxValue = 0;
    else
      return AxisScale{0, 1, 0.2};
  }
  const double raw = (maxValue - minValue) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  AxisScale s;
  s.step = step;
  s.lo = std::floor(minValue / step + 1e-9) * step;
  s.hi = std::ceil(maxValue / step - 1e-9) * step;
  if (s.hi <= s.lo)
    s.hi = s.lo + step;
  return s;
}

bool hasValues(const std::vector<ChartSeries>& series) {
  for (const auto& s : series)
    for (const auto& v : s.values)
      if (finite(v))
        return true;
  return false;
}

std::string formatNumber(double v, int digits) {
  if (!std::isfinite(v))
    return "-";
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  std::string s = b;
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0')
      s.pop_back();
    if (!s.empty() && s.back() == '.')
      s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string barChart(const ChartSpec& spec, const std::vector<std::optional<double>>& values) {
  if (!hasValues({ChartSeries{"", values}}))
    return noData(spec);
  double hi = 0;
  for (const auto& v : values)
    if (finite(v))
      hi = std::max(hi, *v);
  const Frame f = frameFor(spec, 0, hi, values.size(), 0);
  std::string s = open(spec, f, true);
  const double slot = f.plotWidth / static_cast<double>(values.size());
  const double barWidth = std::max(1.0, slot * 0.7);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!finite(values[i]))
      continue;
    const double y = f.y(*values[i]);
    const double x = kLeft + slot * static_cast<double>(i) + (slot - barWidth) / 2;
    const std::string label = i < spec.categories.size() ? spec.categories[i] : "";
    s += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(barWidth) +
         "\" height=\"" + num(std::max(0.0, f.bottom - y)) + "\" fill=\"" + kPalette[0] +
         "\"><title>" + htmlEscape(label + ": " + formatNumber(*values[i])) + "</title></rect>";
  }
  s += "\n</svg>\n";
  return s;
}

std::string lineChart(const ChartSpec& spec, const std::vector<ChartSeries>& series) {
  if (!hasValues(series))
    return noData(spec);
  double lo = 0, hi = 0;
  bool first = true;
  std::size_t n = spec.categories.size();
  for (const auto& se : series) {
    n = std::max(n, se.values.size());
    for (const auto& v : se.values) {
      if (!finite(v))
        continue;
      lo = first ? *v : std::min(lo, *v);
      hi = first ? *v : std::max(hi, *v);
      first = false;
    }
  }
  const Frame f = frameFor(spec, lo, hi, n, series.size());
  std::string s = open(spec, f, true);
  const double slot = f.plotWidth / static_cast<double>(std::max<std::size_t>(n, 1));
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& se = series[k];
    const char* colour = kPalette[k % (sizeof kPalette / sizeof kPalette[0])];
    std::string d;
    bool pen = false;
    std::string dots;
    for (std::size_t i = 0; i < se.values.size(); ++i) {
      if (!finite(se.values[i])) {
        pen = false;  // a gap: the line breaks instead of pretending a value
        continue;
      }
      const double x = kLeft + slot * static_cast<double>(i) + slot / 2;
      const double y = f.y(*se.values[i]);
      d += (pen ? " L" : " M") + num(x) + " " + num(y);
      pen = true;
      dots +=
          "<circle cx=\"" + num(x) + "\" cy=\"" + num(y) + "\" r=\"2\" fill=\"" + colour + "\"/>";
    }
    s += "<g class=\"series\"><title>" + htmlEscape(se.name) + "</title>";
    if (!d.empty())
      s += "<path d=\"" + d.substr(1) + "\" fill=\"none\" stroke=\"" + colour +
           "\" stroke-width=\"2\"/>";
    s += dots + "</g>\n";
    // Legend entry.
    const double lx =
        kLeft + (f.plotWidth / kLegendColumns) * static_cast<double>(k % kLegendColumns);
    const double ly =
        f.bottom + kXAxisSpace + kLegendRow * static_cast<double>(k / kLegendColumns) + 4;
    s += "<rect x=\"" + num(lx) + "\" y=\"" + num(ly) + "\" width=\"12\" height=\"4\" fill=\"" +
         colour + "\"/><text x=\"" + num(lx + 16) + "\" y=\"" + num(ly + 5) +
         "\" font-size=\"11\">" + htmlEscape(se.name) + "</text>\n";
  }
  s += "</svg>\n";
  return s;
}

}  // namespace huitong::ops::report
