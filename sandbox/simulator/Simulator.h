// The demo's department simulator: plays the department systems the way they really send —
// signed JSON and SOAP requests, GB18030 CSV files dropped in a folder, rows inserted into a
// front-end table — from scripts of the project's own demo messages
// (sandbox/simulator/scripts/<system>/script.json), one stage of one case per department per
// tick, so a newcomer sees events of every department arrive at the mock platform.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/Clock.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Error.h"

namespace huitong::simulator {

// Fills `${name}` and `${now:FORMAT}` in a script text. FORMAT tokens: yyyy MM M dd d HH H mm ss
// (M, d, H unpadded). Unknown names are an error naming them.
class Variables {
 public:
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  Result<std::string> fill(const std::string& text, EpochMillis now) const;

 private:
  std::map<std::string, std::string> values_;
};

// Beijing-time rendering of `now` with the tokens above.
std::string formatTime(EpochMillis now, const std::string& format);

// An 18-digit resident id number (GB 11643) for region 442000, born on the given date, with its
// ISO 7064 MOD 11-2 check character.
std::string residentId(int year, int month, int day, int serial);

// How an http department of the simulator's config calls the intake: its block's url,
// content_type, soap_action, and the signer made from key_id, alg (hmac-sha256 | ed25519),
// secret and private_key_file (read relative to the config). The emergency drill reads the same
// blocks. Errors name the block's file:line.
struct HttpDepartmentBlock {
  std::string url, contentType, soapAction;
  std::unique_ptr<auth::Signer> signer;
};
Result<HttpDepartmentBlock> readHttpDepartment(const ConfigNode& block, const std::string& system);

struct Options {
  std::string configFile;
  long ticks = 0;        // 0 = until stopped
  long intervalMs = -1;  // -1 = the config's
  std::string gateway;   // "http://127.0.0.1:18600": replaces scheme, host and port of each url
  std::function<void(const std::string&)> print;  // one line per step
};

// Runs until `stop` is set or `ticks` ticks were played. Returns the number of failed sends.
Result<long> run(const Options& options, const std::atomic<bool>& stop, const Clock& clock);

// `huitong simulate --config FILE [--ticks N] [--interval-ms N] [--gateway URL]`
int runSimulate(const std::vector<std::string>& args);

}  // namespace huitong::simulator
