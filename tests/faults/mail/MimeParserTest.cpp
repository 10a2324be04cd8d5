// The MIME parser on hand-written raw mails: encoded-word subjects and names in GB2312, GBK,
// GB18030, UTF-8 and ISO-8859-1, quoted-printable and base64 bodies, nested multipart, plain
// preferred over HTML, RFC 2231 names, the attachment size limit, malformed MIME (each gives
// a best-effort mail and its problems), thread data and auto-reply detection.
#define BOOST_TEST_MODULE faults_mail
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <string>

#include "gateway/faults/mail/AutoReply.h"
#include "gateway/faults/mail/MimeParser.h"

using namespace huitong::faults::mail;

namespace {

// Raw mails are written with LF here; CRLF is what servers send: crlf() converts.
std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += '\r';
    out += c;
  }
  return out;
}

bool hasProblem(const IncomingMail& m, const std::string& words) {
  return std::any_of(m.problems.begin(), m.problems.end(),
                     [&](const std::string& p) { return p.find(words) != std::string::npos; });
}

std::string problemsOf(const IncomingMail& m) {
  std::string s;
  for (const auto& p : m.problems)
    s += p + " | ";
  return s;
}

const MailParser& parser() {
  static const MailParser p;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(plain_mail_with_folded_headers) {
  const auto m =
      parser().parse(crlf("Return-Path: <li@dept.example.cn>\n"
                          "From: Li Si <li@dept.example.cn>\n"
                          "To: faults@gateway.example.cn, \"Ops Desk\" <ops@gateway.example.cn>\n"
                          "Subject: Interface down since\n"
                          " this morning\n"
                          "Date: Tue, 3 Mar 2026 09:15:00 +0800\n"
                          "Message-ID: <abc.123@dept.example.cn>\n"
                          "\n"
                          "The exchange with the civil affairs system fails.\n"
                          "Please check.\n"));
  BOOST_TEST(m.subject == "Interface down since this morning");
  BOOST_REQUIRE(m.from);
  BOOST_TEST(m.from->name == "Li Si");
  BOOST_TEST(m.from->address == "li@dept.example.cn");
  BOOST_REQUIRE_EQUAL(m.to.size(), 2u);
  BOOST_TEST(m.to[1].name == "Ops Desk");
  BOOST_TEST(m.messageId == "abc.123@dept.example.cn");
  BOOST_TEST(m.text == "The exchange with the civil affairs system fails.\nPlease check.\n");
  BOOST_TEST(m.textSource == "text/plain");
  BOOST_REQUIRE(m.dateUnix);
  BOOST_TEST(*m.dateUnix == 1772500500);  // 2026-03-03T01:15:00Z
  BOOST_TEST(!m.autoReply);
  BOOST_TEST(m.problems.empty(), problemsOf(m));
}

BOOST_AUTO_TEST_CASE(encoded_word_subjects_in_chinese_charsets) {
  const std::string cases[][2] = {
      {"=?GB2312?B?z7XNs7nK1c8=?=", "系统故障"},
      {"=?gbk?B?z7XNs7nK1c8=?=", "系统故障"},
      {"=?GB18030?B?suLK1JUygjY=?=", "测试\xF0\xA0\x80\x80"},
      {"=?UTF-8?B?57O757uf5pWF6Zqc?=", "系统故障"},
      {"=?utf-8?Q?=E6=8A=A5=E4=BF=AE?= [T-2026-000123]", "报修 [T-2026-000123]"},
      {"=?ISO-8859-1?Q?Caf=E9_au_lait?=", "Café au lait"},
      // GBK characters under a GB2312 label (what Outlook and Foxmail send): read as GBK.
      {"=?GB2312?B?1uzpRrv5sajQ3g==?=", "朱镕基报修"},
      // Two encoded words: the space between them is dropped, the one after kept.
      {"=?UTF-8?B?57O757uf?= =?UTF-8?B?5pWF6Zqc?= now", "系统故障 now"},
  };
  for (const auto& c : cases) {
    const auto m = parser().parse(crlf("From: a@b.cn\nSubject: " + c[0] + "\n\nx\n"));
    BOOST_TEST(m.subject == c[1], c[0]);
    BOOST_TEST(m.problems.empty(), c[0] << ": " << problemsOf(m));
  }
  const auto t = parser().parse(
      crlf("From: a@b.cn\nSubject: =?utf-8?Q?=E6=8A=A5=E4=BF=AE?= [T-2026-000123]\n\nx\n"));
  BOOST_TEST(t.ticketNumber == "T-2026-000123");
}

BOOST_AUTO_TEST_CASE(names_in_encoded_words_and_raw_gbk_subject) {
  std::string raw = "From: =?GBK?B?1cXI/Q==?= <zhang@dept.cn>\nSubject: ";
  raw += "\xB9\xCA\xD5\xCF";  // raw GB2312 bytes, no encoded word: 故障
  raw += "\n\nbody\n";
  const auto m = parser().parse(crlf(raw));
  BOOST_REQUIRE(m.from);
  BOOST_TEST(m.from->name == "张三");
  BOOST_TEST(m.subject == "故障");
  BOOST_TEST(hasProblem(m, "Subject: 8-bit text without a usable charset read as GB18030"),
             problemsOf(m));
}

BOOST_AUTO_TEST_CASE(unknown_charset_is_read_best_effort) {
  const auto m =
      parser().parse(crlf("From: a@b.cn\nSubject: =?x-klingon?B?z7XNs7nK1c8=?=\n"
                          "Content-Type: text/plain; charset=x-unheard-of\n\nplain ascii\n"));
  BOOST_TEST(m.subject == "系统故障");
  BOOST_TEST(hasProblem(m, "Subject: unknown charset \"x-klingon\"; read as GB18030"),
             problemsOf(m));
  BOOST_TEST(hasProblem(m, "body: unknown charset \"x-unheard-of\"; read as UTF-8"), problemsOf(m));
  BOOST_TEST(m.text == "plain ascii\n");
}

BOOST_AUTO_TEST_CASE(quoted_printable_and_base64_bodies) {
  const auto qp = parser().parse(
      crlf("From: a@b.cn\nContent-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n"
           "=E6=8A=A5=E4=BF=AE: a long line that is wrapped=\n here, and 1+1=3D2\n"));
  BOOST_TEST(qp.text == "报修: a long line that is wrapped here, and 1+1=2\n");
  BOOST_TEST(qp.problems.empty(), problemsOf(qp));

  const auto b64 = parser().parse(
      crlf("From: a@b.cn\nContent-Type: text/plain; charset=\"gb2312\"\n"
           "Content-Transfer-Encoding: base64\n\nyv2+3b27u7vW0LbPo6zH\n676hv+y0psDtoaM=\n"));
  BOOST_TEST(b64.text == "数据交换中断，请尽快处理。");
  BOOST_TEST(b64.problems.empty(), problemsOf(b64));
}

BOOST_AUTO_TEST_CASE(nested_multipart_prefers_plain_and_keeps_attachments) {
  const auto m = parser().parse(
      crlf("From: a@b.cn\nSubject: nested\nMIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
           "preamble to ignore\n"
           "--outer\n"
           "Content-Type: multipart/alternative; boundary=inner\n\n"
           "--inner\n"
           "Content-Type: text/plain; charset=utf-8\n\n"
           "Plain words.\n"
           "--inner\n"
           "Content-Type: text/html; charset=utf-8\n\n"
           "<p>HTML words.</p>\n"
           "--inner--\n"
           "--outer\n"
           "Content-Type: application/octet-stream; name=\"trace.log\"\n"
           "Content-Disposition: attachment; filename*=utf-8''%E6%97%A5%E5%BF%97%2E%74%78%74\n"
           "Content-Transfer-Encoding: base64\n\n"
           "aGVsbG8gd29ybGQ=\n"
           "--outer\n"
           "Content-Type: image/png\n"
           "Content-Disposition: attachment;\n"
           " filename*0*=UTF-8''%E6%88%AA;\n"
           " filename*1*=%E5%9B%BE.png\n"
           "Content-Transfer-Encoding: base64\n\n"
           "iVBORw0KGgo=\n"
           "--outer--\n"
           "epilogue\n"));
  BOOST_TEST(m.text == "Plain words.");
  BOOST_TEST(m.textSource == "text/plain");
  BOOST_REQUIRE_EQUAL(m.attachments.size(), 2u);
  BOOST_TEST(m.attachments[0].filename == "日志.txt");
  BOOST_TEST(m.attachments[0].content == "hello world");
  BOOST_TEST(m.attachments[0].size == 11u);
  BOOST_TEST(m.attachments[0].contentType == "application/octet-stream");
  BOOST_TEST(m.attachments[1].filename == "截图.png");
  BOOST_TEST(m.attachments[1].size == 8u);
  BOOST_TEST(m.problems.empty(), problemsOf(m));
}

BOOST_AUTO_TEST_CASE(html_only_is_reduced_to_text) {
  const auto m = parser().parse(crlf(
      "From: a@b.cn\nContent-Type: text/html; charset=utf-8\n\n"
      "<html><head><title>t</title><style>p{color:red}</style></head><body>"
      "<p>Dear  desk,</p><p>The <b>exchange</b> fails&nbsp;&amp; stops.<br>Line two "
      "&#25253;&#x4FEE;</p>"
      "<ul><li>one</li><li>two</li></ul><script>alert(1)</script><!-- hidden --></body></html>\n"));
  BOOST_TEST(m.textSource == "text/html");
  BOOST_TEST(m.text == "Dear desk,\n\nThe exchange fails & stops.\nLine two 报修\n\n- one\n- two");
}

BOOST_AUTO_TEST_CASE(oversized_attachment_is_dropped_with_reason) {
  ParseOptions o;
  o.maxAttachmentBytes = 1000;
  const MailParser small(o);
  const std::string big(4000, 'A');  // 3000 decoded bytes
  const auto m = small.parse(
      crlf("From: a@b.cn\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
           "Content-Type: text/plain\n\nsee attached\n--b\n"
           "Content-Type: application/zip\nContent-Disposition: attachment; filename=dump.zip\n"
           "Content-Transfer-Encoding: base64\n\n" +
           big + "\n--b--\n"));
  BOOST_TEST(m.text == "see attached");
  BOOST_REQUIRE_EQUAL(m.attachments.size(), 1u);
  const auto& a = m.attachments[0];
  BOOST_TEST(a.dropped);
  BOOST_TEST(a.size == 3000u);
  BOOST_TEST(a.content.empty());
  BOOST_TEST(a.dropReason.find("dump.zip is 2 KiB (3000 bytes), over the limit of 1000 bytes") !=
                 std::string::npos,
             a.dropReason);
  BOOST_TEST(hasProblem(m, "over the limit"));
}

BOOST_AUTO_TEST_CASE(malformed_mime_gives_best_effort_and_problems) {
  // No closing boundary.
  auto m = parser().parse(crlf(
      "From: a@b.cn\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n"
      "Content-Type: text/plain\n\nfirst part\n--zz\nContent-Type: text/plain\n\ncut off here\n"));
  BOOST_TEST(m.text == "first part\n\ncut off here\n");
  BOOST_TEST(hasProblem(m, "has no closing boundary --zz--"), problemsOf(m));

  // Boundary parameter missing.
  m = parser().parse(crlf("From: a@b.cn\nContent-Type: multipart/mixed\n\nsome text\n"));
  BOOST_TEST(m.text == "some text\n");
  BOOST_TEST(hasProblem(m, "has no boundary parameter"), problemsOf(m));

  // Boundary declared but never used.
  m = parser().parse(
      crlf("From: a@b.cn\nContent-Type: multipart/mixed; boundary=qq\n\nno parts\n"));
  BOOST_TEST(m.text == "no parts\n");
  BOOST_TEST(hasProblem(m, "never appears"), problemsOf(m));

  // Bad base64.
  m = parser().parse(crlf(
      "From: a@b.cn\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\naGVs!!bG8=\n"));
  BOOST_TEST(m.text == "hello");
  BOOST_TEST(hasProblem(m, "2 characters outside the base64 alphabet"), problemsOf(m));

  // No Content-Type, 8-bit GBK body.
  m = parser().parse(crlf("From: a@b.cn\nSubject: x\n\n\xB9\xCA\xD5\xCF\n"));
  BOOST_TEST(m.text == "故障\n");
  BOOST_TEST(hasProblem(m, "no Content-Type: 8-bit body read as text/plain"), problemsOf(m));
  BOOST_TEST(hasProblem(m, "read as GB18030"), problemsOf(m));

  // No blank line between header and body, a garbage header, no From.
  m = parser().parse(crlf("Subject: hi\nthis is not a header\nmore\n"));
  BOOST_TEST(m.subject == "hi");
  BOOST_TEST(m.text == "this is not a header\nmore\n");
  BOOST_TEST(hasProblem(m, "line 2 of the header is not a header field"), problemsOf(m));
  BOOST_TEST(hasProblem(m, "no From header"), problemsOf(m));

  // Empty input, binary garbage, a bad encoded word.
  m = parser().parse("");
  BOOST_TEST(hasProblem(m, "no header fields"));
  m = parser().parse(std::string("\x00\xFF\xFE=?\r\n\r\n", 9));
  BOOST_TEST(!m.problems.empty());
  m = parser().parse(crlf("From: a@b.cn\nSubject: =?UTF-8?B?5pW!!F6Zqc?=\n\nx\n"));
  BOOST_TEST(hasProblem(m, "is damaged"), problemsOf(m));

  // Nesting deeper than the limit stops there.
  std::string deep = "From: a@b.cn\nContent-Type: multipart/mixed; boundary=b0\n\n";
  for (int i = 0; i < 40; ++i)
    deep += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" +
            std::to_string(i + 1) + "\n\n";
  m = parser().parse(crlf(deep));
  BOOST_TEST(hasProblem(m, "nested deeper than 16 levels"), problemsOf(m));
}

BOOST_AUTO_TEST_CASE(thread_matching_data) {
  const auto m =
      parser().parse(crlf("From: a@b.cn\nSubject: Re: [T-2026-000123] 数据 stuck\n"
                          "Message-ID: <r2@b.cn>\nIn-Reply-To: <t-2026-000123.1@gateway.cn>\n"
                          "References: <root@b.cn>\n <t-2026-000123.1@gateway.cn>\n\nok\n"));
  BOOST_TEST(m.messageId == "r2@b.cn");
  BOOST_TEST(m.inReplyTo == "t-2026-000123.1@gateway.cn");
  BOOST_REQUIRE_EQUAL(m.references.size(), 2u);
  BOOST_TEST(m.references[0] == "root@b.cn");
  BOOST_TEST(m.ticketNumber == "T-2026-000123");

  BOOST_TEST(checkTicketPattern(R"(#([0-9]+))").ok());
  BOOST_TEST(!checkTicketPattern("[T-").ok());
  BOOST_TEST(!checkTicketPattern("T-[0-9]+").ok());  // no capture group
  ParseOptions o;
  o.ticketPattern = R"(#([0-9]+))";
  BOOST_TEST(MailParser(o).parse("Subject: about #4711\r\n\r\n").ticketNumber == "4711");
}

BOOST_AUTO_TEST_CASE(auto_replies_by_headers) {
  const std::string cases[][2] = {
      {"Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"},
      {"Precedence: bulk", "Precedence: bulk"},
      {"Precedence: junk", "Precedence: junk"},
      {"Precedence: list", "Precedence: list"},
      {"X-Autoreply: yes", "X-Autoreply: yes"},
      {"X-Autorespond: vacation", "X-Autorespond: vacation"},
      {"Return-Path: <>", "Return-Path: <> (a bounce or delivery report)"},
  };
  for (const auto& c : cases) {
    const auto m =
        parser().parse(crlf("From: a@b.cn\n" + c[0] + "\nSubject: Out of office\n\nx\n"));
    BOOST_TEST(m.autoReply, c[0]);
    BOOST_TEST(m.autoReplyReason == c[1]);
  }
  BOOST_TEST(!parser().parse(crlf("From: a@b.cn\nAuto-Submitted: no\n\nx\n")).autoReply);
  BOOST_TEST(!parser().parse(crlf("From: a@b.cn\nPrecedence: first-class\n\nx\n")).autoReply);
}

BOOST_AUTO_TEST_CASE(sender_over_the_rate_is_a_loop) {
  SenderRateGuard guard(3, 600);
  BOOST_TEST(!guard.note("Bot@Dept.cn", 1000));
  BOOST_TEST(!guard.note("bot@dept.cn", 1100));
  BOOST_TEST(!guard.note("other@dept.cn", 1150));
  BOOST_TEST(!guard.note("bot@dept.cn", 1200));
  const auto r = guard.note("bot@dept.cn", 1300);
  BOOST_REQUIRE(r);
  BOOST_TEST(*r == "sender bot@dept.cn sent 4 mails in 600 s (limit 3): an auto-reply loop");
  BOOST_TEST(!guard.note("bot@dept.cn", 1000 + 600 + 1000));  // the window has passed
}

BOOST_AUTO_TEST_CASE(parse_throughput) {
  std::string raw =
      "From: =?GB2312?B?1cXI/Q==?= <zhang@dept.cn>\nSubject: =?GB2312?B?z7XNs7nK1c8=?=\n"
      "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain; charset=gb2312\nContent-Transfer-Encoding: base64\n\n";
  for (int i = 0; i < 40; ++i)
    raw += "yv2+3b27u7vW0LbPo6zH676hv+y0psDtoaM=\n";
  raw +=
      "--b\nContent-Type: application/octet-stream; name=a.bin\nContent-Transfer-Encoding: "
      "base64\n\n";
  for (int i = 0; i < 400; ++i)
    raw += "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n";
  raw += "--b--\n";
  raw = crlf(raw);
  const int n = 2000;
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t chars = 0;
  for (int i = 0; i < n; ++i)
    chars += parser().parse(raw).text.size();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  BOOST_TEST(chars > 0u);
  BOOST_TEST_MESSAGE("parsed " << n << " mails of " << raw.size() << " bytes in " << s << " s: "
                               << n / s << " mails/s, " << (n * raw.size() / s / 1e6) << " MB/s");
}
