#include "tests/integration/Harness.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <boost/test/unit_test.hpp>

extern char** environ;

namespace huitong::integration {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path huitongBinary() {
  return fs::path(HUITONG_BINARY_DIR) / "gateway" / "app" / "huitong";
}

fs::path sharedDir() {
  return fs::path(HUITONG_SOURCE_DIR) / ".." / "shared";
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ------------------------------------------------------------------ TempDir

TempDir::TempDir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  path_ = pattern;
}

TempDir::~TempDir() {
  if (std::getenv("HUITONG_IT_KEEP") != nullptr) {
    BOOST_TEST_MESSAGE("kept " << path_.string());
    return;
  }
  std::error_code ec;
  fs::remove_all(path_, ec);
}

fs::path TempDir::write(const std::string& name, const std::string& content) const {
  const auto p = path_ / name;
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary);
  f << content;
  return p;
}

// ------------------------------------------------------------------ Process

Process::Process(std::vector<std::string> args, fs::path dir, std::string name,
                 const std::string& stdinPath)
    : dir_(std::move(dir)), name_(std::move(name)) {
  const std::string binary = args.at(0);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out = outPath().string(), err = errPath().string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdinPath.c_str(), O_RDONLY, 0);
  // Appended: a restarted process keeps writing after its previous life's output.
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  const int rc = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + binary + ": " + std::strerror(rc));
  }
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    wait(10s);
  }
}

bool Process::running() {
  if (pid_ <= 0 || reaped_)
    return false;
  int status = 0;
  const pid_t w = ::waitpid(pid_, &status, WNOHANG);
  if (w == pid_) {
    reaped_ = true;
    status_ = status;
    return false;
  }
  return true;
}

void Process::signal(int sig) {
  // Only our own child, and only while it is not reaped (its pid cannot have been reused).
  if (running())
    ::kill(pid_, sig);
}

int Process::wait(std::chrono::milliseconds limit) {
  if (pid_ <= 0)
    return -1;
  const auto start = std::chrono::steady_clock::now();
  while (running()) {
    if (std::chrono::steady_clock::now() - start > limit) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      reaped_ = true;
      status_ = status;
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  return status_;
}

std::string Process::describe() {
  if (running())
    return "running";
  if (WIFEXITED(status_))
    return "exit " + std::to_string(WEXITSTATUS(status_));
  if (WIFSIGNALED(status_))
    return "signal " + std::to_string(WTERMSIG(status_));
  return "ended";
}

std::optional<std::string> Process::waitForLine(const std::string& marker, bool inStderr,
                                                std::chrono::milliseconds limit, std::size_t from) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const bool alive = running();
    const std::string text = readFile(inStderr ? errPath() : outPath());
    const auto at = text.size() > from ? text.find(marker, from) : std::string::npos;
    if (at != std::string::npos) {
      const auto eol = text.find('\n', at);
      if (eol != std::string::npos)
        return text.substr(at, eol - at);
    }
    if (!alive || std::chrono::steady_clock::now() - start > limit)
      return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

long Process::rssKiB() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0)
      return std::atol(line.c_str() + 6);
  }
  return 0;
}

// ------------------------------------------------------------------ HTTP

std::string Answer::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? "" : it->second;
}

HttpClient::HttpClient(int port, std::chrono::milliseconds timeout)
    : port_(port), timeout_(timeout) {}

void HttpClient::setPort(int port) {
  if (port != port_) {
    port_ = port;
    session_.reset();
  }
}

