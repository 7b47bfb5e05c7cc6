// A source location captured at the call site, like std::source_location. Our own because clang 14
// with libstdc++ 12 lacks the builtin that <source_location> needs; __builtin_FILE/LINE/FUNCTION
// in default arguments are evaluated where the outermost call is written, on g++ and clang alike.
#pragma once

namespace chk {

class srcloc {
 public:
  constexpr srcloc() = default;
  static constexpr srcloc current(const char* file = __builtin_FILE(), unsigned line = __builtin_LINE(),
                                  const char* function = __builtin_FUNCTION()) noexcept {
    srcloc s;
    s.file_ = file;
    s.line_ = line;
    s.function_ = function;
    return s;
  }
  constexpr const char* file_name() const noexcept { return file_; }
  constexpr unsigned line() const noexcept { return line_; }
  constexpr const char* function_name() const noexcept { return function_; }

 private:
  const char* file_ = "";
  const char* function_ = "";
  unsigned line_ = 0;
};

}  // namespace chk
