// Test cases generated from tables at start-up (variant x test kind, mutant x variant): one
// Catch2 test case, and so one ctest test, per row, so that a new variant or mutant gets its
// tests from a table entry instead of a new TEST_CASE (relacy_tests/generated_cases.h).
#pragma once

#include "generated_cases.h"

namespace tsan {
using testgen::register_case;
}  // namespace tsan