Answer HttpClient::send(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& contentType,
                        const std::vector<std::pair<std::string, std::string>>& headers,
                        bool chunked) {
  Answer a;
  const auto start = std::chrono::steady_clock::now();
  try {
    if (!session_) {
      session_ = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1",
                                                                static_cast<Poco::UInt16>(port_));
      session_->setKeepAlive(true);
      session_->setTimeout(Poco::Timespan(timeout_.count() * 1000));
    }
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    if (!contentType.empty())
      req.setContentType(contentType);
    for (const auto& [name, value] : headers)
      req.set(name, value);
    if (chunked)
      req.setChunkedTransferEncoding(true);
    else if (!body.empty() || method == "POST" || method == "PUT")
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    std::ostream& out = session_->sendRequest(req);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    out.flush();
    Poco::Net::HTTPResponse res;
    std::istream& in = session_->receiveResponse(res);
    std::ostringstream ss;
    Poco::StreamCopier::copyStream(in, ss);
    a.status = static_cast<int>(res.getStatus());
    a.body = ss.str();
    for (const auto& [name, value] : res) {
      std::string lower = name;
      for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.headers[lower] = value;
    }
    if (!res.getKeepAlive())
      session_.reset();
  } catch (const Poco::Exception& e) {
    a.status = 0;
    a.error = e.displayText();
    session_.reset();
  } catch (const std::exception& e) {
    a.status = 0;
    a.error = e.what();
    session_.reset();
  }
  a.seconds = secondsSince(start);
  return a;
}

auth::DepartmentKey DepartmentCredential::key() const {
  auth::DepartmentKey k;
  k.keyId = keyId;
  k.system = system;
  k.algorithm = "hmac-sha256";
  k.secret = secret;
  return k;
}

DepartmentCredential makeCredential(const std::string& system) {
  return DepartmentCredential{system, system + "-it-" + auth::randomToken(4),
                              auth::randomToken(32)};
}

std::vector<std::pair<std::string, std::string>> signatureHeaders(
    const DepartmentCredential& cred, int port, const std::string& method, const std::string& path,
    const std::string& contentType, const std::string& body, const Clock& clock) {
  auth::SignedRequest sr;
  sr.method = method;
  sr.targetUri = "http://127.0.0.1:" + std::to_string(port) + path;
  if (!contentType.empty())
    auth::addHeader(sr, "content-type", contentType);
  sr.body = body;
  auto r = auth::sign(sr, cred.key(), clock);
  if (!r.ok())
    throw std::runtime_error("signing failed: " + r.error().message);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : sr.headers) {
    if (name != "content-type")
      out.emplace_back(name, value);
  }
  return out;
}

Answer signedPost(HttpClient& client, const DepartmentCredential& cred, const std::string& path,
                  const std::string& body, const std::string& contentType) {
  static const SystemClock clock;
  return client.send("POST", path, body, contentType,
                     signatureHeaders(cred, client.port(), "POST", path, contentType, body, clock));
}

Answer signedGet(HttpClient& client, const DepartmentCredential& cred, const std::string& path) {
  static const SystemClock clock;
  return client.send("GET", path, "", "",
                     signatureHeaders(cred, client.port(), "GET", path, "", "", clock));
}

// ------------------------------------------------------------------ mock platform

MockPlatformProcess::MockPlatformProcess(const fs::path& dir, std::string token,
                                         std::vector<std::string> extraArgs)
    : token_(std::move(token)) {
  std::vector<std::string> args{huitongBinary().string(),
                                "mock-platform",
                                "--listen",
                                "127.0.0.1:0",
                                "--token",
                                token_,
                                "--threads",
                                "16"};
  const bool tls = std::find(extraArgs.begin(), extraArgs.end(), "--tls-cert") != extraArgs.end();
  args.insert(args.end(), extraArgs.begin(), extraArgs.end());
  process_ = std::make_unique<Process>(args, dir, "mock-platform");
  auto line = process_->waitForLine("listening on http://", false, 30s);
  if (!line) {
    throw std::runtime_error("mock-platform did not start (" + process_->describe() +
                             "): " + readFile(process_->errPath()));
  }
  port_ = std::atoi(line->substr(line->rfind(':') + 1).c_str());
  if (tls) {
    auto tlsLine = process_->waitForLine("listening on https://", false, 30s);
    if (!tlsLine)
      throw std::runtime_error("mock-platform did not serve TLS: " + readFile(process_->errPath()));
    tlsPort_ = std::atoi(tlsLine->substr(tlsLine->rfind(':') + 1).c_str());
  }
}

