// `huitong mock-platform`: runs the mock platform in the foreground until SIGINT or SIGTERM,
// printing its address on stdout and one line per request on stderr.
#pragma once

#include <string>
#include <vector>

namespace huitong::sandbox {

// `args` are the verb's own arguments (after "mock-platform"):
//   --listen HOST:PORT  (default 127.0.0.1:0; PORT 0 picks a free one, printed on stdout)
//   --token T  --threads N  --seed N  --max-events N  --allow-non-loopback  --help
//   --tls-cert FILE --tls-key FILE [--tls-port N] [--client-ca FILE]: HTTPS beside HTTP
// Returns 0 after --help or a shutdown by signal, 2 on bad usage, a non-loopback address
// without --allow-non-loopback, or an address that cannot be bound.
// REQUIRES: called from the main thread before other threads exist (it blocks SIGINT and
// SIGTERM so that every server thread inherits the mask and sigwait() receives them).
int runMockPlatform(const std::vector<std::string>& args);

}  // namespace huitong::sandbox
