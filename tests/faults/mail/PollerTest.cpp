// The POP3 and IMAP pollers against a real dovecot started here: a generated dovecot.conf in a
// temp dir (127.0.0.1, free ports, passwd-file auth, maildir in the temp dir, ssl = no, log to a
// file), `dovecot -F -c CONF` as a child killed by its pid. Mails are delivered by writing
// maildir files. Every mail reaches the sink exactly once, a refusing sink leaves its mail for
// the next poll, nothing is deleted or flagged before the sink accepted it, an oversized mail
// arrives as its header with the reason, and the password never reaches the log.
// Exits 77 (skipped) only when the dovecot binary is absent.
#define BOOST_TEST_MODULE faults_mail_poller
#define BOOST_TEST_NO_MAIN
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include "gateway/core/Json.h"
#include "gateway/faults/FaultRules.h"
#include "gateway/faults/MailTickets.h"
#include "gateway/faults/mail/MailboxPoller.h"
#include "gateway/registry/RegistryStore.h"

extern char** environ;

using namespace huitong;
using namespace huitong::faults::mail;
namespace fs = std::filesystem;

namespace {

std::string dovecotBinary() {
  for (const char* p : {"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"})
    if (::access(p, X_OK) == 0)
      return p;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':'))
      if (!dir.empty() && ::access((dir + "/dovecot").c_str(), X_OK) == 0)
        return dir + "/dovecot";
  }
  return "";
}

int freePort() {
  Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
  const int port = s.address().port();
  s.close();
  return port;
}

bool accepting(int port) {
  try {
    Poco::Net::StreamSocket s;
    s.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
              Poco::Timespan(0, 200000));
    return true;
  } catch (const Poco::Exception&) {
    return false;
  }
}

