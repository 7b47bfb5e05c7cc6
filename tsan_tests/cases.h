// Test cases generated from tables at start-up (variant x test kind, mutant x variant): one
// Catch2 test case, and so one ctest test, per row, so that a new variant or mutant gets its
// tests from a table entry instead of a new TEST_CASE.
#pragma once

#include <catch2/catch.hpp>
#include <deque>
#include <functional>
#include <string>
#include <utility>

namespace tsan {

class generated_case : public Catch::ITestInvoker {
 public:
  explicit generated_case(std::function<void()> f) : f_(std::move(f)) {}
  void invoke() const override { f_(); }

 private:
  std::function<void()> f_;
};

// Registers a test case; Catch2 keeps the name and tags by reference, so they live here.
inline void register_case(std::string name, std::string tags, std::function<void()> body) {
  static std::deque<std::string> names, tag_list;
  names.push_back(std::move(name));
  tag_list.push_back(std::move(tags));
  Catch::AutoReg reg(new generated_case(std::move(body)), CATCH_INTERNAL_LINEINFO, Catch::StringRef(),
                     Catch::NameAndTags{Catch::StringRef(names.back()), Catch::StringRef(tag_list.back())});
  (void)reg;
}

}  // namespace tsan
