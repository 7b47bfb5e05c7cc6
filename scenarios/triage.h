// Triage of violations without hand-written expectations (generated scenarios): each violation gets
// a signature, the property and where the failing execution went wrong, and a signature either
// belongs to a known finding (declared with the findings, scenarios/catalog.cpp) or is a new
// candidate finding.
#pragma once

#include <string>
#include <vector>

#include "chk/trace.h"

namespace iowq::scn {

// Where a counterexample went wrong:
// - a failure raised at a step (use after free, race, accounting checked at a release of the
//   nr_workers lock, ...): the last step of the failing thread in the code under test (the check's
//   own hook skipped), e.g. the decrement that wraps;
// - a failure judged at the end (a deadlock, a work stranded, a worker left, an exit that hangs):
//   the last step of the io worker that stepped last, preferring one still alive (asleep in its idle
//   loop or in a request) to one that exited: the one that went to sleep or left without taking the
//   work (or "no worker" when none ever ran); and whether a punted request never started.
struct signature {
  std::string property;  // the property broken (lost-wakeup, accounting, uaf, ...)
  std::string function;  // the function of that step, e.g. io_worker_exit
  std::string where;     // its file:line, for the reader (not matched: lines move)
  // Judged at the end: some request was punted but never started (neither run nor cancelled), as
  // opposed to every request started and one of them blocked for good.
  bool stranded = false;
  // "lost-wakeup@io_worker_exit/stranded": what the known-signature table matches.
  std::string key() const { return function + (stranded ? "/stranded" : ""); }
  std::string text() const { return property + "@" + key(); }
};
signature signature_of(const std::string& property, const std::vector<chk::trace_step>& trace);

// A known finding's signature, and the variants it is expected in.
struct known_signature {
  const char* finding;  // "F1", "F2", ..., or "baseline" (the lingering worker the patch removes)
  const char* property;
  const char* function;  // signature::key(): the function, "/stranded" when a request never started
  std::vector<std::string> variants;
  const char* why;  // one line
};
const std::vector<known_signature>& known_signatures();

// The known signature `s` is, under `variant`: nullptr when it is a new candidate. `*other_variant`
// is set when the signature is known but not declared for this variant (still a new candidate).
const known_signature* match_known(const signature& s, const std::string& variant, bool* other_variant = nullptr);

}  // namespace iowq::scn
