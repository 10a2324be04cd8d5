#include <iconv.h>
#include <cerrno>

#include "gateway/formats/Decode.h"
#include "gateway/formats/Detail.h"

namespace huitong::formats {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

// glibc's iconv_t is not thread-safe; one per call keeps toUtf8 reentrant. iconv_open is cheap
// once glibc has loaded the gconv module (it caches it process-wide).
class Converter {
 public:
  explicit Converter(const std::string& from) : cd_(iconv_open("UTF-8", from.c_str())) {}
  ~Converter() {
    if (valid()) {
      iconv_close(cd_);
    }
  }
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  bool valid() const { return cd_ != reinterpret_cast<iconv_t>(-1); }
  iconv_t get() const { return cd_; }

 private:
  iconv_t cd_;
};

Error undecodable(std::size_t offset, std::string_view charset, const char* what) {
  return Error{"charset.undecodable", std::string(what) + " in " + std::string(charset) + " text",
               "byte offset " + std::to_string(offset)};
}

}  // namespace

namespace detail {

std::string normalizeCharset(std::string_view charset) {
  std::size_t b = 0, e = charset.size();
  while (b < e && (charset[b] == ' ' || charset[b] == '\t')) {
    ++b;
  }
  while (e > b && (charset[e - 1] == ' ' || charset[e - 1] == '\t')) {
    --e;
  }
  std::string out(charset.substr(b, e - b));
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

bool isUtf8Charset(std::string_view normalized) {
  return normalized.empty() || normalized == "UTF-8" || normalized == "UTF8";
}

std::size_t findInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte (RFC 3629 table)
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) {
        lo = 0xA0;  // no overlongs
      } else if (c == 0xED) {
        hi = 0x9F;  // no UTF-16 surrogates
      }
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) {
        lo = 0x90;
      } else if (c == 0xF4) {
        hi = 0x8F;  // nothing above U+10FFFF
      }
    } else {
      return i;
    }
    if (i + len > n || p[i + 1] < lo || p[i + 1] > hi) {
      return i;
    }
    for (std::size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        return i;
      }
    }
    i += len;
  }
  return std::string_view::npos;
}

}  // namespace detail

Result<std::string> toUtf8(std::string_view bytes, std::string_view charset) {
  const std::string name = detail::normalizeCharset(charset);
  if (detail::isUtf8Charset(name)) {
    const std::size_t bom = bytes.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
    bytes.remove_prefix(bom);
    const std::size_t bad = detail::findInvalidUtf8(bytes);
    if (bad != std::string_view::npos) {
      return undecodable(bom + bad, "UTF-8", "invalid byte sequence");
    }
    return std::string(bytes);  // the one copy
  }
  // iconv would read "X//IGNORE" or "X//TRANSLIT" as conversion flags; a charset name never
  // contains a slash, and NUL would cut the name short.
  if (name.find_first_of(std::string_view("/\0", 2)) != std::string::npos) {
    return Error{"charset.unknown", "unknown character set \"" + std::string(charset) + "\"", ""};
  }
  Converter conv(name);
  if (!conv.valid()) {
    return Error{"charset.unknown", "unknown character set \"" + std::string(charset) + "\"", ""};
  }

  std::string out;
  // Chinese double-byte text grows by half in UTF-8, single-byte Latin text at most doubles;
  // E2BIG grows the buffer when the guess is short.
  out.resize(bytes.size() + bytes.size() / 2 + 16);
  char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write input
  std::size_t inLeft = bytes.size();
  std::size_t used = 0;
  auto step = [&](bool flush) {
    char* dst = out.data() + used;
    std::size_t outLeft = out.size() - used;
    const std::size_t rc = flush ? iconv(conv.get(), nullptr, nullptr, &dst, &outLeft)
                                 : iconv(conv.get(), &in, &inLeft, &dst, &outLeft);
    used = out.size() - outLeft;
    return rc != static_cast<std::size_t>(-1);
  };
  while (inLeft > 0) {
    if (step(false)) {
      continue;
    }
    const std::size_t offset = bytes.size() - inLeft;
    if (errno == E2BIG) {
      out.resize(out.size() * 2 + 16);
    } else if (errno == EILSEQ) {
      return undecodable(offset, name, "undecodable byte sequence");
    } else if (errno == EINVAL) {
      return undecodable(offset, name, "truncated byte sequence at the end");
    } else {
      return undecodable(offset, name, "conversion failure");
    }
  }
  // Ends any shift state (stateful encodings such as ISO-2022-CN).
  while (!step(true)) {
    if (errno != E2BIG) {
      return undecodable(bytes.size(), name, "conversion failure");
    }
    out.resize(out.size() * 2 + 16);
  }
  out.resize(used);
  // Converters from encodings with a byte-order mark of their own (UTF-16, GB18030's 84 31 95
  // 33) may pass it through as U+FEFF; the text never means it.
  if (std::string_view(out).substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    out.erase(0, kUtf8Bom.size());
  }
  return out;
}

}  // namespace huitong::formats
