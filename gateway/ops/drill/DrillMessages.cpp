#include "gateway/ops/drill/DrillMessages.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "gateway/auth/HttpSignatures.h"
#include "gateway/core/ConfigNode.h"
#include "gateway/core/Json.h"
#include "gateway/mapping/PositionedJson.h"
#include "gateway/ops/drill/DrillHttp.h"
#include "sandbox/simulator/Simulator.h"

namespace fs = std::filesystem;

namespace huitong::ops::drill {

namespace {

Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{"drill.io", "cannot read " + path, path};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A few names for the drill's applicants (any valid name passes the mappings).
const char* const kNames[] = {"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏"};

}  // namespace

struct DepartmentSender::Impl {
  std::string system;
  std::string url;
  std::string statusUrlBase;  // gateway base + /intake/v1/{system}/messages/
  std::string contentType;
  std::string soapAction;
  std::string caseNoPattern;
  std::string firstStage;  // the template of the script's first stage
  std::string runTag;
  std::unique_ptr<auth::Signer> signer;

  // Signs `req` and sends it; answers as httpCall does.
  HttpReply signedCall(auth::SignedRequest req, const Clock& clock, long timeoutMillis) const {
    if (auto r = signer->sign(req, clock); !r.ok())
      return HttpReply{0, "", "signing failed: " + r.error().message};
    HeaderList headers(req.headers.begin(), req.headers.end());
    if (!soapAction.empty() && req.method == "POST")
      headers.emplace_back("SOAPAction", "\"" + soapAction + "\"");
    return httpCall(req.method, req.targetUri, req.body, headers, timeoutMillis);
  }
};

IntakeReceipt parseIntakeReceipt(const std::string& body) {
  IntakeReceipt r;
  auto doc = json::parse(body);
  if (doc.ok()) {
    const auto& d = doc.value();
    if (d.IsObject() && d.HasMember("message_id") && d["message_id"].IsString()) {
      r.messageId = d["message_id"].GetString();
      if (d.HasMember("events") && d["events"].IsArray()) {
        for (const auto& e : d["events"].GetArray()) {
          if (e.IsString())
            r.eventIds.emplace_back(e.GetString());
        }
      }
    }
    return r;
  }
  // soap11 answers <Code>0</Code><Message>OK {message id}</Message>. (Plain string search:
  // std::regex trips GCC 12's maybe-uninitialized under the sanitizer build.)
  const auto code = body.find("<Code>0</Code>");
  if (code == std::string::npos)
    return r;
  const std::string open = "<Message>OK ";
  const auto at = body.find(open, code);
  if (at == std::string::npos)
    return r;
  const auto from = at + open.size();
  auto end = from;
  while (end < body.size() && body[end] != '<' &&
         !std::isspace(static_cast<unsigned char>(body[end])))
    ++end;
  if (end > from && body.compare(end, 10, "</Message>") == 0)
    r.messageId = body.substr(from, end - from);
  return r;
}

std::string makeRunTag(EpochMillis now) {
  char ms[8];
  std::snprintf(ms, sizeof ms, "%02d", static_cast<int>((now % 1000) / 10));
  return "D" + simulator::formatTime(now, "HHmmss") + ms;
}

Result<DepartmentSender> DepartmentSender::fromSimulatorConfig(const std::string& file,
                                                               const std::string& system,
                                                               const std::string& gatewayUrl,
                                                               const std::string& runTag) {
  const bool tagOk = !runTag.empty() && runTag.size() <= 16 &&
                     std::all_of(runTag.begin(), runTag.end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) != 0;
                     });
  if (!tagOk)
    return Error{"drill.usage", "the run tag is 1-16 letters or digits", ""};
  auto text = readText(file);
  if (!text.ok())
    return text.error();
  auto parsed = mapping::PositionedJson::parse(text.value(), file);
  if (!parsed.ok())
    return parsed.error();
  const auto& config = parsed.value();
  const std::string base = fs::path(file).parent_path().string();
  const ConfigNode root(
      config.root(), "", [&config](const std::string& p) { return config.where(p); },
      base.empty() ? "." : base);
  auto scripts = root.requiredString("scripts");
  if (!scripts.ok())
    return scripts.error();
  auto departments = root.object("departments", true);
  if (!departments.ok())
    return departments.error();
  if (!departments.value().has(system)) {
    std::string known;
    for (auto it = departments.value().value().MemberBegin();
         it != departments.value().value().MemberEnd(); ++it)
      known += std::string(known.empty() ? "" : ", ") + it->name.GetString();
    return departments.value().fail("", "no department '" + system + "' (it has: " + known + ")");
  }
  auto node = departments.value().object(system, true);
  if (!node.ok())
    return node.error();
  const ConfigNode& c = node.value();
  auto via = c.string("via", "http");
  if (!via.ok())
    return via.error();
  if (via.value() != "http") {
    return c.fail("via", system + " sends via " + via.value() +
                             ": the drill sends only departments that call the intake (via http)");
  }
  auto block = simulator::readHttpDepartment(c, system);
  if (!block.ok())
    return block.error();
  auto impl = std::make_shared<Impl>();
  impl->system = system;
  impl->contentType = block.value().contentType;
  impl->soapAction = block.value().soapAction;
  impl->runTag = runTag;
  std::string gateway = gatewayUrl;
  while (!gateway.empty() && gateway.back() == '/')
    gateway.pop_back();
  try {
    impl->url = gateway + Poco::URI(block.value().url).getPathEtc();
  } catch (const Poco::Exception& e) {
    return c.fail("url", "not a URL: " + e.displayText());
  }
  impl->statusUrlBase = gateway + "/intake/v1/" + system + "/messages/";
  impl->signer = std::move(block.value().signer);

  const fs::path dir = fs::path(root.resolvePath(scripts.value())) / system;
  const std::string scriptFile = (dir / "script.json").string();
  auto scriptText = readText(scriptFile);
  if (!scriptText.ok())
    return scriptText.error();
  auto script = mapping::PositionedJson::parse(scriptText.value(), scriptFile);
  if (!script.ok())
    return script.error();
  const auto& s = script.value();
  const ConfigNode scriptNode(
      s.root(), "", [&s](const std::string& p) { return s.where(p); }, dir.string());
  auto caseNo = scriptNode.requiredString("case_no");
  if (!caseNo.ok())
    return caseNo.error();
  impl->caseNoPattern = caseNo.value();
  if (!s.root().HasMember("stages") || !s.root()["stages"].IsArray() ||
      s.root()["stages"].Empty() || !s.root()["stages"][0].IsString()) {
    return scriptNode.fail("stages", "an http department's stages are a non-empty list of files");
  }
  auto stage = readText((dir / s.root()["stages"][0].GetString()).string());
  if (!stage.ok())
    return stage.error();
  impl->firstStage = stage.value();
  return DepartmentSender(std::move(impl));
}

