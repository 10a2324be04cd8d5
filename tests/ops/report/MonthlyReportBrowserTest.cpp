// The monthly report's HTML in a real browser: Debian's chromium, headless, loads the page from
// a temp file, takes a PNG screenshot and dumps the DOM. Exit 77 (skipped) without chromium.
//
// "Loaded without errors" is shown two ways. The report itself has no script; the test loads a
// copy with one small script appended that runs after the page was parsed and laid out: it
// counts the <svg> charts, requires each to have a non-empty <title> and a laid-out size, finds
// no "NaN" in any attribute, and only then sets data-check="clean:N" on <html>; a script error
// anywhere (window.onerror) sets data-check="error". --dump-dom prints the DOM after the load,
// so the marker proves the page parsed, laid out and ran the check cleanly. Chromium's own log
// (--enable-logging=stderr --v=0) must also hold no console message (":CONSOLE").
// A month without data has no chart to check (test_ops_report_render covers it): one page,
// two chromium starts, about 12 s on 2 busy cores. Each chromium runs in its own process group with
// a 60 s bound; on timeout that group (only the processes this test started) is killed.
#define BOOST_TEST_MODULE ops_report_browser
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "gateway/ops/report/MonthlyReportRender.h"
#include "tests/ops/report/SampleMonth.h"

extern char** environ;

using namespace huitong::ops::report;
namespace fs = std::filesystem;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

struct Run {
  int exitCode = -1;
  bool timedOut = false;
  std::string out, err;
};

// chromium with the flags of a closed machine, a fresh profile, stdout/stderr to files.
Run chromium(const fs::path& dir, const std::string& name, std::vector<std::string> extra) {
  const fs::path profile = dir / ("profile-" + name);
  fs::create_directories(profile);
  std::vector<std::string> args{kChromium,
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string outPath = (dir / (name + ".out")).string();
  const std::string errPath = (dir / (name + ".err")).string();
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group: a timeout ends it and its children
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, kChromium, &files, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  Run r;
  BOOST_TEST_REQUIRE(rc == 0, "posix_spawn chromium: " << rc);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (true) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid)
      break;
    if (std::chrono::steady_clock::now() > deadline) {
      r.timedOut = true;
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Helpers chromium left in its group (the zygote outlives the browser for a moment).
  kill(-pid, SIGKILL);
  r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(outPath);
  r.err = slurp(errPath);
  return r;
}

std::uint32_t bigEndian32(const std::string& s, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

const char* kCheckScript = R"(<script>
window.addEventListener('error', function () {
  document.documentElement.setAttribute('data-check', 'error');
});
window.addEventListener('load', function () {
  if (document.documentElement.getAttribute('data-check') === 'error') return;
  var svgs = document.querySelectorAll('svg.chart');
  var problems = [];
  svgs.forEach(function (s) {
    var t = s.querySelector('title');
    if (!t || !t.textContent.trim()) problems.push(s.id + ': no title');
    var box = s.getBoundingClientRect();
    if (box.width < 100 || box.height < 100) problems.push(s.id + ': not laid out');
  });
  document.querySelectorAll('*').forEach(function (e) {
    for (var i = 0; i < e.attributes.length; ++i)
      if (/NaN|Infinity/.test(e.attributes[i].value)) problems.push(e.tagName + ' ' + e.attributes[i].name);
  });
  document.documentElement.setAttribute('data-check',
      problems.length ? 'bad:' + problems.join(';') : 'clean:' + svgs.length);
});
</script>
)";

struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("huitong-report-browser-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string withCheck(const std::string& html) {
  std::string copy = html;
  const auto end = copy.rfind("</body>");
  copy.insert(end, kCheckScript);
  return copy;
}

}  // namespace

BOOST_AUTO_TEST_CASE(report_in_headless_chromium) {
  if (access(kChromium, X_OK) != 0) {
    std::cout << "chromium not installed (" << kChromium << "): skipped\n";
    std::exit(77);
  }
  TempDir dir;
  const std::string html = renderHtml(testing::fullMonth(30, 10, 1000));
  write(dir.path / "report.html", html);
  write(dir.path / "checked.html", withCheck(html));

  // The screenshot of the report as it is.
  const auto t0 = std::chrono::steady_clock::now();
  const Run shot = chromium(dir.path, "shot",
                            {"--window-size=1024,2400", "--hide-scrollbars",
                             "--screenshot=" + (dir.path / "report.png").string(),
                             "file://" + (dir.path / "report.html").string()});
  const double shotSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST_REQUIRE(!shot.timedOut);
  BOOST_TEST(shot.exitCode == 0, shot.err);
  const std::string png = slurp(dir.path / "report.png");
  BOOST_TEST_REQUIRE(png.size() > 24u);
  BOOST_TEST(png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0);
  BOOST_TEST(png.compare(12, 4, "IHDR") == 0);
  BOOST_TEST(bigEndian32(png, 16) == 1024u);
  BOOST_TEST(bigEndian32(png, 20) == 2400u);
  // A page of tables and four charts compresses to well over 50 KB; a blank page to ~10 KB.
  BOOST_TEST(png.size() > 50'000u, "png is " << png.size() << " bytes");
  // HUITONG_REPORT_PNG=FILE keeps the screenshot for a person to look at (CI artefact).
  if (const char* keep = std::getenv("HUITONG_REPORT_PNG"); keep != nullptr && *keep != 0)
    write(keep, png);

  // The DOM after load, with the check script's marker and no console message.
  const Run dom = chromium(dir.path, "dom",
                           {"--enable-logging=stderr", "--v=0", "--dump-dom",
                            "file://" + (dir.path / "checked.html").string()});
  BOOST_TEST_REQUIRE(!dom.timedOut);
  BOOST_TEST(dom.exitCode == 0, dom.err);
  BOOST_TEST(dom.out.find("data-check=\"clean:4\"") != std::string::npos,
             dom.out.substr(0, dom.out.find("<head>") + 1) << dom.err);
  BOOST_TEST(dom.err.find(":CONSOLE") == std::string::npos, dom.err);
  for (const char* title :
       {"按类型的故障数 (Faults by type)", "每日可用率 (Daily availability per probe)",
        "每日交换量 (Daily exchange volume)", "资源使用 (Resource usage): db-server"}) {
    BOOST_TEST(dom.out.find(std::string(">") + title + "</title>") != std::string::npos, title);
  }
  std::cout << "chromium screenshot " << shotSeconds << " s, png " << png.size() << " bytes\n";
}
