// Test cases made from a table at start-up, one Catch2 test case (and so one ctest test, run in
// parallel with the others) per row: a row added to a table is tested without a new TEST_CASE.
// Shared by the checker's tests here and by tsan_tests/.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <string>
#include <utility>

namespace testgen {

class generated_case : public Catch::ITestInvoker {
 public:
  explicit generated_case(std::function<void()> f) : f_(std::move(f)) {}
  void invoke() const override { f_(); }

 private:
  std::function<void()> f_;
};

// How many register_case() made (tests check it against their tables).
inline int& registered_cases() {
  static int n = 0;
  return n;
}

inline void register_case(std::string name, std::string tags, std::function<void()> body) {
  ++registered_cases();
  // Catch2 keeps the names by reference: they live as long as the program.
  static std::deque<std::string> names, tag_list;
  // ctest's test discovery splits names at ';'.
  std::replace(name.begin(), name.end(), ';', ',');
  names.push_back(std::move(name));
  tag_list.push_back(std::move(tags));
  Catch::AutoReg reg(new generated_case(std::move(body)), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                     Catch::NameAndTags{Catch::StringRef(names.back()), Catch::StringRef(tag_list.back())});
  (void)reg;
}

}  // namespace testgen
