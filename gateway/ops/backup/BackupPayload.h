// The bytes of a backup on disk: written through a ByteSink (a file that removes itself when
// the write fails, or a test's sink that fails after N bytes), SHA-256 over the payload as
// written, and optional AES-256-GCM (OpenSSL EVP) streamed in 64 KiB blocks — never the whole
// file in memory. An encrypted payload is "HTBKGCM1" + a random 12-byte IV + ciphertext + the
// 16-byte tag; the magic is authenticated as associated data.
// Errors: "backup.write" (the target refused bytes: full disk, file size limit), "backup.read",
// "backup.key", "backup.checksum", "backup.tag" — each message names the file and what failed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/core/Error.h"

namespace huitong::ops::backup {

constexpr std::size_t kKeyBytes = 32;
constexpr const char* kCipherNone = "none";
constexpr const char* kCipherAesGcm = "aes-256-gcm";

// Where payload bytes go. write() either takes all of `n` or fails; after a failure nothing
// else is called but abandon().
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(const char* data, std::size_t n) = 0;
  // Flushes to stable storage and closes; the file is complete.
  virtual Result<void> finish() = 0;
  // Closes and removes what was written (a failed or cancelled backup leaves no partial file).
  virtual void abandon() = 0;
};

// A new file (mode 0600, truncated when present). ENOSPC and EFBIG read "the backup target is
// full" with the byte count reached. `failAfterBytes` >= 0: refuses the write that would pass
// that many bytes as ENOSPC would (tests of a target that fills up mid-write).
Result<std::unique_ptr<ByteSink>> openFileSink(const std::string& path,
                                               std::int64_t failAfterBytes = -1);

// Reads up to n bytes into data; 0 = end. Errors are Error{"backup.read"}.
using ByteSource = std::function<Result<std::size_t>(char* data, std::size_t n)>;
ByteSource fileSource(const std::string& path, Error& openError);

// Progress of long work: bytes done so far (total when known, else 0).
using Progress = std::function<void(std::int64_t done, std::int64_t total)>;

struct PayloadInfo {
  std::int64_t bytes = 0;  // as written (ciphertext and framing when encrypted)
  std::string sha256;      // hex, of the bytes as written
  std::string cipher = kCipherNone;
  std::string ivHex, tagHex;  // encrypted only
};

// Streams `source` into `sink` (encrypting with `key` when it is not empty: 32 bytes) and
// finishes the sink. On failure the sink is abandoned. `total`: expected plaintext bytes for
// progress (0 = unknown).
Result<PayloadInfo> writePayload(const ByteSource& source, ByteSink& sink, const std::string& key,
                                 std::int64_t total = 0, const Progress& progress = {});

// SHA-256 (hex) and size of a file, streamed.
Result<std::pair<std::string, std::int64_t>> hashFile(const std::string& path,
                                                      const Progress& progress = {});

// Writes the plaintext of payload `path` to `out` (a new file): decrypts and checks the GCM tag
// when `cipher` is aes-256-gcm (the output is removed when the tag does not match), else copies.
Result<void> extractPayload(const std::string& path, const std::string& cipher,
                            const std::string& key, const std::string& out,
                            const Progress& progress = {});

// The key from config: a file holding 32 raw bytes, or base64 of 32 bytes (whitespace around
// it ignored). The error names the file and never shows the key.
Result<std::string> loadKey(const std::string& keyFile);

std::string toHex(const unsigned char* data, std::size_t n);

}  // namespace huitong::ops::backup
