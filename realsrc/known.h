// Known answers of checked trees (realsrc/known.cpp).
#pragma once

#include <string>
#include <vector>

namespace realsrc {

struct known_violation {
  std::string scenario, property, why;
};
struct known_tree {
  std::string io_wq_sha256;
  std::string what;
  std::vector<known_violation> violations;
};

// The answers for the io-wq.c with this sha256, or nullptr.
const known_tree* known_answers(const std::string& io_wq_sha256);

}  // namespace realsrc
