// How iowq-verify refuses its input: a usage_error becomes a one-line message on stderr and exit 2.
#pragma once

#include <stdexcept>
#include <string>

namespace iowq::tools {

// The exit code of a usage or input error.
inline constexpr int exit_usage = 2;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `s` with its line breaks turned into spaces.
inline std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace iowq::tools
