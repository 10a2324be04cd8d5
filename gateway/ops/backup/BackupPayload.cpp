#include "gateway/ops/backup/BackupPayload.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace huitong::ops::backup {

namespace {

constexpr std::size_t kBlock = 64 * 1024;
constexpr char kMagic[] = "HTBKGCM1";
constexpr std::size_t kMagicBytes = 8;
constexpr std::size_t kIvBytes = 12;
constexpr std::size_t kTagBytes = 16;

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};
struct DigestCtx {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  DigestCtx() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~DigestCtx() { EVP_MD_CTX_free(ctx); }
  void update(const void* d, std::size_t n) { EVP_DigestUpdate(ctx, d, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    return toHex(md, len);
  }
};

class FileSink final : public ByteSink {
 public:
  FileSink(std::string path, int fd, std::int64_t failAfter)
      : path_(std::move(path)), fd_(fd), failAfter_(failAfter) {}
  ~FileSink() override {
    if (fd_ >= 0)
      abandon();
  }
  Result<void> write(const char* data, std::size_t n) override {
    if (failAfter_ >= 0 && written_ + static_cast<std::int64_t>(n) > failAfter_) {
      return full(ENOSPC);
    }
    while (n > 0) {
      const ssize_t w = ::write(fd_, data, n);
      if (w < 0) {
        if (errno == EINTR)
          continue;
        if (errno == ENOSPC || errno == EFBIG || errno == EDQUOT)
          return full(errno);
        return Error{"backup.write", path_ + ": cannot write: " + std::strerror(errno), path_};
      }
      data += w;
      n -= static_cast<std::size_t>(w);
      written_ += w;
    }
    return {};
  }
  Result<void> finish() override {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      const int e = errno;
      fd_ = -1;
      ::unlink(path_.c_str());
      if (e == ENOSPC || e == EDQUOT)
        return full(e);
      return Error{"backup.write", path_ + ": cannot flush: " + std::strerror(e), path_};
    }
    fd_ = -1;
    return {};
  }
  void abandon() override {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
    ::unlink(path_.c_str());
  }

 private:
  Error full(int e) {
    return Error{"backup.write",
                 path_ + ": the backup target is full after " + std::to_string(written_) +
                     " bytes (" + std::strerror(e) + "); the partial file was removed",
                 path_};
  }
  std::string path_;
  int fd_;
  std::int64_t failAfter_;
  std::int64_t written_ = 0;
};

Error readError(const std::string& path, const std::string& what) {
  return Error{"backup.read", path + ": " + what, path};
}

}  // namespace

std::string toHex(const unsigned char* data, std::size_t n) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

Result<std::unique_ptr<ByteSink>> openFileSink(const std::string& path,
                                               std::int64_t failAfterBytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{"backup.write", path + ": cannot create: " + std::strerror(errno), path};
  }
  return std::unique_ptr<ByteSink>(std::make_unique<FileSink>(path, fd, failAfterBytes));
}

ByteSource fileSource(const std::string& path, Error& openError) {
  auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
  if (!*in)
    openError = readError(path, std::string("cannot open: ") + std::strerror(errno));
  return [in, path](char* data, std::size_t n) -> Result<std::size_t> {
    in->read(data, static_cast<std::streamsize>(n));
    if (in->bad())
      return readError(path, "read failed");
    return static_cast<std::size_t>(in->gcount());
  };
}

