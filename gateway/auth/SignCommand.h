// The operator's side of department authentication: `huitong sign` prints the headers (or a
// whole curl command) for a signed submission, `huitong keygen` makes keys. Exit codes as
// every verb: 0 ok, 1 failed (signing or key generation), 2 bad usage or unreadable input.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace huitong::auth {

// huitong sign --key-id ID --alg hmac-sha256|ed25519
//              (--secret S | --secret-file FILE | --private-key FILE)
//              --url URL [--method POST] [--content-type TYPE] [--data-file FILE|-]
//              [--curl | --curl-config]
// Default output: one "Name: value" line per header to send (Content-Type when given,
// Content-Digest, Signature-Input, Signature). --curl: one shell-quoted curl command line.
// --curl-config: a curl config for `curl -K -` (silent, url, request, headers, data-binary).
int runSign(const std::vector<std::string>& args);
int runSign(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// huitong keygen ed25519 [--private-key FILE --public-key FILE]
//   prints a PKCS#8 private key PEM then its public key PEM, or writes them to the files
//   (created, never overwritten; the private key with mode 0600).
// huitong keygen hmac-sha256
//   prints a random shared secret (32 bytes, base64url: 43 characters).
int runKeygen(const std::vector<std::string>& args);
int runKeygen(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace huitong::auth