Answer MockPlatformProcess::control(const std::string& method, const std::string& path,
                                    const std::string& body) {
  HttpClient c(port_);
  Answer a = c.send(method, path, body, body.empty() ? "" : "application/json");
  BOOST_REQUIRE_MESSAGE(a.status != 0,
                        "mock platform " << method << " " << path << ": " << a.error);
  return a;
}

void MockPlatformProcess::setFaults(const std::string& json) {
  Answer a = control("PUT", "/control/v1/faults", json);
  BOOST_REQUIRE_MESSAGE(a.status == 200, "PUT faults: " << a.status << " " << a.body);
}

rapidjson::Document MockPlatformProcess::stats() {
  Answer a = control("GET", "/control/v1/stats");
  rapidjson::Document d;
  d.Parse(a.body.c_str(), a.body.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject(), "stats: " << a.body);
  return d;
}

std::int64_t MockPlatformProcess::receivedTotal() {
  Answer a = control("GET", "/control/v1/received?since=0&limit=1");
  rapidjson::Document d;
  d.Parse(a.body.c_str(), a.body.size());
  BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject() && d.HasMember("total"),
                        "received: " << a.body.substr(0, 300));
  return d["total"].GetInt64();
}

std::vector<MockPlatformProcess::Received> MockPlatformProcess::received(int pageSize) {
  std::vector<Received> all;
  std::int64_t since = 0;
  for (;;) {
    Answer a = control("GET", "/control/v1/received?since=" + std::to_string(since) +
                                  "&limit=" + std::to_string(pageSize));
    rapidjson::Document d;
    d.Parse(a.body.c_str(), a.body.size());
    BOOST_REQUIRE_MESSAGE(!d.HasParseError() && d.IsObject() && d.HasMember("events"),
                          "received: " << a.body.substr(0, 300));
    const auto& events = d["events"];
    for (const auto& e : events.GetArray()) {
      Received r;
      r.index = e["index"].GetInt64();
      r.eventId = e["event_id"].GetString();
      const auto& ev = e["event"];
      r.caseNo = ev.HasMember("case_no") ? ev["case_no"].GetString() : "";
      r.stage = ev.HasMember("stage") ? ev["stage"].GetString() : "";
      all.push_back(std::move(r));
    }
    if (events.Empty())
      break;
    since = d["next_since"].GetInt64();
  }
  return all;
}

// ------------------------------------------------------------------ gateway

namespace {

std::string quote(const std::string& s) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  return b.GetString();
}

}  // namespace

const std::vector<OnlineItem>& defaultOnlineItems() {
  static const std::vector<OnlineItem> kItems{
      {"marriage", "1244200045586317954442071001000"},
      {"marriage", "1244200045586317954442071002000"},
      {"marriage", "1244200045586317954442071003000"},
      {"funeral", "1244200045586402424442094003000"},
      {"funeral", "1244200045586402424442144002000"},
      {"funeral", "1244200045586402424442204001000"},
      {"elderly-subsidy", "1144200000701362104442092001000"},
      {"social-assistance", "12442000MB2C09173L4442093001000"},
  };
  return kItems;
}

