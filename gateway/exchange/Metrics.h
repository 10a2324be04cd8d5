// Prometheus metrics: counters, gauges and histograms with fixed label sets, rendered in the
// text exposition format (version 0.0.4). Thread-safe; metric objects live as long as the
// registry and are looked up once, then updated lock-free (counters) or under a small lock.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace huitong::exchange {

class Counter {
 public:
  void inc(double by = 1) {
    double cur = value_.load(std::memory_order_relaxed);
    while (!value_.compare_exchange_weak(cur, cur + by, std::memory_order_relaxed)) {
    }
  }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);
  // Cumulative bucket counts (one per bound, then +Inf), sum and count.
  void snapshot(std::vector<std::uint64_t>& buckets, double& sum, std::uint64_t& count) const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

class MetricsRegistry {
 public:
  // Labels are given as "name=\"value\",name2=\"v2\"" (already escaped), or "".
  Counter& counter(const std::string& name, const std::string& help,
                   const std::string& labels = "");
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                       const std::string& labels = "");
  // A gauge read when /metrics is rendered.
  void gauge(const std::string& name, const std::string& help, std::function<double()> read,
             const std::string& labels = "");
  // Families rendered by their owner, appended as they come (exposition text, HELP and TYPE
  // included): for label sets that change at run time, such as one series per online item.
  void collector(std::function<std::string()> render);
  std::string render() const;

  // Escapes a label value per the exposition format.
  static std::string escape(const std::string& v);

 private:
  struct Family {
    std::string type, help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
    std::map<std::string, std::function<double()>> gauges;
  };
  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<std::function<std::string()>> collectors_;
};

}  // namespace huitong::exchange
