// The platform's pages as the probe tests see them: a home page, an applicant login with a
// per-session CSRF token and a session cookie, a function page behind the login, an admin
// login, a JSON status, and ways to break each (see kUsage). Loopback only, port 0; the first
// line on stdout is "listening http(s)://127.0.0.1:PORT". Stops on SIGTERM or SIGINT.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTMLForm.h>
#include <Poco/Net/HTTPCookie.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NameValueCollection.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

namespace {

constexpr const char* kUsage =
    "usage: probe_webapp [--tls-cert PEM --tls-key PEM] [--mode MODE]\n"
    "modes (also POST /_mode?set=MODE): normal, login-fails (every login answers 200 with\n"
    "'用户名或密码错误'), wrong-csrf (every CSRF token is refused with 403), slow (every page\n"
    "waits 1500 ms, or ?ms= of /_mode)\n"
    "pages: / /api/status /login /home /items /admin/login /admin/dashboard\n"
    "faults: /hang (never answers) /slow?ms=N /huge (2 GiB) /loop/a (a<->b) /redirects/N\n"
    "accounts: zhangsan / Secret-123 (applicant), admin / Admin-456 (admin)\n";

std::atomic<bool> stopping{false};

struct Session {
  std::string csrf;
  std::string user;  // empty: not logged in
  bool admin = false;
};

class App {
 public:
  std::mutex mu;
  std::map<std::string, Session> sessions;
  std::string mode = "normal";
  int slowMs = 1500;

  std::string token() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static const char* const kHex = "0123456789abcdef";
    std::string t;
    for (int i = 0; i < 32; ++i)
      t += kHex[rng() & 15];
    return t;
  }
};

App app;

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title +
         "</title></head><body>" + body + "</body></html>";
}