std::string registryConfigMember(const std::vector<OnlineItem>& items,
                                 const std::vector<std::string>& systems, const fs::path& dir,
                                 int refreshMs) {
  std::ostringstream f;
  f << "{\"filings\": [";
  bool first = true;
  for (const auto& i : items) {
    if (std::find(systems.begin(), systems.end(), i.system) == systems.end())
      continue;
    f << (first ? "\n" : ",\n") << "  {\"system\": " << quote(i.system)
      << ", \"item_code\": " << quote(i.itemCode)
      << ", \"item_name\": \"test item\", \"contact_name\": \"IT\", \"state\": \"online\"}";
    first = false;
  }
  f << "\n]}\n";
  fs::create_directories(dir);
  const fs::path file = dir / "filings.json";
  std::ofstream(file) << f.str();
  return "\"registry\": {\"assume_sandbox_evidence\": true, \"refresh_ms\": " +
         std::to_string(refreshMs) + ", \"filings\": " + quote(file.string()) + "}";
}

std::string gatewayConfigJson(const GatewayOptions& o, const fs::path& dir) {
  std::ostringstream c;
  c << "{\n  \"listen\": \"127.0.0.1:0\",\n"
    << "  \"threads\": " << o.threads << ",\n"
    << "  \"max_body_bytes\": " << o.maxBodyBytes << ",\n"
    << "  \"mappings\": " << quote(fs::absolute("mappings").string()) << ",\n";
  if (o.store.kind == "postgresql") {
    c << "  \"store\": {\"kind\": \"postgresql\", \"connection\": " << quote(o.store.connection)
      << "},\n";
  } else {
    c << "  \"store\": {\"kind\": \"sqlite\", \"path\": "
      << quote((dir / "store" / "huitong.db").string()) << "},\n";
  }
  c << "  \"platform\": {\"url\": " << quote(o.platformUrl)
    << ", \"token\": " << quote(o.platformToken) << ", \"timeout_ms\": " << o.timeoutMs << "},\n"
    << "  \"delivery\": {\"workers\": " << o.workers
    << ", \"max_attempts\": 1000, \"initial_backoff_ms\": 100, \"max_backoff_ms\": 2000,"
       " \"idle_ms\": 20, \"lease_ms\": "
    << o.leaseMs << "},\n"
    << "  \"ops_token\": \"it-ops-token\",\n";
  {
    std::vector<std::string> systems;
    for (const auto& s : o.systems)
      systems.push_back(s.system);
    for (const auto& [system, block] : o.adapters)
      systems.push_back(system);
    c << "  "
      << registryConfigMember(o.onlineItems ? *o.onlineItems : defaultOnlineItems(), systems, dir,
                              o.filingRefreshMs)
      << ",\n";
  }
  if (!o.plugins.empty()) {
    c << "  \"plugins\": [";
    for (std::size_t i = 0; i < o.plugins.size(); ++i)
      c << (i ? ", " : "") << quote(o.plugins[i]);
    c << "],\n";
  }
  c << "  \"systems\": {";
  for (std::size_t i = 0; i < o.systems.size(); ++i) {
    const auto& s = o.systems[i];
    c << (i ? ",\n" : "\n") << "    " << quote(s.system)
      << ": {\"auth\": \"signature\", \"keys\": [{\"key_id\": " << quote(s.keyId)
      << ", \"alg\": \"hmac-sha256\", \"secret\": " << quote(s.secret) << "}]";
    if (auto a = o.adapters.find(s.system); a != o.adapters.end()) {
      c << ", \"adapter\": " << a->second;
    } else if (s.system == "elderly-subsidy") {
      c << ", \"adapter\": {\"kind\": \"soap11\", \"response_element\": "
           "\"PushCaseStageResponse\", \"namespace\": \"http://ylbt.zs.gov.cn/exchange\"}";
    }
    c << "}";
  }
  bool first = o.systems.empty();
  for (const auto& [system, block] : o.adapters) {
    if (std::any_of(o.systems.begin(), o.systems.end(),
                    [&](const DepartmentCredential& s) { return s.system == system; }))
      continue;
    c << (first ? "\n" : ",\n") << "    " << quote(system) << ": {\"adapter\": " << block << "}";
    first = false;
  }
  c << "\n  }\n}\n";
  return c.str();
}

