#include "chk/replay.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chk/trace_json.h"
#include "engine.h"

namespace chk {

using json = nlohmann::json;

failure_kind parse_failure_kind(const std::string& s) {
  for (int k = 0; k <= static_cast<int>(failure_kind::too_many_threads); ++k)
    if (s == to_string(static_cast<failure_kind>(k))) return static_cast<failure_kind>(k);
  throw replay_error("unknown failure kind \"" + s + "\"");
}

replay_file make_replay(const std::string& test, const options& o, const failure& f) {
  return {.test = test,
          .labels = {},
          .timeouts = o.timeouts,
          .max_timeouts = o.max_timeouts,
          .max_steps = o.max_steps,
          .rcu = o.rcu,
          .schedule = f.schedule,
          .kind = f.kind,
          .property = f.property,
          .message = f.message,
          .trace = f.trace};
}

std::string to_json(const replay_file& r) {
  json j;
  j["format"] = "iowq-verify-replay";
  j["format_version"] = replay_format_version;
  j["engine"] = engine_version;
  j["test"] = r.test;
  j["labels"] = r.labels;
  j["options"] = {{"timeouts", r.timeouts},
                  {"max_timeouts", r.max_timeouts},
                  {"max_steps", r.max_steps},
                  {"rcu", to_string(r.rcu)}};
  j["schedule"] = r.schedule;
  j["failure"] = {{"kind", to_string(r.kind)}, {"property", r.property}, {"message", r.message}};
  j["trace"] = trace_to_json(r.trace);
  return j.dump(1);
}

replay_file parse_replay(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw replay_error(std::string("not valid JSON: ") + e.what());
  }
  try {
    if (!j.is_object() || j.value("format", "") != "iowq-verify-replay")
      throw replay_error("not a replay file (no \"format\": \"iowq-verify-replay\")");
    int v = j.at("format_version").get<int>();
    if (v != replay_format_version)
      throw replay_error("replay format version " + std::to_string(v) + " is not supported (this build reads version " +
                         std::to_string(replay_format_version) + ")");
    std::string eng = j.at("engine").get<std::string>();
    if (eng != engine_version)
      throw replay_error("recorded by engine " + eng + ", this build is " + engine_version +
                         ": schedules of another engine version do not replay");
    replay_file r;
    r.test = j.at("test").get<std::string>();
    if (j.contains("labels")) r.labels = j.at("labels").get<std::map<std::string, std::string>>();
    const json& o = j.at("options");
    r.timeouts = o.at("timeouts").get<bool>();
    r.max_timeouts = o.at("max_timeouts").get<int>();
    r.max_steps = o.at("max_steps").get<int>();
    if (std::string e = step_bound_error(r.max_steps); !e.empty()) throw replay_error(e);
    if (o.contains("rcu")) {
      const std::string f = o.at("rcu").get<std::string>();
      const std::optional<rcu_flavour> rcu = parse_rcu_flavour(f);
      if (!rcu) throw replay_error("unknown rcu flavour \"" + f + "\" (preemptible or non-preemptible)");
      r.rcu = *rcu;
    }
    r.schedule = j.at("schedule").get<std::vector<std::int32_t>>();
    for (auto c : r.schedule)
      if (c >= max_threads || c < -128) throw replay_error("schedule holds an impossible choice " + std::to_string(c));
    const json& f = j.at("failure");
    r.kind = parse_failure_kind(f.at("kind").get<std::string>());
    r.property = f.value("property", "");
    r.message = f.at("message").get<std::string>();
    if (j.contains("trace")) r.trace = trace_from_json(j.at("trace"));
    return r;
  } catch (const json::exception& e) {
    throw replay_error(std::string("malformed replay file: ") + e.what());
  }
}

void save_replay(const std::string& path, const replay_file& r) {
  std::ofstream f(path);
  if (!f) throw replay_error("cannot write " + path);
  f << to_json(r) << "\n";
  if (!f) throw replay_error("cannot write " + path);
}

replay_file load_replay(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw replay_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_replay(ss.str());
}

namespace {

// Where two traces differ in their visible steps (the scheduling points, each with its thread,
// operation, object, value and source line). The non-atomic accesses recorded between them are
// annotations whose order inside one statement follows the compiler's order of evaluation, which
// differs between compilers (g++ and clang evaluate function arguments in opposite orders), so
// they are not compared.
std::string first_difference(const std::vector<trace_step>& want, const std::vector<trace_step>& got) {
  std::vector<const trace_step*> a, b;
  for (const auto& s : want)
    if (s.visible) a.push_back(&s);
  for (const auto& s : got)
    if (s.visible) b.push_back(&s);
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (!(*a[i] == *b[i]))
      return "step " + std::to_string(a[i]->step) + " was T" + std::to_string(a[i]->thread) + " " + a[i]->op + " " +
             a[i]->object + " at " + a[i]->location + ", is T" + std::to_string(b[i]->thread) + " " + b[i]->op + " " +
             b[i]->object + " at " + b[i]->location;
  if (a.size() != b.size())
    return std::to_string(a.size()) + " visible steps recorded, " + std::to_string(b.size()) + " replayed";
  return {};
}

}  // namespace

replay_outcome replay(const program& p, const replay_file& r) {
  if (r.test != p.name) throw replay_error("replay file is for test \"" + r.test + "\", not \"" + p.name + "\"");
  options o;
  o.timeouts = r.timeouts;
  o.max_timeouts = r.max_timeouts;
  o.max_steps = r.max_steps;
  o.rcu = r.rcu;
  o.schedule = r.schedule;
  o.collect_trace = false;
  engine e(p, o);
  e.enable_tracing();
  replay_outcome out;
  out.r = e.run();
  if (!out.r.fail) {
    out.why = "the schedule ran to the end without failure";
  } else if (out.r.fail->kind == failure_kind::nondeterminism && r.kind != failure_kind::nondeterminism) {
    out.why = out.r.fail->message;
  } else if (out.r.fail->kind != r.kind || out.r.fail->message != r.message) {
    out.why = std::string("a different failure: ") + to_string(out.r.fail->kind) + ": " + out.r.fail->message;
  } else if (std::string d = first_difference(r.trace, out.r.fail->trace); !r.trace.empty() && !d.empty()) {
    out.why = "the same failure, but the trace differs from the recorded one: " + d;
  } else {
    out.reproduced = true;
  }
  return out;
}

}  // namespace chk
