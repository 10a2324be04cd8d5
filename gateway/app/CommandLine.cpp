#include "gateway/app/CommandLine.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace huitong::app {

std::optional<Arguments> Arguments::parse(const std::vector<std::string>& args,
                                          const std::vector<std::string>& flags,
                                          const std::vector<std::string>& valued,
                                          std::string& error) {
  Arguments a;
  auto known = [&](const std::vector<std::string>& list, const std::string& n) {
    return std::find(list.begin(), list.end(), n) != list.end();
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      std::string name = arg.substr(2), value;
      const auto eq = name.find('=');
      const bool inlineValue = eq != std::string::npos;
      if (inlineValue) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      if (known(flags, name)) {
        if (inlineValue) {
          error = "option --" + name + " takes no value";
          return std::nullopt;
        }
        a.options_[name] = "true";
      } else if (known(valued, name)) {
        if (!inlineValue) {
          if (i + 1 >= args.size()) {
            error = "option --" + name + " needs a value";
            return std::nullopt;
          }
          value = args[++i];
        }
        a.options_[name] = value;
      } else {
        error = "unknown option --" + name;
        return std::nullopt;
      }
    } else {
      a.positionals_.push_back(arg);
    }
  }
  return a;
}

std::string Arguments::get(const std::string& name, const std::string& fallback) const {
  const auto it = options_.find(name);
  return it == options_.end() ? fallback : it->second;
}

bool readFile(const std::string& path, std::string& out, std::string& error) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open: " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace huitong::app