void send(Poco::Net::HTTPServerResponse& res, int status, const std::string& body,
          const std::string& type = "text/html; charset=utf-8") {
  res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.setContentType(type);
  res.set("X-Frame-Options", "DENY");
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void redirect(Poco::Net::HTTPServerResponse& res, const std::string& to, int status = 302) {
  res.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  res.set("Location", to);
  res.setContentLength(0);
  res.send();
}

void sleepUnlessStopping(int ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!stopping && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string loginForm(const std::string& action, const std::string& csrf,
                      const std::string& message) {
  return page("登录", "<h1>用户登录</h1>" + message + "<form method=\"post\" action=\"" + action +
                          "\">"
                          "<meta name=\"csrf-token\" content=\"" +
                          csrf +
                          "\">"
                          "<input type=\"hidden\" name=\"csrf_token\" value=\"" +
                          csrf +
                          "\">"
                          "<input type=\"text\" name=\"username\"><input type=\"password\" "
                          "name=\"password\"><button type=\"submit\">登录</button></form>");
}

class Handler : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& res) override {
    const Poco::URI uri(req.getURI());
    const std::string path = uri.getPath();
    std::string mode;
    int slowMs = 0;
    {
      std::lock_guard<std::mutex> lock(app.mu);
      mode = app.mode;
      slowMs = app.slowMs;
    }
    if (path == "/_mode" && req.getMethod() == "POST") {
      std::string set = "normal", ms;
      for (const auto& [k, v] : uri.getQueryParameters()) {
        if (k == "set")
          set = v;
        if (k == "ms")
          ms = v;
      }
      std::lock_guard<std::mutex> lock(app.mu);
      app.mode = set;
      if (!ms.empty())
        app.slowMs = std::stoi(ms);
      send(res, 200, "mode " + set + "\n", "text/plain");
      return;
    }
    if (mode == "slow")
      sleepUnlessStopping(slowMs);
    Poco::Net::NameValueCollection cookies;
    req.getCookies(cookies);
    const std::string sid = cookies.get("SID", "");

    if (path == "/") {
      send(res, 200,
           page("一网通办",
                "<h1>一网通办 测试门户</h1><a href=\"/login\">登录</a> "
                "<a href=\"/admin/login\">管理登录</a>"));
    } else if (path == "/api/status") {
      send(res, 200, R"({"status":"up","version":"1.2.0","items":[{"name":"婚姻登记"}]})",
           "application/json");
    } else if ((path == "/login" || path == "/admin/login") && req.getMethod() == "GET") {
      std::string id = sid, csrf;
      {
        std::lock_guard<std::mutex> lock(app.mu);
        if (id.empty() || !app.sessions.count(id)) {
          id = app.token();
          app.sessions[id] = Session{};
        }
        csrf = app.sessions[id].csrf = app.token();
      }
      Poco::Net::HTTPCookie c("SID", id);
      c.setPath("/");
      c.setHttpOnly(true);
      res.addCookie(c);
      send(res, 200, loginForm(path, csrf, ""));
    } else if ((path == "/login" || path == "/admin/login") && req.getMethod() == "POST") {
      Poco::Net::HTMLForm form(req, req.stream());
      const bool admin = path == "/admin/login";
      std::string csrf;
      bool known = false;
      {
        std::lock_guard<std::mutex> lock(app.mu);
        if (auto it = app.sessions.find(sid); it != app.sessions.end()) {
          known = true;
          csrf = it->second.csrf;
        }
      }
      if (!known || mode == "wrong-csrf" || form.get("csrf_token", "") != csrf || csrf.empty()) {
        send(res, 403, page("禁止", "<h1>CSRF 校验失败</h1>"));
        return;
      }
      const std::string user = form.get("username", "");
      const std::string pass = form.get("password", "");
      const bool good =
          mode != "login-fails" && (admin ? user == "admin" && pass == "Admin-456"
                                          : user == "zhangsan" && pass == "Secret-123");
      if (!good) {
        send(res, 200, loginForm(path, csrf, "<p class=\"error\">用户名或密码错误</p>"));
        return;
      }
      // A fresh session id at login (no fixation); the old one is gone.
      std::string fresh;
      {
        std::lock_guard<std::mutex> lock(app.mu);
        app.sessions.erase(sid);
        fresh = app.token();
        app.sessions[fresh] = Session{"", user, admin};
      }
      Poco::Net::HTTPCookie c("SID", fresh);
      c.setPath("/");
      c.setHttpOnly(true);
      res.addCookie(c);
      redirect(res, admin ? "/admin/dashboard" : "/home");
    } else if (path == "/home" || path == "/items" || path == "/admin/dashboard") {
      Session s;
      {
        std::lock_guard<std::mutex> lock(app.mu);
        if (auto it = app.sessions.find(sid); it != app.sessions.end())
          s = it->second;
      }
      const bool adminPage = path == "/admin/dashboard";
      if (s.user.empty() || (adminPage && !s.admin)) {
        redirect(res, adminPage ? "/admin/login" : "/login");
        return;
      }
      if (path == "/home")
        send(res, 200,
             page("首页", "<h1>欢迎您，" + s.user + "</h1><a href=\"/items\">事项查询</a>"));
      else if (path == "/items")
        send(res, 200,
             page("事项查询",
                  "<h2>事项查询</h2><table><tr><td>婚姻登记</td><td>已受理</td>"
                  "</tr></table>"));
      else
        send(res, 200, page("管理后台", "<h1>管理后台</h1><p>系统运行正常</p>"));
    } else if (path == "/hang") {
      sleepUnlessStopping(120000);
      send(res, 200, "late");
    } else if (path == "/slow") {
      int ms = 1000;
      for (const auto& [k, v] : uri.getQueryParameters())
        if (k == "ms")
          ms = std::stoi(v);
      sleepUnlessStopping(ms);
      send(res, 200, page("slow", "<p>slow page</p>"));
    } else if (path == "/huge") {
      res.setChunkedTransferEncoding(true);
      res.setContentType("text/plain");
      std::ostream& out = res.send();
      const std::string block(64 * 1024, 'x');
      for (long long sent = 0; sent < (2LL << 30) && out.good() && !stopping;
           sent += static_cast<long long>(block.size()))
        out << block;
    } else if (path == "/loop/a") {
      redirect(res, "/loop/b");
    } else if (path == "/loop/b") {
      redirect(res, "/loop/a");
    } else if (path.rfind("/redirects/", 0) == 0) {
      const int n = std::stoi(path.substr(11));
      if (n <= 0)
        send(res, 200, page("arrived", "<p>arrived</p>"));
      else
        redirect(res, "/redirects/" + std::to_string(n - 1));
    } else {
      send(res, 404, page("404", "<h1>not found</h1>"));
    }
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Handler;
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string cert, key;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--tls-cert" && i + 1 < argc) {
      cert = argv[++i];
    } else if (a == "--tls-key" && i + 1 < argc) {
      key = argv[++i];
    } else if (a == "--mode" && i + 1 < argc) {
      app.mode = argv[++i];
    } else {
      std::cerr << kUsage;
      return a == "--help" ? 0 : 2;
    }
  }
  // Signals are taken by sigwait below, never by a server thread.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  try {
    const Poco::Net::SocketAddress address("127.0.0.1", 0);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (!cert.empty()) {
      Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
          Poco::Net::Context::TLS_SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE);
      socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 64, ctx);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>(address, 64);
    }
    const unsigned port = socket->address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(false);
    params->setMaxThreads(32);
    Poco::ThreadPool pool(2, 32);
    Poco::Net::HTTPServer server(new Factory, pool, *socket, params);
    server.start();
    std::cout << "listening " << (cert.empty() ? "http" : "https") << "://127.0.0.1:" << port
              << std::endl;
    int sig = 0;
    sigwait(&stopSignals, &sig);
    stopping = true;
    server.stopAll(true);
    pool.joinAll();
  } catch (const Poco::Exception& e) {
    std::cerr << "probe_webapp: " << e.displayText() << "\n";
    return 1;
  }
  return 0;
}