GatewayProcess::GatewayProcess(const fs::path& dir, GatewayOptions options) : dir_(dir) {
  fs::create_directories(dir_ / "store");
  config_ = dir_ / "gateway.json";
  std::ofstream(config_) << (options.configText.empty() ? gatewayConfigJson(options, dir_)
                                                        : options.configText);
  start();
}

GatewayProcess::~GatewayProcess() {
  if (process_ && process_->running())
    stop();
}

void GatewayProcess::start() {
  const std::size_t from =
      fs::exists(dir_ / "gateway.err") ? fs::file_size(dir_ / "gateway.err") : 0;
  ++starts_;
  process_ = std::make_unique<Process>(
      std::vector<std::string>{huitongBinary().string(), "serve", "--config", config_.string()},
      dir_, "gateway");
  auto line = process_->waitForLine("\"msg\":\"gateway ready\"", true, 60s, from);
  if (!line) {
    throw std::runtime_error("gateway did not start (" + process_->describe() +
                             "): " + readFile(process_->errPath()).substr(from, 4000));
  }
  const auto at = line->find("\"listen\":\"");
  const auto colon = line->find(':', line->find("127.0.0.1", at));
  port_ = std::atoi(line->c_str() + colon + 1);
  if (port_ <= 0)
    throw std::runtime_error("no port in: " + *line);
  const auto tls = line->find("\"listen_tls\":\"127.0.0.1:");
  tlsPort_ = tls == std::string::npos ? 0 : std::atoi(line->c_str() + tls + 24);
}

void GatewayProcess::crash() {
  process_->signal(SIGKILL);
  process_->wait(30s);
}

int GatewayProcess::stop() {
  process_->signal(SIGTERM);
  return process_->wait(60s);
}

std::string GatewayProcess::stderrText() const {
  return readFile(dir_ / "gateway.err");
}

std::optional<double> GatewayProcess::metric(const std::string& series) {
  HttpClient c(port_);
  Answer a = c.send("GET", "/metrics");
  if (a.status != 200)
    return std::nullopt;
  std::istringstream in(a.body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0)
      return std::atof(line.c_str() + series.size() + 1);
  }
  return std::nullopt;
}

// ------------------------------------------------------------------ messages

std::string residentId(const std::string& first17) {
  static const int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static const char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i)
    sum += (first17.at(static_cast<std::size_t>(i)) - '0') * kWeights[i];
  return first17 + kCheck[sum % 11];
}

std::string digits(int value, std::size_t width) {
  std::string s = std::to_string(value);
  return s.size() < width ? std::string(width - s.size(), '0') + s : s;
}

MarriageMessage marriageMessage(const std::string& bizNo, int caseNumber, int stage) {
  static const char* kStatus[kMarriageStages] = {"SUBMITTED", "ACCEPTED", "APPROVED",
                                                 "CERT_ISSUED"};
  static const char* kStage[kMarriageStages] = {"submit", "accept", "approve", "complete"};
  // A real birth date and a sequence number from the case number (non-negative).
  const int n = caseNumber < 0 ? -caseNumber : caseNumber;
  const std::string id =
      residentId("442000" + digits(1960 + (n / 336) % 40, 4) + digits(1 + (n / 28) % 12, 2) +
                 digits(1 + n % 28, 2) + digits(n % 1000, 3));
  // Past times, in stage order: the platform refuses future ones.
  const std::string time = "2026-" + digits(1 + n % 10, 2) + "-" + digits(1 + n % 27, 2) + " " +
                           digits(8 + stage, 2) + ":" + digits(n % 60, 2) + ":" +
                           digits((n * 7) % 60, 2);
  std::ostringstream b;
  b << "{\"bizNo\":" << quote(bizNo)
    << ",\"serviceCode\":\"1244200045586317954442071001000\",\"serviceName\":\"内地居民结婚登记\""
    << ",\"status\":\"" << kStatus[stage] << "\",\"statusTime\":\"" << time << "\""
    << ",\"channel\":\"窗口\",\"applicants\":[{\"name\":\"测试" << caseNumber
    << "\",\"gender\":\"男\",\"idCardType\":\"身份证\",\"idCardNo\":\"" << id
    << "\",\"mobile\":\"138" << (10000000 + n % 89999999) << "\"}]"
    << ",\"operator\":{\"name\":\"陈丽华\",\"jobNo\":\"HY0032\"}"
    << ",\"certNo\":" << (stage == 3 ? quote("J442000-2026-" + std::to_string(n)) : "null")
    << ",\"remark\":\"" << (stage == 3 ? "准予登记，发给结婚证" : "") << "\""
    << ",\"version\":1,\"pushTime\":\"" << time << "\"}";
  MarriageMessage m;
  m.caseNo = bizNo;
  m.stage = stage;
  m.body = b.str();
  m.eventId = "marriage:" + bizNo + ":" + kStage[stage] + ":1:v1";
  return m;
}

