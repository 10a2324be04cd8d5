#include "adapters/db_poll/PollState.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/core/Json.h"

namespace huitong::adapters::dbpoll {
namespace {

std::string str(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::int64_t int64(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

Result<void> syncFile(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0)
    return Error{"state.write", "open " + path + ": " + std::strerror(errno), path};
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0)
    return Error{"state.write", "fsync " + path + ": " + std::strerror(err), path};
  return {};
}

}  // namespace

void PollState::addBad(BadRow row) {
  bad_[{row.id, row.version}] = std::move(row);
  while (bad_.size() > kMaxBadRows)
    bad_.erase(bad_.begin());
}

std::vector<WaitingRow> PollState::dueWaiting(EpochMillis now) const {
  std::vector<WaitingRow> out;
  for (const auto& [key, row] : waiting_) {
    if (row.retryAt <= now)
      out.push_back(row);
  }
  return out;
}

std::string PollState::badList(std::size_t limit) const {
  std::string out;
  std::size_t n = 0;
  for (const auto& [key, row] : bad_) {
    if (n++ == limit) {
      out += ", …";
      break;
    }
    out += (out.empty() ? "" : ", ") + std::to_string(row.id) +
           (row.version.empty() ? "" : " v" + row.version);
  }
  return out;
}

Result<void> PollState::load() {
  if (path_.empty() || !std::filesystem::exists(path_))
    return {};
  std::ifstream in(path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof())
    return Error{"state.read", "cannot read " + path_, path_};
  auto doc = json::parse(text.str());
  if (!doc.ok() || !doc.value().IsObject()) {
    return Error{"state.read",
                 "state file is not a JSON object (" +
                     (doc.ok() ? std::string("wrong type") : doc.error().describe()) +
                     "); move it away to start over",
                 path_};
  }
  const auto& d = doc.value();
  if (auto w = d.FindMember("watermark"); w != d.MemberEnd() && w->value.IsObject()) {
    Watermark m;
    const auto& v = w->value;
    if (auto n = v.FindMember("value"); n != v.MemberEnd() && n->value.IsInt64()) {
      m.integer = true;
      m.number = n->value.GetInt64();
    } else {
      m.integer = false;
      m.text = str(v, "value");
    }
    m.id = int64(v, "id");
    watermark = m;
  }
  if (auto b = d.FindMember("bad_rows"); b != d.MemberEnd() && b->value.IsArray()) {
    for (const auto& r : b->value.GetArray()) {
      if (!r.IsObject())
        continue;
      addBad(BadRow{int64(r, "id"), str(r, "version"), str(r, "errors"), int64(r, "at")});
    }
  }
  if (auto b = d.FindMember("waiting_rows"); b != d.MemberEnd() && b->value.IsArray()) {
    for (const auto& r : b->value.GetArray()) {
      if (!r.IsObject())
        continue;
      // Field by field: GCC 12 at -O3 reads the aggregate's `{}` Watermark as maybe-uninitialized.
      WaitingRow w;
      w.id = int64(r, "id");
      w.version = str(r, "version");
      w.json = str(r, "json");
      w.reason = str(r, "reason");
      w.retryAt = int64(r, "retry_at");
      if (auto m = r.FindMember("mark"); m != r.MemberEnd() && m->value.IsObject()) {
        if (auto n = m->value.FindMember("value");
            n != m->value.MemberEnd() && n->value.IsInt64()) {
          w.mark.integer = true;
          w.mark.number = n->value.GetInt64();
        } else {
          w.mark.integer = false;
          w.mark.text = str(m->value, "value");
        }
        w.mark.id = int64(m->value, "id");
      }
      addWaiting(std::move(w));
    }
  }
  return {};
}

Result<void> PollState::save() const {
  if (path_.empty())
    return {};
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  if (watermark) {
    rapidjson::Value w(rapidjson::kObjectType);
    if (watermark->integer)
      w.AddMember("value", rapidjson::Value(watermark->number), a);
    else
      w.AddMember("value", json::string(watermark->text, a), a);
    w.AddMember("id", rapidjson::Value(watermark->id), a);
    d.AddMember("watermark", w, a);
  }
  rapidjson::Value bad(rapidjson::kArrayType);
  for (const auto& [key, row] : bad_) {
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("id", rapidjson::Value(row.id), a);
    r.AddMember("version", json::string(row.version, a), a);
    r.AddMember("errors", json::string(row.errors, a), a);
    r.AddMember("at", rapidjson::Value(static_cast<std::int64_t>(row.at)), a);
    bad.PushBack(r, a);
  }
  d.AddMember("bad_rows", bad, a);
  rapidjson::Value waiting(rapidjson::kArrayType);
  for (const auto& [key, row] : waiting_) {
    rapidjson::Value r(rapidjson::kObjectType);
    r.AddMember("id", rapidjson::Value(row.id), a);
    r.AddMember("version", json::string(row.version, a), a);
    r.AddMember("json", json::string(row.json, a), a);
    rapidjson::Value m(rapidjson::kObjectType);
    if (row.mark.integer)
      m.AddMember("value", rapidjson::Value(row.mark.number), a);
    else
      m.AddMember("value", json::string(row.mark.text, a), a);
    m.AddMember("id", rapidjson::Value(row.mark.id), a);
    r.AddMember("mark", m, a);
    r.AddMember("reason", json::string(row.reason, a), a);
    r.AddMember("retry_at", rapidjson::Value(static_cast<std::int64_t>(row.retryAt)), a);
    waiting.PushBack(r, a);
  }
  d.AddMember("waiting_rows", waiting, a);
  const std::string text = json::writePretty(d) + "\n";

  // A crash leaves either the old file or the new one, never half of one.
  const std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out)
      return Error{"state.write", "cannot write " + tmp, path_};
  }
  if (auto r = syncFile(tmp, O_RDONLY); !r.ok())
    return r;
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Error{"state.write", "rename to " + path_ + ": " + std::strerror(errno), path_};
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  return syncFile(dir.empty() ? "." : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace huitong::adapters::dbpoll
