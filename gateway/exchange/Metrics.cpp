#include "gateway/exchange/Metrics.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace huitong::exchange {
namespace {

std::string number(double v) {
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string withLabels(const std::string& name, const std::string& labels,
                       const std::string& extra = "") {
  std::string all = labels;
  if (!extra.empty())
    all += (all.empty() ? "" : ",") + extra;
  return all.empty() ? name : name + "{" + all + "}";
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), counts_(bounds_.size() + 1) {}

void Histogram::observe(double v) {
  std::lock_guard<std::mutex> lock(mu_);
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i])
    ++i;
  ++counts_[i];
  sum_ += v;
  ++count_;
}

void Histogram::snapshot(std::vector<std::uint64_t>& buckets, double& sum,
                         std::uint64_t& count) const {
  std::lock_guard<std::mutex> lock(mu_);
  buckets.assign(counts_.size(), 0);
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    acc += counts_[i];
    buckets[i] = acc;
  }
  sum = sum_;
  count = count_;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                  const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_[name];
  f.type = "counter";
  f.help = help;
  auto& c = f.counters[labels];
  if (!c)
    c = std::make_unique<Counter>();
  return *c;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      std::vector<double> bounds, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_[name];
  f.type = "histogram";
  f.help = help;
  auto& h = f.histograms[labels];
  if (!h)
    h = std::make_unique<Histogram>(std::move(bounds));
  return *h;
}

void MetricsRegistry::gauge(const std::string& name, const std::string& help,
                            std::function<double()> read, const std::string& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Family& f = families_[name];
  f.type = "gauge";
  f.help = help;
  f.gauges[labels] = std::move(read);
}

std::string MetricsRegistry::escape(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void MetricsRegistry::collector(std::function<std::string()> render) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(render));
}

std::string MetricsRegistry::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::ostringstream out;
  for (const auto& [name, f] : families_) {
    out << "# HELP " << name << " " << f.help << "\n# TYPE " << name << " " << f.type << "\n";
    for (const auto& [labels, c] : f.counters)
      out << withLabels(name, labels) << " " << number(c->value()) << "\n";
    for (const auto& [labels, g] : f.gauges)
      out << withLabels(name, labels) << " " << number(g()) << "\n";
    for (const auto& [labels, h] : f.histograms) {
      std::vector<std::uint64_t> buckets;
      double sum;
      std::uint64_t count;
      h->snapshot(buckets, sum, count);
      for (std::size_t i = 0; i < buckets.size(); ++i) {
        const std::string le = i < h->bounds().size() ? number(h->bounds()[i]) : "+Inf";
        out << withLabels(name + "_bucket", labels, "le=\"" + le + "\"") << " " << buckets[i]
            << "\n";
      }
      out << withLabels(name + "_sum", labels) << " " << number(sum) << "\n";
      out << withLabels(name + "_count", labels) << " " << count << "\n";
    }
  }
  for (const auto& c : collectors_)
    out << c();
  return out.str();
}

}  // namespace huitong::exchange