// ------------------------------------------------------------------ checks

bool waitForDrain(MockPlatformProcess& platform, GatewayProcess& gateway, std::int64_t expected,
                  std::chrono::seconds limit) {
  const auto start = std::chrono::steady_clock::now();
  std::int64_t last = -1;
  while (std::chrono::steady_clock::now() - start < limit) {
    const std::int64_t held = platform.receivedTotal();
    if (held != last) {
      last = held;
    }
    if (held >= expected) {
      const auto pending = gateway.metric("huitong_outbox_pending");
      if (pending && *pending == 0)
        return true;
    }
    std::this_thread::sleep_for(250ms);
  }
  BOOST_TEST_MESSAGE("drain timed out: platform holds " << last << " of " << expected);
  return false;
}

int checkDelivery(const std::vector<SentMessage>& sent, MockPlatformProcess& platform) {
  int problems = 0;
  const auto received = platform.received();
  std::map<std::string, std::int64_t> indexOf;
  for (const auto& r : received) {
    if (!indexOf.emplace(r.eventId, r.index).second) {
      ++problems;
      BOOST_ERROR("event " << r.eventId << " held twice by the platform");
    }
  }
  std::set<std::string> expected;
  // case -> (stage -> arrival index)
  std::map<std::string, std::map<int, std::int64_t>> byCase;
  int missing = 0;
  for (const auto& s : sent) {
    if (s.status != 202)
      continue;
    for (const auto& id : s.eventIds) {
      expected.insert(id);
      auto it = indexOf.find(id);
      if (it == indexOf.end()) {
        if (++missing <= 20)
          BOOST_ERROR("event " << id << " (message " << s.messageId
                               << ", answered 202) never reached the platform");
        continue;
      }
      byCase[s.message->caseNo][s.message->stage] = it->second;
    }
    if (s.eventIds.size() != 1 || s.eventIds[0] != s.message->eventId) {
      ++problems;
      BOOST_ERROR("message " << s.messageId << " answered events other than " << s.message->eventId
                             << ": " << s.lastBody);
    }
  }
  problems += missing;
  if (missing > 20)
    BOOST_ERROR(missing << " events missing in all");
  for (const auto& r : received) {
    if (!expected.count(r.eventId)) {
      ++problems;
      BOOST_ERROR("the platform holds " << r.eventId << ", which no 202 answer named");
    }
  }
  int disorders = 0;
  for (const auto& [caseNo, stages] : byCase) {
    std::int64_t previous = -1;
    int previousStage = -1;
    for (const auto& [stage, index] : stages) {
      if (index < previous && ++disorders <= 20) {
        BOOST_ERROR("case " << caseNo << ": stage " << stage << " arrived (index " << index
                            << ") before stage " << previousStage << " (index " << previous << ")");
      }
      previous = index;
      previousStage = stage;
    }
  }
  problems += disorders;
  auto stats = platform.stats();
  const auto conflicts = stats["conflict"].GetInt64();
  const auto rejected = stats["rejected"].GetInt64();
  BOOST_TEST(conflicts == 0);
  BOOST_TEST(rejected == 0);
  problems += static_cast<int>(conflicts + rejected);
  BOOST_TEST_MESSAGE("delivery check: "
                     << expected.size() << " events expected, " << received.size() << " held, "
                     << missing << " missing, " << disorders << " out of order, " << conflicts
                     << " conflicts, " << stats["duplicate"].GetInt64() << " duplicates");
  return problems;
}