Result<PayloadInfo> writePayload(const ByteSource& source, ByteSink& sink, const std::string& key,
                                 std::int64_t total, const Progress& progress) {
  PayloadInfo info;
  DigestCtx digest;
  auto put = [&](const void* d, std::size_t n) -> Result<void> {
    if (n == 0)
      return {};
    auto w = sink.write(static_cast<const char*>(d), n);
    if (!w.ok())
      return w;
    digest.update(d, n);
    info.bytes += static_cast<std::int64_t>(n);
    return {};
  };
  auto fail = [&](Error e) -> Result<PayloadInfo> {
    sink.abandon();
    return e;
  };
  const bool encrypt = !key.empty();
  CipherCtx cipher;
  unsigned char iv[kIvBytes];
  if (encrypt) {
    if (key.size() != kKeyBytes)
      return fail(Error{"backup.key", "the key is not 32 bytes", ""});
    if (RAND_bytes(iv, sizeof iv) != 1 ||
        EVP_EncryptInit_ex(cipher.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher.ctx, EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) != 1 ||
        EVP_EncryptInit_ex(cipher.ctx, nullptr, nullptr,
                           reinterpret_cast<const unsigned char*>(key.data()), iv) != 1) {
      return fail(Error{"backup.crypto", "AES-256-GCM could not be initialised", ""});
    }
    int len = 0;
    if (EVP_EncryptUpdate(cipher.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(kMagic),
                          kMagicBytes) != 1) {
      return fail(Error{"backup.crypto", "AES-256-GCM could not take the header", ""});
    }
    if (auto w = put(kMagic, kMagicBytes); !w.ok())
      return fail(w.error());
    if (auto w = put(iv, kIvBytes); !w.ok())
      return fail(w.error());
    info.cipher = kCipherAesGcm;
    info.ivHex = toHex(iv, kIvBytes);
  }
  std::vector<char> buf(kBlock);
  std::vector<unsigned char> out(kBlock + 32);
  std::int64_t done = 0;
  std::int64_t lastReport = 0;
  for (;;) {
    auto n = source(buf.data(), buf.size());
    if (!n.ok())
      return fail(n.error());
    if (n.value() == 0)
      break;
    if (encrypt) {
      int len = 0;
      if (EVP_EncryptUpdate(cipher.ctx, out.data(), &len,
                            reinterpret_cast<const unsigned char*>(buf.data()),
                            static_cast<int>(n.value())) != 1) {
        return fail(Error{"backup.crypto", "AES-256-GCM encryption failed", ""});
      }
      if (auto w = put(out.data(), static_cast<std::size_t>(len)); !w.ok())
        return fail(w.error());
    } else if (auto w = put(buf.data(), n.value()); !w.ok()) {
      return fail(w.error());
    }
    done += static_cast<std::int64_t>(n.value());
    if (progress && done - lastReport >= 16 * 1024 * 1024) {
      progress(done, total);
      lastReport = done;
    }
  }
  if (encrypt) {
    int len = 0;
    unsigned char tag[kTagBytes];
    if (EVP_EncryptFinal_ex(cipher.ctx, out.data(), &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(cipher.ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) != 1) {
      return fail(Error{"backup.crypto", "AES-256-GCM could not finish", ""});
    }
    if (auto w = put(out.data(), static_cast<std::size_t>(len)); !w.ok())
      return fail(w.error());
    if (auto w = put(tag, kTagBytes); !w.ok())
      return fail(w.error());
    info.tagHex = toHex(tag, kTagBytes);
  }
  if (auto f = sink.finish(); !f.ok())
    return f.error();
  if (progress)
    progress(done, total);
  info.sha256 = digest.hex();
  return info;
}

Result<std::pair<std::string, std::int64_t>> hashFile(const std::string& path,
                                                      const Progress& progress) {
  Error openError;
  auto source = fileSource(path, openError);
  if (!openError.code.empty())
    return openError;
  DigestCtx digest;
  std::vector<char> buf(kBlock);
  std::int64_t size = 0;
  std::int64_t lastReport = 0;
  for (;;) {
    auto n = source(buf.data(), buf.size());
    if (!n.ok())
      return n.error();
    if (n.value() == 0)
      break;
    digest.update(buf.data(), n.value());
    size += static_cast<std::int64_t>(n.value());
    if (progress && size - lastReport >= 16 * 1024 * 1024) {
      progress(size, 0);
      lastReport = size;
    }
  }
  return std::make_pair(digest.hex(), size);
}

Result<void> extractPayload(const std::string& path, const std::string& cipher,
                            const std::string& key, const std::string& outPath,
                            const Progress& progress) {
  Error openError;
  auto source = fileSource(path, openError);
  if (!openError.code.empty())
    return openError;
  auto sink = openFileSink(outPath);
  if (!sink.ok())
    return sink.error();
  if (cipher == kCipherNone) {
    auto w = writePayload(source, *sink.value(), "", 0, progress);
    if (!w.ok())
      return w.error();
    return {};
  }
  auto abandon = [&](Error e) -> Result<void> {
    sink.value()->abandon();
    return e;
  };
  if (cipher != kCipherAesGcm) {
    return abandon(Error{"backup.cipher", path + ": unknown cipher '" + cipher + "'", path});
  }
  if (key.size() != kKeyBytes) {
    return abandon(Error{"backup.key", path + ": encrypted, and no 32-byte key was given", path});
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return abandon(readError(path, std::strerror(errno)));
  const std::int64_t size = st.st_size;
  if (size < static_cast<std::int64_t>(kMagicBytes + kIvBytes + kTagBytes)) {
    return abandon(Error{"backup.truncated", path + ": too short to be an encrypted backup", path});
  }
  char head[kMagicBytes + kIvBytes];
  auto h = source(head, sizeof head);
  if (!h.ok())
    return abandon(h.error());
  if (h.value() != sizeof head || std::memcmp(head, kMagic, kMagicBytes) != 0) {
    return abandon(Error{"backup.format", path + ": not an encrypted Huitong backup", path});
  }
  CipherCtx c;
  int len = 0;
  if (EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kIvBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(c.ctx, nullptr, nullptr,
                         reinterpret_cast<const unsigned char*>(key.data()),
                         reinterpret_cast<const unsigned char*>(head + kMagicBytes)) != 1 ||
      EVP_DecryptUpdate(c.ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(kMagic),
                        kMagicBytes) != 1) {
    return abandon(Error{"backup.crypto", "AES-256-GCM could not be initialised", path});
  }
  std::int64_t remaining = size - static_cast<std::int64_t>(kMagicBytes + kIvBytes + kTagBytes);
  const std::int64_t total = remaining;
  std::vector<char> buf(kBlock);
  std::vector<unsigned char> out(kBlock + 32);
  std::int64_t lastReport = 0;
  while (remaining > 0) {
    const std::size_t want = static_cast<std::size_t>(
        std::min<std::int64_t>(remaining, static_cast<std::int64_t>(kBlock)));
    auto n = source(buf.data(), want);
    if (!n.ok())
      return abandon(n.error());
    if (n.value() != want) {
      return abandon(Error{"backup.truncated", path + ": the file ended early", path});
    }
    if (EVP_DecryptUpdate(c.ctx, out.data(), &len, reinterpret_cast<unsigned char*>(buf.data()),
                          static_cast<int>(want)) != 1) {
      return abandon(Error{"backup.crypto", "AES-256-GCM decryption failed", path});
    }
    if (auto w =
            sink.value()->write(reinterpret_cast<char*>(out.data()), static_cast<std::size_t>(len));
        !w.ok()) {
      return abandon(w.error());
    }
    remaining -= static_cast<std::int64_t>(want);
    if (progress && total - remaining - lastReport >= 16 * 1024 * 1024) {
      lastReport = total - remaining;
      progress(lastReport, total);
    }
  }
  unsigned char tag[kTagBytes];
  auto t = source(reinterpret_cast<char*>(tag), kTagBytes);
  if (!t.ok())
    return abandon(t.error());
  if (t.value() != kTagBytes ||
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagBytes, tag) != 1 ||
      EVP_DecryptFinal_ex(c.ctx, out.data(), &len) != 1) {
    return abandon(Error{"backup.tag",
                         path + ": the AES-256-GCM tag does not match — a wrong key, or the file "
                                "was altered",
                         path});
  }
  if (auto f = sink.value()->finish(); !f.ok())
    return f.error();
  return {};
}

Result<std::string> loadKey(const std::string& keyFile) {
  std::ifstream in(keyFile, std::ios::binary);
  if (!in) {
    return Error{"backup.key", keyFile + ": cannot read the backup key: " + std::strerror(errno),
                 keyFile};
  }
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (raw.size() == kKeyBytes)
    return raw;
  std::string text;
  for (char ch : raw) {
    if (ch != ' ' && ch != '\n' && ch != '\r' && ch != '\t')
      text += ch;
  }
  if (!text.empty() && text.size() % 4 == 0) {
    std::vector<unsigned char> out(text.size());
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    std::size_t pad = 0;
    if (text.back() == '=')
      ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=')
      ++pad;
    if (n >= 0 && static_cast<std::size_t>(n) - pad == kKeyBytes) {
      return std::string(reinterpret_cast<char*>(out.data()), kKeyBytes);
    }
  }
  return Error{"backup.key",
               keyFile +
                   ": the backup key is 32 raw bytes or their base64 (44 characters); this "
                   "file holds " +
                   std::to_string(raw.size()) + " bytes of something else",
               keyFile};
}

}  // namespace huitong::ops::backup