const std::string& DepartmentSender::system() const {
  return impl_->system;
}

const std::string& DepartmentSender::url() const {
  return impl_->url;
}

Result<std::string> DepartmentSender::body(int index, EpochMillis now, std::string* caseNo) const {
  simulator::Variables v;
  char serial[8];
  std::snprintf(serial, sizeof serial, "%03d", index % 1000);
  v.set("serial", impl_->runTag + serial);
  auto number = v.fill(impl_->caseNoPattern, now);
  if (!number.ok())
    return number.error();
  v.set("case_no", number.value());
  const int n = static_cast<int>(sizeof kNames / sizeof kNames[0]);
  v.set("name", kNames[index % n]);
  v.set("name2", kNames[(index + 3) % n]);
  v.set("id_no", simulator::residentId(1980 + index % 15, 1 + index % 12, 1 + index % 28, index));
  v.set("id_no2",
        simulator::residentId(1982 + index % 15, 1 + (index + 5) % 12, 1 + index % 28, index + 1));
  v.set("id_no_elder",
        simulator::residentId(1936 + index % 9, 1 + index % 12, 1 + index % 28, index));
  v.set("mobile", "139" + std::to_string(10000000 + index % 90000000));
  v.set("count", "1");
  if (caseNo)
    *caseNo = number.value();
  return v.fill(impl_->firstStage, now);
}

DrillSend DepartmentSender::send(int index, const Clock& clock, long timeoutMillis) const {
  DrillSend out;
  out.index = index;
  out.sentAt = clock.now();
  auto text = body(index, out.sentAt, &out.caseNo);
  if (!text.ok()) {
    out.error = text.error().describe();
    return out;
  }
  auth::SignedRequest req;
  req.method = "POST";
  req.targetUri = impl_->url;
  req.body = text.value();
  auth::addHeader(req, "content-type", impl_->contentType);
  const HttpReply r = impl_->signedCall(req, clock, timeoutMillis);
  out.status = r.status;
  if (r.status == 0) {
    out.error = r.error;
    return out;
  }
  if (r.status < 200 || r.status >= 300) {
    out.error = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
    return out;
  }
  IntakeReceipt receipt = parseIntakeReceipt(r.body);
  out.messageId = receipt.messageId;
  out.eventIds = std::move(receipt.eventIds);
  if (out.messageId.empty()) {
    out.error = "HTTP " + std::to_string(r.status) + " without a receipt: " + r.body.substr(0, 300);
    return out;
  }
  if (out.eventIds.empty()) {
    auth::SignedRequest get;
    get.method = "GET";
    get.targetUri = impl_->statusUrlBase + out.messageId;
    const HttpReply st = impl_->signedCall(get, clock, timeoutMillis);
    auto doc = json::parse(st.body);
    if (st.status == 200 && doc.ok() && doc.value().IsObject() && doc.value().HasMember("events") &&
        doc.value()["events"].IsArray()) {
      for (const auto& e : doc.value()["events"].GetArray()) {
        if (e.IsObject() && e.HasMember("event_id") && e["event_id"].IsString())
          out.eventIds.emplace_back(e["event_id"].GetString());
      }
    }
    if (out.eventIds.empty()) {
      out.error = "message " + out.messageId + " was answered without events (status " +
                  std::to_string(st.status) + ": " +
                  (st.status ? st.body.substr(0, 200) : st.error) + ")";
    }
  }
  return out;
}

}  // namespace huitong::ops::drill