// ------------------------------------------------------------------ load

Load::Load(LoadPlan plan, DepartmentCredential cred, const std::atomic<int>& port)
    : plan_(std::move(plan)), cred_(std::move(cred)), port_(port) {
  messages_.reserve(static_cast<std::size_t>(plan_.cases * kMarriageStages));
  order_.resize(static_cast<std::size_t>(plan_.clients));
  std::vector<std::vector<int>> casesOf(static_cast<std::size_t>(plan_.clients));
  for (int c = 0; c < plan_.cases; ++c)
    casesOf[static_cast<std::size_t>(c % plan_.clients)].push_back(c);
  for (int k = 0; k < plan_.clients; ++k) {
    const auto& cases = casesOf[static_cast<std::size_t>(k)];
    for (std::size_t g = 0; g < cases.size(); g += 4) {
      const std::size_t end = std::min(cases.size(), g + 4);
      for (int stage = 0; stage < kMarriageStages; ++stage) {
        for (std::size_t i = g; i < end; ++i) {
          const std::string bizNo = plan_.casePrefix + digits(cases[i], 6);
          order_[static_cast<std::size_t>(k)].push_back(messages_.size());
          messages_.push_back(marriageMessage(bizNo, cases[i], stage));
        }
      }
    }
  }
  sent_.resize(messages_.size());
  for (std::size_t i = 0; i < messages_.size(); ++i)
    sent_[i].message = &messages_[i];
}

Load::~Load() {
  join();
}

void Load::start() {
  for (int k = 0; k < plan_.clients; ++k)
    threads_.emplace_back([this, k] { run(k); });
}

void Load::join() {
  for (auto& t : threads_) {
    if (t.joinable())
      t.join();
  }
}

int Load::retriedMessages() const {
  int n = 0;
  for (const auto& s : sent_)
    n += s.attempts > 1 ? 1 : 0;
  return n;
}

void Load::run(int client) {
  HttpClient c(port_.load(), std::chrono::seconds(30));
  for (const std::size_t i : order_[static_cast<std::size_t>(client)]) {
    SentMessage& s = sent_[i];
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
      c.setPort(port_.load());
      const Answer a = signedPost(c, cred_, "/intake/v1/marriage", s.message->body);
      ++s.attempts;
      s.status = a.status;
      s.lastBody = a.status ? a.body : a.error;
      if (a.status == 202) {
        rapidjson::Document d;
        d.Parse(a.body.c_str(), a.body.size());
        if (!d.HasParseError() && d.IsObject() && d.HasMember("message_id") &&
            d.HasMember("events")) {
          s.messageId = d["message_id"].GetString();
          for (const auto& e : d["events"].GetArray())
            s.eventIds.emplace_back(e.GetString());
        }
        ++answered_;
        break;
      }
      if (a.status == 0)
        ++transportErrors_;
      const bool retry = a.status == 0 || a.status == 503;
      if (!retry || std::chrono::steady_clock::now() - start > plan_.perMessageLimit)
        break;
      std::this_thread::sleep_for(50ms);
    }
    ++finished_;
    if (plan_.pace.count() > 0)
      std::this_thread::sleep_for(plan_.pace);
  }
}

std::string findProgram(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const fs::path p = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(p.c_str(), X_OK) == 0)
      return p.string();
  }
  return "";
}

}  // namespace huitong::integration