// One dovecot for the whole test run, in its own temp dir.
class Dovecot {
 public:
  Dovecot() {
    char tmpl[] = "/tmp/huitong-dovecot-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    // As root, dovecot runs its login and mail processes as its own unprivileged users (it
    // refuses root there); as anyone else, everything runs as the current user.
    uid_t mailUid = ::getuid();
    gid_t mailGid = ::getgid();
    std::string internalUser, internalGroup, loginUser;
    const passwd* me = ::getpwuid(::getuid());
    BOOST_REQUIRE(me != nullptr);
    if (::getuid() == 0) {
      const passwd* dc = ::getpwnam("dovecot");
      const passwd* dn = ::getpwnam("dovenull");
      const passwd* nobody = ::getpwnam("nobody");
      BOOST_REQUIRE(nobody != nullptr);
      internalUser = dc ? "dovecot" : "nobody";
      loginUser = dn ? "dovenull" : "nobody";
      mailUid = dc ? dc->pw_uid : nobody->pw_uid;
      mailGid = dc ? dc->pw_gid : nobody->pw_gid;
      const group* g = ::getgrgid(mailGid);
      BOOST_REQUIRE(g != nullptr);
      internalGroup = g->gr_name;
    } else {
      internalUser = me->pw_name;
      loginUser = me->pw_name;
      const group* g = ::getgrgid(::getgid());
      BOOST_REQUIRE(g != nullptr);
      internalGroup = g->gr_name;
    }
    mailUid_ = mailUid;
    mailGid_ = mailGid;
    imapPort_ = freePort();
    pop3Port_ = freePort();
    while (pop3Port_ == imapPort_)
      pop3Port_ = freePort();
    fs::create_directories(dir_ / "run");
    fs::create_directories(dir_ / "state");
    write(dir_ / "users", "tester:{PLAIN}" + password() + "::::::\n");
    const std::string conf =
        "base_dir = " + (dir_ / "run").string() + "\n" +
        "state_dir = " + (dir_ / "state").string() + "\n" + "instance_name = huitong-test-" +
        std::to_string(::getpid()) + "\n" + "log_path = " + (dir_ / "dovecot.log").string() + "\n" +
        "protocols = imap pop3\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n"
        "auth_mechanisms = plain login\nfirst_valid_uid = 0\n"
        "pop3_uidl_format = %08Xu%08Xv\n" +
        "default_internal_user = " + internalUser + "\ndefault_internal_group = " + internalGroup +
        "\ndefault_login_user = " + loginUser + "\n" +
        "mail_location = maildir:" + (dir_ / "mail").string() + "/%u\n" +
        "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN " + (dir_ / "users").string() +
        "\n}\n" + "userdb {\n  driver = static\n  args = uid=" + std::to_string(mailUid) +
        " gid=" + std::to_string(mailGid) + " home=" + (dir_ / "mail").string() + "/%u\n}\n" +
        "service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n"
        "    port = " +
        std::to_string(imapPort_) +
        "\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}\n"
        "service pop3-login {\n  chroot =\n  inet_listener pop3 {\n    address = 127.0.0.1\n"
        "    port = " +
        std::to_string(pop3Port_) +
        "\n  }\n  inet_listener pop3s {\n    port = 0\n  }\n}\n"
        "service anvil {\n  chroot =\n}\n";
    write(dir_ / "dovecot.conf", conf);
    write(dir_ / "password", password() + "\n");
    for (const char* sub : {"tmp", "new", "cur"})
      fs::create_directories(maildir() / sub);
    own(dir_ / "mail");

    const std::string bin = dovecotBinary();
    const std::string confPath = (dir_ / "dovecot.conf").string();
    std::vector<std::string> args = {bin, "-F", "-c", confPath};
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    const std::string out = (dir_ / "dovecot.out").string();
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    BOOST_REQUIRE(posix_spawn(&pid_, bin.c_str(), &fa, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (!(accepting(imapPort_) && accepting(pop3Port_))) {
      int status = 0;
      BOOST_REQUIRE_MESSAGE(
          ::waitpid(pid_, &status, WNOHANG) == 0,
          "dovecot exited: " + read(dir_ / "dovecot.out") + read(dir_ / "dovecot.log"));
      BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                            "dovecot did not listen: " + read(dir_ / "dovecot.log"));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  ~Dovecot() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (::waitpid(pid_, &status, WNOHANG) == 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static std::string password() { return "Pw-7f3e\"x\\y"; }
  fs::path maildir() const { return dir_ / "mail" / "tester"; }
  std::string log() const { return read(dir_ / "dovecot.log"); }

  MailboxConfig mailbox(const std::string& protocol) const {
    MailboxConfig c;
    c.name = protocol + "-desk";
    c.protocol = protocol;
    c.host = "127.0.0.1";
    c.port = protocol == "pop3" ? pop3Port_ : imapPort_;
    c.username = "tester";
    c.password = password();
    c.passwordSource = "password_file " + (dir_ / "password").string();
    c.timeoutSeconds = 10;
    return c;
  }

  // Delivers like an MDA: written to tmp/, renamed into new/.
  void deliver(const std::string& raw) {
    const std::string name = std::to_string(::time(nullptr)) + ".M" + std::to_string(++seq_) + "P" +
                             std::to_string(::getpid()) + ".huitong-test";
    write(maildir() / "tmp" / name, raw);
    own(maildir() / "tmp" / name);
    fs::rename(maildir() / "tmp" / name, maildir() / "new" / name);
  }

  // Maildir files still in the mailbox (new/ and cur/), with their flags ("" for new/).
  std::map<std::string, std::string> files() const {
    std::map<std::string, std::string> out;
    for (const char* sub : {"new", "cur"})
      for (const auto& e : fs::directory_iterator(maildir() / sub)) {
        const std::string n = e.path().filename().string();
        const std::size_t c = n.find(":2,");
        out[n.substr(0, n.find(':'))] = c == std::string::npos ? "" : n.substr(c + 3);
      }
    return out;
  }

  // A maildir++ folder (".Name"), as an IMAP CREATE would make it.
  void createFolder(const std::string& name) {
    for (const char* sub : {"tmp", "new", "cur"})
      fs::create_directories(maildir() / ("." + name) / sub);
    own(maildir() / ("." + name));
  }

  void clear() {
    for (const char* sub : {"new", "cur"})
      for (const auto& e : fs::directory_iterator(maildir() / sub))
        fs::remove(e.path());
  }

 private:
  static void write(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
  }
  void own(const fs::path& p) const {
    if (::getuid() != 0)
      return;
    BOOST_REQUIRE(::chown(p.c_str(), mailUid_, mailGid_) == 0);
    if (fs::is_directory(p))
      for (const auto& e : fs::recursive_directory_iterator(p))
        BOOST_REQUIRE(::chown(e.path().c_str(), mailUid_, mailGid_) == 0);
  }

  fs::path dir_;
  pid_t pid_ = -1;
  int imapPort_ = 0;
  int pop3Port_ = 0;
  uid_t mailUid_ = 0;
  gid_t mailGid_ = 0;
  int seq_ = 0;
};

Dovecot& server() {
  static Dovecot d;
  return d;
}

std::string mail(const std::string& id, const std::string& subject, const std::string& extra = "",
                 const std::string& body = "Please look at it.\r\n") {
  return "From: Li Si <li@dept.example.cn>\r\nTo: faults@gateway.example.cn\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id + "@dept.example.cn>\r\n" + extra +
         "Date: Tue, 3 Mar 2026 09:15:00 +0800\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
         body;
}

// Records every offered mail; refuses those whose subject holds `refuse`. At each offer it
// notes what the server holds: how many mail files, and how many are flagged \Seen.
struct RecordingSink : MailSink {
  std::vector<IncomingMail> offered;
  std::vector<std::string> accepted;  // message ids
  std::string refuse;
  std::vector<std::pair<std::size_t, std::size_t>> onServer;  // files, flagged seen

  Result<void> accept(const IncomingMail& m) override {
    offered.push_back(m);
    std::size_t seen = 0;
    const auto files = server().files();
    for (const auto& [name, flags] : files)
      if (flags.find('S') != std::string::npos)
        ++seen;
    onServer.emplace_back(files.size(), seen);
    if (!refuse.empty() && m.subject.find(refuse) != std::string::npos)
      return Error{"ticket.store", "the ticket store is down", ""};
    accepted.push_back(m.messageId);
    return {};
  }
};

struct LogLines {
  std::vector<std::string> lines;
  MailLog fn() {
    return [this](const std::string& level, const std::string& msg,
                  const std::vector<std::pair<std::string, std::string>>& fields) {
      std::string l = level + " " + msg;
      for (const auto& [k, v] : fields)
        l += " " + k + "=" + v;
      lines.push_back(l);
    };
  }
  std::string all() const {
    std::string s;
    for (const auto& l : lines)
      s += l + "\n";
    return s;
  }
};

void exactlyOnceAndRetry(const std::string& protocol) {
  Dovecot& d = server();
  d.clear();
  d.deliver(mail("m1-" + protocol, "=?GB2312?B?z7XNs7nK1c8=?= [T-2026-000123]"));
  d.deliver(mail("m2-" + protocol, "Out of office", "Auto-Submitted: auto-replied\r\n"));
  d.deliver(mail("m3-" + protocol, "store down please"));
  RecordingSink sink;
  sink.refuse = "store down";
  LogLines log;
  MailboxPoller poller(d.mailbox(protocol), sink, log.fn());

  PollReport r1 = poller.pollOnce();
  BOOST_TEST_REQUIRE(r1.ok(), r1.error + "\n" + d.log());
  BOOST_TEST(r1.listed == 3u);
  BOOST_TEST(r1.accepted == 2u);
  BOOST_TEST(r1.refused == 1u);
  BOOST_TEST(sink.offered.size() == 3u);
  // Nothing was deleted or marked before acceptance: POP3 deletes at QUIT (all three files
  // there at every offer), IMAP flags each mail after its acceptance (the k-th offer sees at
  // most the mails accepted before it flagged).
  for (std::size_t k = 0; k < sink.onServer.size(); ++k) {
    BOOST_TEST(sink.onServer[k].first == 3u);
    if (protocol == "imap")
      BOOST_TEST(sink.onServer[k].second <= k);
  }
  // The refused mail is still on the server, not flagged; the accepted ones are gone or seen.
  std::size_t unseen = 0;
  for (const auto& [name, flags] : d.files())
    if (flags.find('S') == std::string::npos)
      ++unseen;
  if (protocol == "imap") {
    BOOST_TEST(d.files().size() == 3u);  // flagged \Seen, kept
    BOOST_TEST(unseen == 1u);
  } else {
    BOOST_TEST(d.files().size() == 1u);  // DELE + QUIT
  }
  const IncomingMail* gb = nullptr;
  for (const auto& m : sink.offered)
    if (m.messageId == "m1-" + protocol + "@dept.example.cn")
      gb = &m;
  BOOST_REQUIRE(gb);
  BOOST_TEST(gb->subject == "系统故障 [T-2026-000123]");
  BOOST_TEST(gb->ticketNumber == "T-2026-000123");
  BOOST_TEST(gb->mailbox == protocol + "-desk");
  BOOST_TEST(!gb->uid.empty());
  for (const auto& m : sink.offered)
    if (m.messageId == "m2-" + protocol + "@dept.example.cn")
      BOOST_TEST(m.autoReplyReason == "Auto-Submitted: auto-replied");

  // The store is back: the refused mail comes again, and only it.
  sink.refuse.clear();
  PollReport r2 = poller.pollOnce();
  BOOST_TEST_REQUIRE(r2.ok(), r2.error);
  BOOST_TEST(r2.listed == 1u);
  BOOST_TEST(r2.accepted == 1u);
  PollReport r3 = poller.pollOnce();
  BOOST_TEST(r3.ok());
  BOOST_TEST(r3.listed == 0u);
  std::multiset<std::string> ids(sink.accepted.begin(), sink.accepted.end());
  BOOST_TEST(ids.size() == 3u);
  for (const auto& id : ids)
    BOOST_TEST(ids.count(id) == 1u, id);
  BOOST_TEST(log.all().find(Dovecot::password()) == std::string::npos);
  BOOST_TEST(log.all().find("mail not accepted; left on the server") != std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(pop3_every_mail_once_and_a_refused_one_next_poll) {
  exactlyOnceAndRetry("pop3");
}

BOOST_AUTO_TEST_CASE(imap_every_mail_once_and_a_refused_one_next_poll) {
  exactlyOnceAndRetry("imap");
}

BOOST_AUTO_TEST_CASE(imap_processed_folder_moves_accepted_mail) {
  Dovecot& d = server();
  d.clear();
  d.deliver(mail("mv1", "move me"));
  // The folder must exist: created over IMAP by a first poll's CREATE would hide a typo, so the
  // test creates it as a maildir++ folder.
  d.createFolder("Processed");
  RecordingSink sink;
  MailboxConfig c = d.mailbox("imap");
  c.processedFolder = "Processed";
  MailboxPoller poller(c, sink);
  const PollReport r = poller.pollOnce();
  BOOST_TEST_REQUIRE(r.ok(), r.error + "\n" + d.log());
  BOOST_TEST(r.accepted == 1u);
  BOOST_TEST(d.files().empty());
  std::size_t moved = 0;
  for (const char* sub : {"new", "cur"})
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(d.maildir() / ".Processed" / sub))
      ++moved;
  BOOST_TEST(moved == 1u);
}

BOOST_AUTO_TEST_CASE(oversized_mail_arrives_as_its_header) {
  for (const std::string protocol : {"pop3", "imap"}) {
    Dovecot& d = server();
    d.clear();
    d.deliver(mail("big-" + protocol, "huge log", "", std::string(20000, 'x') + "\r\n"));
    RecordingSink sink;
    MailboxConfig c = d.mailbox(protocol);
    c.maxMessageBytes = 4096;
    MailboxPoller poller(c, sink);
    const PollReport r = poller.pollOnce();
    BOOST_TEST_REQUIRE(r.ok(), r.error);
    BOOST_TEST(r.oversized == 1u);
    BOOST_TEST(r.accepted == 1u);
    BOOST_REQUIRE_EQUAL(sink.offered.size(), 1u);
    const IncomingMail& m = sink.offered[0];
    BOOST_TEST(m.subject == "huge log");
    BOOST_TEST(m.text.empty());
    BOOST_TEST(m.rawSize > 20000u);
    BOOST_TEST(!m.problems.empty());
    BOOST_TEST(m.problems.back().find("over max_message_bytes 4096: only its header") !=
               std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(wrong_password_and_closed_port_are_errors_in_words) {
  Dovecot& d = server();
  d.clear();
  d.deliver(mail("kept", "kept"));
  for (const std::string protocol : {"pop3", "imap"}) {
    RecordingSink sink;
    LogLines log;
    MailboxConfig c = d.mailbox(protocol);
    c.password = "wrong-secret-123";
    MailboxPoller poller(c, sink, log.fn());
    const PollReport r = poller.pollOnce();
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.error.find("refused") != std::string::npos, r.error);
    BOOST_TEST(sink.offered.empty());
    BOOST_TEST(log.all().find("wrong-secret-123") == std::string::npos, log.all());
  }
  BOOST_TEST(d.files().size() == 1u);
  RecordingSink sink;
  MailboxConfig c = d.mailbox("imap");
  c.port = freePort();
  c.timeoutSeconds = 2;
  const PollReport r = MailboxPoller(c, sink).pollOnce();
  BOOST_TEST(r.error.find("connection failed") != std::string::npos, r.error);
}

// The whole intake: mails polled over IMAP from the real dovecot into tickets (MailTickets over a
// real SQLite TicketService): a new mail opens one ticket, its reply is a comment on it, an
// out-of-office reply opens nothing, and a second poll finds nothing left to take.
BOOST_AUTO_TEST_CASE(imap_mail_becomes_tickets_and_comments) {
  Dovecot& d = server();
  d.clear();
  const fs::path dir = d.maildir().parent_path() / "tickets-store";
  fs::create_directories(dir);
  storage::StoreConfig store;
  store.kind = "sqlite";
  store.path = (dir / "store.db").string();
  auto rulesDoc = huitong::json::parse(R"({"groups": [{"name": "app", "members": ["li.na"]}]})");
  BOOST_TEST_REQUIRE(rulesDoc.ok());
  huitong::ConfigNode node(
      rulesDoc.value(), "/faults", [](const std::string& p) { return "faults.json:" + p; }, ".");
  auto rules = huitong::faults::FaultRules::parse(node);
  BOOST_TEST_REQUIRE(rules.ok());
  auto tickets = huitong::faults::TicketStore::open(store);
  BOOST_TEST_REQUIRE(tickets.ok());
  auto trail = huitong::registry::RegistryStore::open(store);
  BOOST_TEST_REQUIRE(trail.ok());
  huitong::SystemClock clock;
  huitong::faults::TicketService service(*tickets.value(), *trail.value(), rules.value(), clock,
                                         huitong::WorkCalendar::china());
  LogLines log;
  huitong::faults::MailTickets sink(service, *tickets.value(), log.fn());

  d.deliver(mail("first", "数据上报失败"));
  d.deliver(mail("reply", "Re: 数据上报失败", "In-Reply-To: <first@dept.example.cn>\r\n",
                 "恢复了。\r\n"));
  d.deliver(mail("away", "Out of office", "Auto-Submitted: auto-replied\r\n"));
  MailboxPoller poller(d.mailbox("imap"), sink, log.fn());
  const PollReport r = poller.pollOnce();
  BOOST_TEST_REQUIRE(r.ok(), r.error + "\n" + log.all());
  BOOST_TEST(r.accepted == 3u);
  auto list = tickets.value()->list(huitong::faults::TicketFilter{});
  BOOST_TEST_REQUIRE(list.ok());
  BOOST_TEST_REQUIRE(list.value().size() == 1u, log.all());
  const auto& t = list.value()[0];
  BOOST_TEST(huitong::faults::toString(t.channel) == std::string("email"));
  BOOST_TEST(t.title == "数据上报失败");
  auto events = tickets.value()->events(t.id);
  BOOST_TEST_REQUIRE(events.ok());
  bool replied = false;
  for (const auto& e : events.value())
    replied = replied || e.text.find("恢复了") != std::string::npos;
  BOOST_TEST(replied);
  BOOST_TEST(log.all().find("automatic mail not turned into a ticket") != std::string::npos,
             log.all());
  const PollReport again = poller.pollOnce();
  BOOST_TEST(again.ok());
  BOOST_TEST(again.accepted == 0u);
}

BOOST_AUTO_TEST_CASE(poll_latency) {
  for (const std::string protocol : {"pop3", "imap"}) {
    Dovecot& d = server();
    d.clear();
    const int n = 100;
    for (int i = 0; i < n; ++i)
      d.deliver(mail("lat-" + protocol + std::to_string(i), "mail " + std::to_string(i)));
    RecordingSink sink;
    MailboxPoller poller(d.mailbox(protocol), sink);
    const auto t0 = std::chrono::steady_clock::now();
    const PollReport r = poller.pollOnce();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST(r.accepted == static_cast<std::size_t>(n));
    const auto t1 = std::chrono::steady_clock::now();
    const PollReport empty = poller.pollOnce();
    const double e = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    BOOST_TEST(empty.listed == 0u);
    BOOST_TEST_MESSAGE(protocol << ": " << n << " mails fetched, accepted and marked in " << s
                                << " s (" << s * 1000 / n << " ms a mail); an empty poll "
                                << e * 1000 << " ms");
  }
}

int main(int argc, char* argv[]) {
  if (dovecotBinary().empty()) {
    std::printf(
        "SKIPPED: dovecot (Debian packages dovecot-core dovecot-pop3d dovecot-imapd) is "
        "not installed\n");
    return 77;
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
