// Contract test: docs/openapi.yaml against the real `huitong serve` (SQLite store, delivering to
// the real `huitong mock-platform`). The spec, converted to JSON by CTest (fixture
// openapi_json), is walked: every (path, method) is sent once, built from the spec alone —
// path, query and header parameters from their `example`, the body from the first media type
// of the request body that has an `example`, credentials from the operation's `security` (a
// fresh staff login for `bearer`, an RFC 9421 signature for `httpSignature`). The answer must
// be one the operation documents: its status among the responses, its media type among that
// response's content types, a problem+json body a problem (type, title, status, detail).
// An operation the gateway does not serve fails whatever it documents (the router's 404 "no
// such resource", a 405 whose Allow leaves the method out). Each operation with credentials is
// also sent without them: 401 must be documented. A new endpoint is covered by its spec entry
// (with examples for its path parameters and body).
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <Poco/URI.h>
#include <rapidjson/document.h>
#include <boost/test/unit_test.hpp>

#include "gateway/core/Json.h"
#include "tests/integration/Harness.h"

using namespace huitong::integration;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace json = huitong::json;

namespace {

const std::string kOpsToken = "it-ops-token";  // what gatewayConfigJson writes

// The spec as JSON, written by the openapi_json CTest fixture.
rapidjson::Document loadSpec() {
  const std::string text = readFile(HUITONG_OPENAPI_JSON);
  BOOST_TEST_REQUIRE(!text.empty(), "no " HUITONG_OPENAPI_JSON
                                    ": run through ctest (fixture "
                                    "openapi_json converts docs/openapi.yaml)");
  auto d = json::parse(text);
  if (!d.ok())
    BOOST_FAIL(HUITONG_OPENAPI_JSON ": " + d.error().describe());
  return std::move(d).value();
}

std::string str(const rapidjson::Value& v, const char* member) {
  if (!v.IsObject())
    return "";
  const auto it = v.FindMember(member);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

// `value` followed through "$ref": "#/a/b~1c" within `root`.
const rapidjson::Value& deref(const rapidjson::Value& root, const rapidjson::Value& value) {
  const rapidjson::Value* v = &value;
  for (int hops = 0; v->IsObject() && v->HasMember("$ref") && hops < 16; ++hops) {
    const std::string ref = (*v)["$ref"].GetString();
    BOOST_TEST_REQUIRE(ref.rfind("#/", 0) == 0, "only local $ref: " + ref);
    const rapidjson::Value* at = &root;
    std::size_t start = 2;
    while (start <= ref.size()) {
      auto end = ref.find('/', start);
      if (end == std::string::npos)
        end = ref.size();
      std::string name = ref.substr(start, end - start);
      for (std::size_t i; (i = name.find("~1")) != std::string::npos;)
        name.replace(i, 2, "/");
      for (std::size_t i; (i = name.find("~0")) != std::string::npos;)
        name.replace(i, 2, "~");
      BOOST_TEST_REQUIRE((at->IsObject() && at->HasMember(name.c_str())), "broken $ref " + ref);
      at = &(*at)[name.c_str()];
      start = end + 1;
    }
    v = at;
  }
  return *v;
}

// An example value as request text: strings as they are, anything else as JSON.
std::string exampleText(const rapidjson::Value& v) {
  return v.IsString() ? std::string(v.GetString(), v.GetStringLength()) : json::write(v);
}

std::string encode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "/?#[]@!$&'()*+,;=:% ", out);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string mediaType(const std::string& contentType) {
  std::string m = lower(contentType.substr(0, contentType.find(';')));
  while (!m.empty() && m.back() == ' ')
    m.pop_back();
  return m;
}

enum class Credential { kNone, kBearer, kSignature };

struct Operation {
  std::string name;  // "POST /intake/v1/{system} (submitMessage)"
  std::string method;
  std::string target;  // the path filled in, with the query
  std::string system;  // the {system} path parameter ("" when none)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string contentType;
  Credential credential = Credential::kNone;
  // Documented statuses ("200", "4XX", "default") and each one's media types.
  std::map<std::string, std::set<std::string>> responses;
};

std::vector<Operation> operationsOf(const rapidjson::Document& spec) {
  std::vector<Operation> ops;
  const auto& paths = spec["paths"];
  static const char* kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options"};
  for (auto p = paths.MemberBegin(); p != paths.MemberEnd(); ++p) {
    const std::string pathTemplate = p->name.GetString();
    const auto& item = deref(spec, p->value);
    for (const char* method : kMethods) {
      if (!item.HasMember(method))
        continue;
      const auto& op = item[method];
      Operation o;
      o.method = lower(method);
      for (char& c : o.method)
        c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
      o.name = o.method + " " + pathTemplate + " (" + str(op, "operationId") + ")";

      // Parameters: the path item's, overridden by the operation's of the same name and place.
      std::map<std::pair<std::string, std::string>, const rapidjson::Value*> params;
      for (const auto* owner : {&item, &op}) {
        if (!owner->HasMember("parameters"))
          continue;
        for (const auto& raw : (*owner)["parameters"].GetArray()) {
          const auto& prm = deref(spec, raw);
          params[{str(prm, "in"), str(prm, "name")}] = &prm;
        }
      }
      std::string path = pathTemplate;
      std::string query;
      for (const auto& [key, prm] : params) {
        const auto& [in, name] = key;
        const bool hasExample = prm->HasMember("example");
        if (in == "path") {
          BOOST_TEST_REQUIRE(hasExample, o.name + ": path parameter " + name + " has no example");
          const std::string value = exampleText((*prm)["example"]);
          const auto at = path.find("{" + name + "}");
          BOOST_TEST_REQUIRE(at != std::string::npos, o.name + ": {" + name + "} not in the path");
          path.replace(at, name.size() + 2, encode(value));
          if (name == "system")
            o.system = value;
        } else if (in == "query" && hasExample) {
          query += (query.empty() ? "?" : "&") + encode(name) + "=" +
                   encode(exampleText((*prm)["example"]));
        } else if (in == "header" && hasExample) {
          o.headers.emplace_back(name, exampleText((*prm)["example"]));
        }
      }
      o.target = path + query;

      if (op.HasMember("requestBody")) {
        const auto& rb = deref(spec, op["requestBody"]);
        if (rb.HasMember("content")) {
          for (auto m = rb["content"].MemberBegin(); m != rb["content"].MemberEnd(); ++m) {
            const auto& media = deref(spec, m->value);
            if (media.HasMember("example")) {
              o.contentType = m->name.GetString();
              o.body = exampleText(media["example"]);
              break;
            }
          }
        }
      }

      const auto& security = op.HasMember("security") ? op["security"] : spec["security"];
      for (const auto& requirement : security.GetArray()) {
        if (requirement.HasMember("bearer")) {
          o.credential = Credential::kBearer;
          break;
        }
        if (requirement.HasMember("httpSignature")) {
          o.credential = Credential::kSignature;
          break;
        }
      }

      for (auto r = op["responses"].MemberBegin(); r != op["responses"].MemberEnd(); ++r) {
        const auto& response = deref(spec, r->value);
        std::set<std::string> types;
        if (response.HasMember("content")) {
          for (auto m = response["content"].MemberBegin(); m != response["content"].MemberEnd();
               ++m)
            types.insert(lower(m->name.GetString()));
        }
        o.responses[r->name.GetString()] = types;
      }
      ops.push_back(std::move(o));
    }
  }
  return ops;
}

// The documented response an answer's status falls under: "404", else "4XX", else "default".
const std::set<std::string>* documented(const Operation& o, int status) {
  for (const std::string& key :
       {std::to_string(status), std::to_string(status / 100) + "XX", std::string("default")}) {
    const auto it = o.responses.find(key);
    if (it != o.responses.end())
      return &it->second;
  }
  return nullptr;
}

std::string listed(const Operation& o) {
  std::string s;
  for (const auto& [status, types] : o.responses)
    s += (s.empty() ? "" : ", ") + status;
  return s;
}

// Checks `a` against what `o` documents; `how` says how it was sent.
void checkAnswer(const Operation& o, const Answer& a, const std::string& how) {
  const std::string what = o.name + " " + how + ": " + std::to_string(a.status) + " " +
                           a.header("content-type") + " " + a.body.substr(0, 300);
  BOOST_TEST_REQUIRE(a.status != 0, o.name + " " + how + ": no answer (" + a.error + ")");
  BOOST_TEST_MESSAGE(what.substr(0, 200));

  // The router's refusals: the gateway does not serve this operation, whatever is documented.
  const auto d = json::parse(a.body);
  const std::string detail = d.ok() ? str(d.value(), "detail") : "";
  if (a.status == 404) {
    BOOST_TEST(detail.rfind("no such resource", 0) != 0,
               "not served (the router found no route): " << what);
    BOOST_TEST(detail.rfind("use /", 0) != 0, "not served (no such sub-resource): " << what);
    BOOST_TEST(detail.rfind("actions are", 0) != 0, "not served (no such action): " << what);
  }
  if (a.status == 405) {
    const std::string allow = a.header("allow");
    BOOST_TEST(allow.find(o.method) != std::string::npos,
               "not served: " << o.method << " is not in Allow: " << allow << " — " << what);
  }

  const auto* types = documented(o, a.status);
  BOOST_TEST(types != nullptr, "undocumented status (documented: " << listed(o) << ") — " << what);
  if (!types)
    return;
  const std::string media = mediaType(a.header("content-type"));
  if (!types->empty()) {
    BOOST_TEST(types->count(media) == 1,
               "media type " << media << " not documented for " << a.status << " — " << what);
  }
  if (media == "application/problem+json") {
    BOOST_TEST_REQUIRE(d.ok(), "problem+json that is not JSON — " << what);
    const auto& p = d.value();
    BOOST_TEST((p.IsObject() && p.HasMember("status") && p["status"].IsInt() &&
                p["status"].GetInt() == a.status),
               "problem status member differs — " << what);
    BOOST_TEST(!str(p, "type").empty(), "problem without type — " << what);
    BOOST_TEST(!str(p, "title").empty(), "problem without title — " << what);
    BOOST_TEST((p.IsObject() && p.HasMember("detail") && p["detail"].IsString()),
               "problem without detail — " << what);
  }
  if (a.status >= 400 && a.status != 500 && types->count("application/problem+json") == 1 &&
      types->size() == 1) {
    BOOST_TEST(media == "application/problem+json", "an error that is not a problem — " << what);
  }
}

// `huitong ARGS...` with `input` on stdin; its exit code (-1 when it did not exit).
int runHuitong(const fs::path& dir, const std::vector<std::string>& args,
               const std::string& input) {
  const fs::path in = dir / "stdin.txt";
  std::ofstream(in) << input;
  std::vector<std::string> all{huitongBinary().string()};
  all.insert(all.end(), args.begin(), args.end());
  Process p(all, dir, "cli", in.string());
  const int status = p.wait(60s);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(openapi_contract)

BOOST_AUTO_TEST_CASE(every_documented_operation_answers_as_documented) {
  const rapidjson::Document spec = loadSpec();
  const std::vector<Operation> ops = operationsOf(spec);
  BOOST_TEST_REQUIRE(ops.size() >= 20u, "the spec lists " << ops.size() << " operations");

  TempDir dir("huitong-it-openapi");
  MockPlatformProcess platform(dir.path(), "it-platform-token");
  const std::vector<DepartmentCredential> creds{makeCredential("marriage")};
  // The joint-debug sandbox's operations are signed with marriage's sandbox key.
  const DepartmentCredential sandboxCred{"marriage", "marriage-sandbox",
                                         "sandbox-secret-0123456789"};
  GatewayOptions options = deliveringTo(dir.path(), platform, creds);
  options.configText = gatewayConfigJson(options, dir.path());
  {
    const std::string at = "\"marriage\": {";
    const auto pos = options.configText.find(at);
    BOOST_TEST_REQUIRE(pos != std::string::npos);
    options.configText.insert(pos + at.size(), "\"sandbox\": {\"keys\": [{\"key_id\": \"" +
                                                   sandboxCred.keyId +
                                                   "\", \"alg\": \"hmac-sha256\", \"secret\": \"" +
                                                   sandboxCred.secret + "\"}]}, ");
  }
  {
    // A monitor block, so that /ops/v1/monitor is served; the check the path examples name
    // (db-port) is a TCP connect to a loopback port nothing listens on.
    const std::string at = "\"ops_token\": \"it-ops-token\",\n";
    const auto pos = options.configText.find(at);
    BOOST_TEST_REQUIRE(pos != std::string::npos);
    options.configText.insert(
        pos + at.size(),
        "  \"monitor\": {\"tcp\": [{\"id\": \"db-port\", \"host\": \"127.0.0.1\", \"port\": 1, "
        "\"schedule\": \"7x24\", \"interval_s\": 5, \"timeout_ms\": 500}],"
        " \"alerts\": [{\"name\": \"down\", \"count\": 2}]},\n"
        // A backup block, so that /ops/v1/backups is served (its job is daily, not in this run).
        "  \"backup\": {\"dir\": \"" +
            (dir.path() / "backups").string() + "\", \"schedule\": \"daily 02:30\"},\n");
  }
  GatewayProcess gateway(dir.path(), options);
  const int port = gateway.port();

  // The staff account of the login example, an admin: every bearer operation is allowed, so
  // its answer is the operation's own and not a 403.
  const rapidjson::Value* login = nullptr;
  for (const auto& o : ops) {
    if (o.method == "POST" && o.target == "/auth/v1/login")
      login = &spec["paths"]["/auth/v1/login"]["post"];
  }
  BOOST_TEST_REQUIRE(login != nullptr, "POST /auth/v1/login is the staff login");
  const auto& loginExample =
      deref(spec, (*login)["requestBody"])["content"]["application/json"]["example"];
  const std::string user = str(loginExample, "name"), password = str(loginExample, "password");
  BOOST_TEST_REQUIRE(runHuitong(dir.path(),
                                {"user", "create", "--config", gateway.configPath().string(),
                                 "--name", user, "--role", "admin"},
                                password + "\n") == 0);
  auto freshToken = [&] {
    HttpClient c(port);
    const Answer a =
        c.send("POST", "/auth/v1/login", json::write(loginExample), "application/json");
    BOOST_TEST_REQUIRE(a.status == 200, a.body);
    const auto d = json::parse(a.body);
    BOOST_TEST_REQUIRE(d.ok());
    return str(d.value(), "token");
  };

  // The filing the path examples name (marriage/1244), so that its operations find it.
  {
    HttpClient c(port);
    const Answer a = c.send(
        "POST", "/ops/v1/filings",
        "{\"system\":\"marriage\",\"item_code\":\"1244\",\"item_name\":\"内地居民结婚登记\"}",
        "application/json", {{"Authorization", "Bearer " + kOpsToken}});
    BOOST_TEST_REQUIRE(a.status == 201, a.body);
  }

  std::map<int, int> statuses;
  for (const auto& o : ops) {
    HttpClient c(port);
    auto headers = o.headers;
    Answer a;
    if (o.credential == Credential::kSignature) {
      const DepartmentCredential* cred = &creds.front();
      for (const auto& k : creds) {
        if (k.system == o.system)
          cred = &k;
      }
      if (o.target.rfind("/sandbox/", 0) == 0)
        cred = &sandboxCred;
      static const huitong::SystemClock clock;
      const auto signature =
          signatureHeaders(*cred, port, o.method, o.target, o.contentType, o.body, clock);
      headers.insert(headers.end(), signature.begin(), signature.end());
    } else if (o.credential == Credential::kBearer) {
      headers.emplace_back("Authorization", "Bearer " + freshToken());
    }
    a = c.send(o.method, o.target, o.body, o.contentType, headers);
    checkAnswer(o, a, "with credentials");
    ++statuses[a.status];

    if (o.credential != Credential::kNone) {
      HttpClient bare(port);
      const Answer refused = bare.send(o.method, o.target, o.body, o.contentType, o.headers);
      BOOST_TEST(refused.status == 401,
                 o.name << " without credentials: " << refused.status << " " << refused.body);
      checkAnswer(o, refused, "without credentials");
    }
  }
  std::string summary;
  for (const auto& [status, n] : statuses)
    summary += " " + std::to_string(status) + "×" + std::to_string(n);
  BOOST_TEST_MESSAGE(ops.size() << " operations; answers:" << summary);
}

BOOST_AUTO_TEST_SUITE_END()
