#include "triage.h"

#include <algorithm>

namespace iowq::scn {

namespace {

bool in_scenario_checks(const chk::trace_step& s) { return s.location.rfind("scenarios/", 0) == 0; }
bool is_fail(const chk::trace_step& s) { return s.op.rfind("FAIL", 0) == 0; }

}  // namespace

signature signature_of(const std::string& property, const std::vector<chk::trace_step>& trace) {
  signature sig;
  sig.property = property;
  const chk::trace_step* fail = nullptr;
  for (const auto& s : trace)
    if (is_fail(s)) fail = &s;
  auto take = [&sig](const chk::trace_step& s) {
    sig.function = s.function.empty() ? "?" : s.function;
    sig.where = s.location;
  };
  if (fail && fail->thread >= 0) {
    // Raised at a step of this thread: that step, or the thread's last step before the check's hook.
    if (!in_scenario_checks(*fail) && !fail->function.empty()) {
      take(*fail);
      return sig;
    }
    for (auto it = trace.rbegin(); it != trace.rend(); ++it)
      if (it->thread == fail->thread && !is_fail(*it) && it->op != "note" && !it->location.empty() &&
          !in_scenario_checks(*it)) {
        take(*it);
        return sig;
      }
  }
  // Judged at the end: whether a request was punted (io_wq_enqueue read its flags) but never
  // started (do_work never counted it as run or cancelled); then the io worker that stepped last.
  std::vector<std::string> punted, started;
  for (const auto& s : trace) {
    const auto hash = s.object.find('#');
    if (hash == std::string::npos) continue;
    const std::string base = s.object.substr(0, hash), index = s.object.substr(hash + 1);
    if (base == "work.flags" && s.function == "io_wq_enqueue") punted.push_back(index);
    if ((base == "work.ran" || base == "work.cancelled") && s.op == "write") started.push_back(index);
  }
  for (const auto& p : punted)
    if (std::find(started.begin(), started.end(), p) == started.end()) sig.stranded = true;
  std::vector<int> workers;
  for (const auto& s : trace)
    if (s.op == "note" && s.detail.find(" is iou-wrk (T") != std::string::npos) {
      const auto at = s.detail.find("(T");
      workers.push_back(std::stoi(s.detail.substr(at + 2)));
    }
  // A worker still alive at the end (asleep: in its idle loop, in a request) before one that exited.
  std::vector<int> exited;
  for (const auto& s : trace)
    if (s.op == "exit") exited.push_back(s.thread);
  for (bool alive : {true, false})
    for (auto it = trace.rbegin(); it != trace.rend(); ++it) {
      if (std::find(workers.begin(), workers.end(), it->thread) == workers.end()) continue;
      if (alive && std::find(exited.begin(), exited.end(), it->thread) != exited.end()) continue;
      if (it->op != "note" && !is_fail(*it) && !it->location.empty()) {
        take(*it);
        return sig;
      }
    }
  sig.function = "no worker";
  return sig;
}

const known_signature* match_known(const signature& s, const std::string& variant, bool* other_variant) {
  if (other_variant) *other_variant = false;
  const known_signature* elsewhere = nullptr;
  for (const auto& k : known_signatures()) {
    if (s.property != k.property || s.key() != k.function) continue;
    if (std::find(k.variants.begin(), k.variants.end(), variant) != k.variants.end()) return &k;
    elsewhere = &k;
  }
  if (other_variant) *other_variant = elsewhere != nullptr;
  return nullptr;
}

}  // namespace iowq::scn
