// iowq-verify: the command users run.
//   list      scenarios, variants and mutants, with what each checks and its bounds
//   check     runs a selection (scenarios x variants, or a mutant), prints counterexamples and
//             writes their replay files
//   replay    re-executes a replay file and confirms the recorded failure
//   report    the full matrix (every scenario x variant, every mutant) as Markdown, HTML, JUnit
//   merge     combines the results of shards (--shard I/N) into one verdict and report
//   litmus    the checker's own litmus catalog
// Exit codes: see exit_codes_help below (also printed by --help).
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <new>
#include <set>
#include <sstream>
#include <thread>

#include "chk/replay.h"
#include "chk/trace.h"
#include "litmus_cmd.h"
#include "realsrc/loader.h"
#include "reports.h"
#include "results.h"
#include "scenario.h"

namespace fs = std::filesystem;
using namespace iowq;
using iowq::tools::fmt_count;
using iowq::tools::row;

namespace {

constexpr int exit_usage = 2;

constexpr const char* exit_codes_help =
    "Exit codes:\n"
    "  check   0 every property verified (a sampling search, random or pct, that found nothing counts as 0),\n"
    "          1 a property violated: a counterexample was found (known findings and mutants included),\n"
    "          3 inconclusive: a budget (--max-executions, --time-limit) ran out before a search finished\n"
    "          and nothing was violated.\n"
    "  report, merge\n"
    "          0 every verdict is its expected answer (the matrix holds known findings and mutants that must\n"
    "          be caught, so a clean run with them is 0), 1 a verdict differs from its expected answer (a new\n"
    "          violation, or an expected one missing), 3 a budget ran out and nothing else differs.\n"
    "          With --shard I/N a report judges only its part: 1 for an unexpected violation, 3 when\n"
    "          inconclusive, else 0; merge gives the final answer.\n"
    "  replay  1 the recorded failure was reproduced (a property violated), 2 it was not.\n"
    "  kernel  1 the finding reproduced on the real kernel, 0 it did not, 3 the kernel did not build or\n"
    "          boot, the test program could not run, or the kernel printed a splat.\n"
    "  litmus  0 every litmus test gave its known answer, 1 otherwise.\n"
    "  all     2 usage or input error (bad flag, unknown scenario, variant or mutant, malformed or\n"
    "          mismatched file), with a one-line message on stderr.";

// Splits DPOR's search at this depth (every choice above it branched, DPOR below): the subtrees
// are independent, so shards and jobs add up to exactly the unsharded search, which uses the same
// split so that --jobs 1 and --jobs N explore the same executions.
constexpr int split_depth = 4;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One checkable unit: a scenario under a variant (every property), or a mutant in its scenario.
struct target {
  const scn::scenario* s = nullptr;
  config cfg;
  std::string mutant;    // empty for scenario targets
  std::string property;  // the mutant's property
};

std::string target_key(const target& t) {
  return t.mutant.empty() ? "scenario/" + t.s->name + "/" + to_string(t.cfg.v)
                          : "mutant/" + t.mutant + "@" + t.s->name + "/" + to_string(t.cfg.v);
}

std::string target_label(const target& t) {
  return t.mutant.empty() ? t.s->name + " under " + to_string(t.cfg.v)
                          : "mutant " + t.mutant + " in " + t.s->name + " under " + to_string(t.cfg.v);
}

struct search_spec {
  bool quick = false;
  std::string search;  // empty: the scenario's own
  std::uint64_t seed = 1;
  std::uint64_t max_executions = 0;
  double time_limit = 0;
  int shard_index = 0, shard_count = 1;
};

// The search of a target, without its shard.
chk::options options_for(const target& t, const search_spec& sp) {
  chk::options o = scn::options_for(*t.s, sp.quick);
  if (!sp.search.empty()) {
    const std::string& s = sp.search;
    const std::string bad = "bad --search " + s + " (expected dfs, dpor, bounded:K, random:N or pct:D)";
    auto arg = [&s, &bad](const char* prefix) -> long {
      std::string rest = s.substr(std::string(prefix).size());
      try {
        std::size_t used = 0;
        long v = std::stol(rest, &used);
        if (used == rest.size() && v >= 0) return v;
      } catch (...) {
      }
      throw usage_error(bad);
    };
    if (s == "dfs")
      o.search = chk::search_kind::dfs;
    else if (s == "dpor")
      o.search = chk::search_kind::dpor;
    else if (s.rfind("bounded:", 0) == 0)
      o.search = chk::search_kind::bounded, o.preemption_bound = static_cast<int>(arg("bounded:"));
    else if (s.rfind("random:", 0) == 0)
      o.search = chk::search_kind::random, o.iterations = static_cast<std::uint64_t>(arg("random:"));
    else if (s.rfind("pct:", 0) == 0)
      o.search = chk::search_kind::pct, o.pct_depth = static_cast<int>(arg("pct:")), o.iterations = 10000;
    else
      throw usage_error(bad);
  }
  if (auto m = mutant_by_name(t.mutant)) {
    const scn::mutant_kill* k = scn::kill_of(*m);
    if (k && k->preemption_bound >= 0 && sp.search.empty() && o.search == chk::search_kind::bounded)
      o.preemption_bound = k->preemption_bound;
  }
  o.seed = sp.seed;
  o.max_executions = sp.max_executions;
  o.time_limit_seconds = sp.time_limit;
  o.progress_interval = 0.25;
  return o;
}

bool exhaustive(const chk::options& o) {
  return o.search == chk::search_kind::dpor || o.search == chk::search_kind::dfs ||
         o.search == chk::search_kind::bounded;
}

// The search as --search spells it.
std::string search_spec_text(const chk::options& o) {
  switch (o.search) {
    case chk::search_kind::dfs:
      return "dfs";
    case chk::search_kind::dpor:
      return "dpor";
    case chk::search_kind::bounded:
      return "bounded:" + std::to_string(o.preemption_bound);
    case chk::search_kind::random:
      return "random:" + std::to_string(o.iterations);
    case chk::search_kind::pct:
      return "pct:" + std::to_string(o.pct_depth);
  }
  return "?";
}

// The engine names the shard in its bounds; a merged row covers every shard.
std::string without_shard(std::string b) {
  auto at = b.find(", shard ");
  if (at != std::string::npos) {
    auto end = b.find(',', at + 2);
    b.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  return b;
}

std::string replay_name(const std::string& id) { return tools::slug(id) + ".replay.json"; }

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// ---- progress ------------------------------------------------------------------------------------

// Counters the searching processes update and the printing thread reads: in memory shared across
// fork(), so that the jobs of --jobs N report into one line.
class progress_board {
 public:
  struct job {
    std::atomic<std::uint64_t> done_executions{0};  // of finished targets
    std::atomic<std::uint64_t> executions{0};       // of the target running now
    std::atomic<std::uint32_t> current{0};          // index of the target running now
    std::atomic<bool> busy{false};                  // running a target
  };
  struct tgt {
    std::atomic<std::uint32_t> jobs_done{0}, violated{0}, inconclusive{0};
  };
  struct head {
    std::atomic<std::size_t> next{0};
  };

  progress_board(int jobs, std::size_t targets) : njobs_(jobs), ntargets_(targets) {
    size_ =
        sizeof(head) + sizeof(job) * static_cast<std::size_t>(jobs) + sizeof(tgt) * std::max<std::size_t>(targets, 1);
    mem_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem_ == MAP_FAILED) throw std::runtime_error("cannot map the progress counters");
    head_ = new (mem_) head;
    jobs_ = reinterpret_cast<job*>(head_ + 1);
    for (int i = 0; i < jobs; ++i) new (&jobs_[i]) job;
    tgts_ = reinterpret_cast<tgt*>(jobs_ + jobs);
    for (std::size_t i = 0; i < targets; ++i) new (&tgts_[i]) tgt;
  }
  ~progress_board() { munmap(mem_, size_); }
  progress_board(const progress_board&) = delete;
  progress_board& operator=(const progress_board&) = delete;

  // The next target to take, for jobs that split the work by target.
  std::size_t take() { return head_->next.fetch_add(1); }
  job& at_job(int j) { return jobs_[j]; }
  tgt& at_target(std::size_t k) { return tgts_[k]; }
  int jobs() const { return njobs_; }
  std::uint32_t runs_per_target = 1;  // jobs that each run a part of every target, or 1
  std::size_t targets() const { return ntargets_; }

 private:
  void* mem_ = nullptr;
  std::size_t size_ = 0;
  int njobs_ = 1;
  std::size_t ntargets_ = 0;
  head* head_ = nullptr;
  job* jobs_ = nullptr;
  tgt* tgts_ = nullptr;
};

// Prints the progress line on stderr once the run is longer than a second: on a terminal rewritten
// in place every second, otherwise (CI logs) a plain line every 10 seconds.
class progress_printer {
 public:
  progress_printer(progress_board& b, std::vector<std::string> names)
      : board_(b), names_(std::move(names)), tty_(isatty(2) != 0), t0_(std::chrono::steady_clock::now()) {}
  ~progress_printer() { stop(); }

  void start() {
    th_ = std::thread([this] { loop(); });
  }
  void stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (th_.joinable()) th_.join();
    erase();
  }
  // Output on the terminal must not interleave with the progress line: hold this while printing.
  std::unique_lock<std::mutex> hold() {
    std::unique_lock<std::mutex> l(out_);
    erase_locked();
    return l;
  }

 private:
  void loop() {
    std::unique_lock<std::mutex> l(mu_);
    double last = 0;
    const double every = tty_ ? 1.0 : 10.0;
    while (!stopping_) {
      cv_.wait_for(l, std::chrono::milliseconds(250));
      if (stopping_) break;
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
      if (t < 1.0 || t - last < every) continue;
      last = t;
      std::string line = text(t);
      std::lock_guard<std::mutex> o(out_);
      if (tty_) {
        struct winsize ws {};
        std::size_t width = ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10 ? ws.ws_col - 1 : 119;
        if (line.size() > width) line.resize(width);
        std::fprintf(stderr, "\r%s\033[K", line.c_str());
        shown_ = true;
      } else {
        std::fprintf(stderr, "%s\n", line.c_str());
      }
      std::fflush(stderr);
    }
  }
  std::string text(double t) {
    std::uint64_t ex = 0;
    for (int j = 0; j < board_.jobs(); ++j)
      ex += board_.at_job(j).done_executions.load() + board_.at_job(j).executions.load();
    std::size_t done = 0, violated = 0, inconclusive = 0;
    for (std::size_t k = 0; k < board_.targets(); ++k) {
      auto& g = board_.at_target(k);
      if (g.jobs_done.load() < board_.runs_per_target) continue;
      ++done;
      if (g.violated.load())
        ++violated;
      else if (g.inconclusive.load())
        ++inconclusive;
    }
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        "iowq-verify [%.0f s] %s executions, %s/s; %zu/%zu targets: %zu verified, %zu violated, %zu inconclusive", t,
        fmt_count(ex).c_str(), fmt_count(static_cast<std::uint64_t>(static_cast<double>(ex) / t)).c_str(), done,
        board_.targets(), done - violated - inconclusive, violated, inconclusive);
    std::string s = buf;
    if (board_.jobs() > 1) s += "; " + std::to_string(board_.jobs()) + " jobs";
    // What is running now (for the last, longest targets).
    std::set<std::uint32_t> now;
    for (int j = 0; j < board_.jobs(); ++j) {
      const std::uint32_t k = board_.at_job(j).current.load();
      if (k < names_.size() && board_.at_job(j).busy.load() &&
          board_.at_target(k).jobs_done.load() < board_.runs_per_target)
        now.insert(k);
    }
    std::string list;
    for (auto k : now) list += (list.empty() ? "" : ", ") + names_[k];
    if (!list.empty()) s += "; now " + list;
    return s;
  }
  void erase() {
    std::lock_guard<std::mutex> o(out_);
    erase_locked();
  }
  void erase_locked() {
    if (!shown_) return;
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    shown_ = false;
  }

  progress_board& board_;
  std::vector<std::string> names_;
  bool tty_;
  std::chrono::steady_clock::time_point t0_;
  std::thread th_;
  std::mutex mu_, out_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shown_ = false;
};

// ---- running targets -----------------------------------------------------------------------------

// The part of the work one process does: shard `part` of `parts` of every exhaustive search (the
// engine's schedule-prefix sharding), and the whole of every sampling search it owns.
struct part_spec {
  int engine_index = 0, engine_count = 1;  // the engine's shard of exhaustive searches
  int row_index = 0, row_count = 1;        // what the rows record (merged with the other rows later)
  // Sampling searches cannot be split: target k runs here iff k % owner_mod == owner_is (after the
  // outer shard took its targets: k % outer_count == outer_index).
  int outer_index = 0, outer_count = 1, job = 0, jobs = 1;
  bool owns(std::size_t k) const {
    if (static_cast<int>(k % static_cast<std::size_t>(outer_count)) != outer_index) return false;
    return static_cast<int>((k / static_cast<std::size_t>(outer_count)) % static_cast<std::size_t>(jobs)) == job;
  }
};

row placeholder(const target& t, const part_spec& ps) {
  row r;
  r.group = t.mutant.empty() ? "scenario" : "mutant";
  r.target = target_key(t);
  r.id = r.target;
  r.scenario = t.s->name;
  r.variant = to_string(t.cfg.v);
  r.mutant = t.mutant;
  r.verdict = "not-run";
  r.shard_index = ps.row_index;
  r.shard_count = ps.row_count;
  return r;
}

// Runs one target (its part), every property judged separately; returns its rows.
std::vector<row> run_target(const target& t, std::size_t k, const search_spec& sp, const part_spec& ps,
                            progress_board* board, int job) {
  chk::options o = options_for(t, sp);
  if (!exhaustive(o) && !ps.owns(k)) return {placeholder(t, ps)};
  if (exhaustive(o)) {
    o.split_depth = split_depth;
    o.shard_index = ps.engine_index;
    o.shard_count = ps.engine_count;
  }
  if (board) {
    auto* slot = &board->at_job(job);
    slot->current.store(static_cast<std::uint32_t>(k));
    slot->busy.store(true);
    auto base = std::make_shared<std::pair<std::uint64_t, std::uint64_t>>(0, 0);  // earlier searches, last seen
    o.on_progress = [slot, base](const chk::progress& p) {
      if (p.executions < base->second) base->first += base->second;  // a new search of the same target
      base->second = p.executions;
      slot->executions.store(base->first + p.executions);
    };
  }
  auto verdicts = scn::check_properties(*t.s, t.cfg, o);
  const std::string variant = to_string(t.cfg.v);
  const variant_info& vi = info(t.cfg.v);
  std::vector<std::string> expected = vi.expected ? vi.expected(t.s->name) : t.s->expected_violations(variant);
  std::vector<row> rows;
  for (const auto& pv : verdicts) {
    if (!t.mutant.empty() && pv.property != t.property) continue;
    row r;
    r.group = t.mutant.empty() ? "scenario" : "mutant";
    r.target = target_key(t);
    r.scenario = t.s->name;
    r.variant = variant;
    r.mutant = t.mutant;
    r.property = pv.property;
    r.id = t.mutant.empty() ? t.s->name + "/" + variant + "/" + pv.property
                            : "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    if (t.mutant.empty()) {
      r.summary = t.s->summary;
      const bool known = std::find(expected.begin(), expected.end(), pv.property) != expected.end();
      r.expected = known ? "violated:" + pv.property : "verified";
      for (const auto& f : t.s->findings)
        if (known && f.variant == variant && f.property == pv.property) r.note = f.why;
      if (known && vi.note) r.note = vi.note(t.s->name, pv.property);
    } else {
      auto m = mutant_by_name(t.mutant);
      r.summary = std::string(info(*m).description) +
                  (info(*m).history[0] ? std::string(" [re-introduces ") + info(*m).history + "]" : "");
      r.expected = "violated:" + t.property;
    }
    for (auto q : pv.active) r.properties.push_back(scn::to_string(q));
    r.verdict = chk::to_string(pv.r.v);
    r.bounds = t.s->bounds() + "; " + without_shard(pv.r.bounds);
    r.search = search_spec_text(o);
    r.executions = pv.r.st.executions;
    r.pruned = pv.r.st.pruned;
    r.max_depth = pv.r.st.max_depth;
    r.seconds = pv.r.st.seconds;
    r.complete = pv.r.st.complete;
    r.shard_index = ps.row_index;
    r.shard_count = ps.row_count;
    if (pv.r.fail) {
      r.violated = pv.property;
      r.failure_kind = chk::to_string(pv.r.fail->kind);
      r.failure_message = pv.r.fail->message;
      r.failure_location = pv.r.fail->location;
      r.trace = pv.r.fail->trace;
      chk::replay_file f = chk::make_replay(t.s->name + "/" + variant, o, *pv.r.fail);
      f.labels["scenario"] = t.s->name;
      f.labels["variant"] = variant;
      f.labels["mutant"] = t.mutant;
      std::string props;
      for (auto q : pv.active) props += (props.empty() ? "" : ",") + std::string(scn::to_string(q));
      f.labels["properties"] = props;
      for (const auto& [k, val] : info(t.cfg.v).replay_labels) f.labels[k] = val;
      r.replay = nlohmann::json::parse(chk::to_json(f));
    }
    r.as_expected = tools::matches_expectation(r);
    rows.push_back(std::move(r));
  }
  // In the order of the scenario's properties, whatever order the searches judged them in.
  auto rank = [&t](const row& r) {
    for (std::size_t i = 0; i < t.s->props.size(); ++i)
      if (r.property == scn::to_string(t.s->props[i])) return i;
    return t.s->props.size();
  };
  std::stable_sort(rows.begin(), rows.end(), [&rank](const row& a, const row& b) { return rank(a) < rank(b); });
  if (!t.mutant.empty() && rows.empty()) {
    // The search never judged the mutant's property (another failure ended it): not killed.
    row r = placeholder(t, ps);
    r.id = "mutant/" + t.mutant + " (" + t.s->name + ", " + variant + ")";
    r.property = t.property;
    r.expected = "violated:" + t.property;
    r.verdict = "inconclusive";
    r.bounds = t.s->bounds();
    r.search = search_spec_text(o);
    for (const auto& pv : verdicts) {
      r.executions += pv.r.st.executions;
      r.seconds += pv.r.st.seconds;
      if (pv.r.fail)
        r.failure_message = "the mutant's property was not judged: a failure of " + pv.property + " (" +
                            pv.r.fail->message + ") ended the search";
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void report_done(progress_board* board, int job, std::size_t k, const std::vector<row>& rows) {
  if (!board) return;
  std::vector<const row*> ps;
  bool violated = false, inconclusive = false;
  for (const auto& r : rows) {
    if (r.verdict == "not-run") continue;
    ps.push_back(&r);
    violated |= r.verdict == "violated";
    inconclusive |= r.verdict == "inconclusive";
  }
  auto& slot = board->at_job(job);
  slot.done_executions += tools::summarize(ps).executions;
  slot.executions.store(0);
  slot.busy.store(false);
  auto& g = board->at_target(k);
  if (violated) g.violated += 1;
  if (inconclusive) g.inconclusive += 1;
  g.jobs_done += 1;
}

// Writes the replay files of violated rows into `dir`; each row's replay_file becomes `prefix` +
// the file's name (a path relative to where the report or the user is).
void save_replays(std::vector<row>& rows, const std::string& dir, const std::string& prefix) {
  for (auto& r : rows) {
    if (r.verdict != "violated" || r.replay.is_null()) continue;
    fs::create_directories(dir);
    const std::string name = replay_name(r.id);
    chk::save_replay((fs::path(dir) / name).string(), chk::parse_replay(r.replay.dump()));
    r.replay_file = prefix + name;
  }
}

void print_rows(const std::vector<row>& rows) {
  std::string last;
  for (const auto& r : rows) {
    if (r.verdict == "not-run") continue;
    if (r.target != last) {
      last = r.target;
      std::printf("== %s%s%s [%s]\n", r.mutant.empty() ? "" : ("mutant " + r.mutant + " in ").c_str(),
                  r.scenario.c_str(), (" under " + r.variant).c_str(), r.bounds.c_str());
    }
    std::string verdict = r.verdict + (r.violated.empty() || r.violated == r.property ? "" : " (" + r.violated + ")");
    std::printf("   %-13s %-14s %s executions, %.2f s%s\n", r.property.c_str(), verdict.c_str(),
                fmt_count(r.executions).c_str(), r.seconds,
                r.verdict == "inconclusive"                    ? "   (a budget ran out)"
                : !r.as_expected                               ? ("   UNEXPECTED: expected " + r.expected).c_str()
                : r.verdict == "violated" && !r.mutant.empty() ? "   (mutant killed)"
                : r.verdict == "violated"                      ? "   (a known finding)"
                                                               : "");
    if (r.verdict == "inconclusive" && !r.failure_message.empty()) std::printf("      %s\n", r.failure_message.c_str());
    if (r.verdict == "violated") {
      std::printf("      %s: %s%s\n", r.failure_kind.c_str(), r.failure_message.c_str(),
                  r.failure_location.empty() ? "" : (" at " + r.failure_location).c_str());
      if (!r.replay_file.empty()) std::printf("      replay: iowq-verify replay %s\n", r.replay_file.c_str());
      std::printf("\n%s\n", chk::format_trace_columns(r.trace, 38).c_str());
    }
  }
  std::fflush(stdout);
}

// One line per verdict that is not its expected answer, with the bounds it was reached within.
void print_unexpected(const std::vector<row>& rows) {
  for (const auto& r : rows)
    if (!r.as_expected)
      std::printf("UNEXPECTED %s: expected %s, got %s%s [%s]\n", r.id.c_str(), r.expected.c_str(), r.verdict.c_str(),
                  r.violated.empty() ? "" : (" (" + r.violated + ")").c_str(), r.bounds.c_str());
}

struct run_request {
  std::vector<target> targets;
  search_spec sp;
  int jobs = 1;
  std::string replay_dir, replay_prefix;  // empty dir: no replay files
  bool print = false;
};

// Runs the targets: with one job here, target after target (printing as it goes). With N jobs in N
// processes: when there are at least N targets each job takes the next target nobody took yet and
// runs it whole; with fewer, job j runs the engine's shard j (by schedule prefix) of every
// exhaustive search and its share of the sampling ones, and the parent merges their rows. Either
// way the rows are those of one process doing it all, in the same order.
std::vector<row> run_targets(const run_request& rq) {
  const auto& targets = rq.targets;
  const search_spec& sp = rq.sp;
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(target_label(t));
  const int jobs = std::max(1, rq.jobs);
  progress_board board(jobs, targets.size());
  progress_printer printer(board, names);

  if (jobs == 1) {
    part_spec ps;
    ps.engine_index = ps.row_index = ps.outer_index = sp.shard_index;
    ps.engine_count = ps.row_count = ps.outer_count = sp.shard_count;
    printer.start();
    std::vector<row> all;
    for (std::size_t k = 0; k < targets.size(); ++k) {
      auto rows = run_target(targets[k], k, sp, ps, &board, 0);
      report_done(&board, 0, k, rows);
      if (!rq.replay_dir.empty()) save_replays(rows, rq.replay_dir, rq.replay_prefix);
      if (rq.print) {
        auto hold = printer.hold();
        print_rows(rows);
      }
      all.insert(all.end(), rows.begin(), rows.end());
    }
    printer.stop();
    return all;
  }

  // Several targets: each job takes the next target not taken yet and runs it whole (its part of
  // the outer shard). Fewer targets than jobs: job j runs the engine's shard j of every target.
  const bool by_target = targets.size() >= static_cast<std::size_t>(jobs);
  board.runs_per_target = by_target ? 1 : static_cast<std::uint32_t>(jobs);
  // The order jobs take targets in: searches that raise the preemption bound above the scenario's
  // own (some mutants' kills) are the longest single targets, so they start first and no job waits
  // for one at the end.
  std::vector<std::size_t> order;
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const chk::options o = options_for(targets[k], sp);
      const chk::options own = scn::options_for(*targets[k].s, sp.quick);
      const bool raised = o.search == chk::search_kind::bounded && own.search == chk::search_kind::bounded &&
                          o.preemption_bound > own.preemption_bound;
      if (raised == (pass == 0)) order.push_back(k);
    }
  std::string tmpl = (fs::temp_directory_path() / "iowq-verify-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
  const fs::path tmp = tmpl;
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<pid_t> kids;
  for (int j = 0; j < jobs; ++j) {
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphaned searches when the parent is killed
      if (getppid() == 1) std::_Exit(4);
      int rc = 0;
      try {
        part_spec ps;
        ps.outer_index = sp.shard_index;
        ps.outer_count = sp.shard_count;
        std::vector<row> rows;
        if (by_target) {
          ps.engine_index = ps.row_index = sp.shard_index;
          ps.engine_count = ps.row_count = sp.shard_count;
          for (std::size_t n = board.take(); n < order.size(); n = board.take()) {
            const std::size_t k = order[n];
            auto r = run_target(targets[k], k, sp, ps, &board, j);
            report_done(&board, j, k, r);
            rows.insert(rows.end(), r.begin(), r.end());
          }
        } else {
          // Shard j of the outer shard I/N: the engine's shard I + N*j of N*jobs holds exactly the
          // prefixes of shard I/N that job j takes.
          ps.engine_index = sp.shard_index + sp.shard_count * j;
          ps.engine_count = sp.shard_count * jobs;
          ps.row_index = j;
          ps.row_count = jobs;
          ps.job = j;
          ps.jobs = jobs;
          for (std::size_t k = 0; k < targets.size(); ++k) {
            auto r = run_target(targets[k], k, sp, ps, &board, j);
            report_done(&board, j, k, r);
            rows.insert(rows.end(), r.begin(), r.end());
          }
        }
        std::ofstream f(tmp / ("job" + std::to_string(j) + ".json"));
        f << tools::to_json(rows, {}).dump();
        f.close();
        if (!f) throw std::runtime_error("cannot write the results of job " + std::to_string(j));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "iowq-verify: job %d: %s\n", j, one_line(e.what()).c_str());
        rc = 4;
      }
      std::fflush(stderr);
      std::_Exit(rc);
    }
    kids.push_back(pid);
  }
  printer.start();
  bool ok = true;
  for (pid_t k : kids) {
    int st = 0;
    while (waitpid(k, &st, 0) < 0 && errno == EINTR) {
    }
    ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
  }
  printer.stop();
  std::vector<row> parts;
  if (ok) {
    for (int j = 0; j < jobs; ++j) {
      std::ifstream f(tmp / ("job" + std::to_string(j) + ".json"));
      auto rows = tools::rows_from_json(nlohmann::json::parse(f));
      parts.insert(parts.end(), rows.begin(), rows.end());
    }
  }
  fs::remove_all(tmp);
  if (!ok) throw std::runtime_error("a job process failed");
  std::vector<row> merged;
  if (by_target) {
    // Back in the order of the targets.
    std::map<std::string, std::size_t> index;
    for (std::size_t k = 0; k < targets.size(); ++k) index[target_key(targets[k])] = k;
    std::set<std::string> seen;
    for (const auto& r : parts) seen.insert(r.target);
    if (seen.size() != targets.size()) throw std::runtime_error("a target was not run by any job");
    merged = std::move(parts);
    std::stable_sort(merged.begin(), merged.end(),
                     [&index](const row& a, const row& b) { return index.at(a.target) < index.at(b.target); });
  } else {
    std::string err;
    merged = tools::merge_rows(parts, &err);
    if (!err.empty()) throw std::runtime_error(err);
    for (auto& r : merged) {
      r.shard_index = sp.shard_index;
      r.shard_count = sp.shard_count;
      r.merged_from = 1;
    }
  }
  if (!rq.replay_dir.empty()) save_replays(merged, rq.replay_dir, rq.replay_prefix);
  if (rq.print) print_rows(merged);
  return merged;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

std::string command_line(int argc, char** argv) {
  std::string s = "iowq-verify";
  for (int i = 1; i < argc; ++i) s += std::string(" ") + argv[i];
  return s;
}

void write_json(const std::string& path, const std::vector<row>& rows, const tools::run_info& info) {
  std::ofstream f(path);
  if (!f) throw usage_error("cannot write " + path);
  f << tools::to_json(rows, info).dump(1) << "\n";
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path);
}

void write_reports(const std::string& dir, const std::vector<row>& rows, const tools::run_info& info) {
  fs::create_directories(dir);
  tools::write_markdown((fs::path(dir) / "report.md").string(), rows, info);
  tools::write_html((fs::path(dir) / "report.html").string(), rows, info);
  tools::write_junit((fs::path(dir) / "junit.xml").string(), rows, info);
  write_json((fs::path(dir) / "results.json").string(), rows, info);
}

std::pair<int, int> parse_shard(const std::string& s) {
  auto slash = s.find('/');
  try {
    if (slash == std::string::npos) throw 0;
    std::size_t a = 0, b = 0;
    int i = std::stoi(s.substr(0, slash), &a);
    int n = std::stoi(s.substr(slash + 1), &b);
    if (a != slash || b != s.size() - slash - 1 || n < 1 || n > 1024 || i < 0 || i >= n) throw 0;
    return {i, n};
  } catch (...) {
    throw usage_error("bad --shard " + s + " (expected I/N with 0 <= I < N)");
  }
}

int cmd_list() {
  std::printf("Scenarios (the properties each checks; its bounds):\n");
  for (const auto& s : scn::all()) {
    std::string props;
    for (auto p : s.props) props += (props.empty() ? "" : ", ") + std::string(scn::to_string(p));
    std::printf("  %-26s %s\n  %-26s owner: %s (%s)\n  %-26s checks: %s\n  %-26s bounds: %s; search: %s\n",
                s.name.c_str(), s.summary.c_str(), "", s.owner.text().c_str(),
                s.owner.uses_api() ? "io-wq API contract" : "reachable through io_uring", "", props.c_str(), "",
                s.bounds().c_str(),
                s.preemption_bound >= 0 ? ("at most " + std::to_string(s.preemption_bound) + " preemptions").c_str()
                                        : "all interleavings (DPOR)");
  }
  std::printf("\nVariants:\n");
  for (variant v : all_variants()) std::printf("  %-24s %s\n", to_string(v), info(v).summary.c_str());
  std::printf("\nMutants (each killed by its property in the scenario named):\n");
  for (const auto& m : all_mutants()) {
    std::string where;
    if (const scn::mutant_kill* k = scn::kill_of(m.id))
      where = std::string("killed in ") + k->scenario + " under " + to_string(k->v);
    for (const auto& u : scn::unkilled_mutants())
      if (u.mutant == m.id) where = std::string("not killed: ") + u.reason;
    std::printf("  %-32s %s\n  %-32s property %s, %s%s\n", m.name, m.description, "", m.property, where.c_str(),
                m.history[0] ? (std::string("; re-introduces the bug of ") + m.history).c_str() : "");
  }
  return 0;
}

int cmd_replay(const std::string& file, const std::string& trace_format) {
  chk::replay_file f;
  chk::replay_outcome out;
  if (!std::ifstream(file)) throw usage_error("cannot read " + file);
  try {
    f = chk::load_replay(file);
    if (auto src = f.labels.find("kernel_src"); src != f.labels.end()) {
      // A real-source run: load the same tree with the same patches first.
      std::vector<std::string> patches;
      std::istringstream ps(f.labels["patches"]);
      for (std::string p; std::getline(ps, p);)
        if (!p.empty()) patches.push_back(p);
      const variant v = realsrc::register_tree(src->second, patches, stderr);
      const std::string now = info(v).replay_labels.at("io_wq_sha256"), then = f.labels["io_wq_sha256"];
      if (now != then)
        throw usage_error("the patched io-wq.c of " + src->second +
                          " is not the one this replay was recorded on (sha256 " + then.substr(0, 12) + ", now " +
                          now.substr(0, 12) + ")");
    }
    out = scn::replay(f);
  } catch (const chk::replay_error& e) {
    throw usage_error(file + ": " + e.what());
  }
  if (out.r.fail) {
    if (trace_format == "json") {
      chk::replay_file again = f;
      again.trace = out.r.fail->trace;
      std::printf("%s\n", chk::to_json(again).c_str());
    } else {
      auto label = [&f](const char* k) {
        auto it = f.labels.find(k);
        return it == f.labels.end() ? std::string() : it->second;
      };
      std::printf("== %s%s under %s\n\n%s\n",
                  label("mutant").empty() ? "" : ("mutant " + label("mutant") + " in ").c_str(),
                  label("scenario").c_str(), label("variant").c_str(),
                  chk::format_trace_columns(out.r.fail->trace, 38).c_str());
    }
  }
  std::fflush(stdout);
  if (!out.reproduced) throw usage_error(file + ": replay did not reproduce the recorded failure: " + out.why);
  std::fprintf(trace_format == "json" ? stderr : stdout, "reproduced: %s%s: %s\n", chk::to_string(out.r.fail->kind),
               out.r.fail->property.empty() ? "" : (" [" + out.r.fail->property + "]").c_str(),
               out.r.fail->message.c_str());
  return 1;
}

std::vector<row> read_results(const std::string& file) {
  std::ifstream f(file);
  if (!f) throw usage_error("cannot read " + file);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(f);
  } catch (const nlohmann::json::exception&) {
    throw usage_error(file + ": not valid JSON");
  }
  try {
    return tools::rows_from_json(j);
  } catch (const std::runtime_error& e) {
    throw usage_error(file + ": " + e.what());
  }
}

// The kernel harness is a script in the source tree (it drives make, gcc, cpio and QEMU); run it
// in place of this process, with the same arguments and exit codes.
int cmd_kernel(const std::vector<std::string>& args) {
  const std::string script = std::string(IOWQ_SOURCE_DIR) + "/kernel/iowq-kernel";
  if (access(script.c_str(), X_OK) != 0) throw usage_error("the kernel harness " + script + " is missing");
  std::vector<char*> argv{const_cast<char*>("python3"), const_cast<char*>(script.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::fflush(stdout);
  execvp("python3", argv.data());
  throw usage_error(std::string("cannot run python3: ") + std::strerror(errno));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"iowq-verify: model checking, replay and reports for io-wq's exit-on-idle patch"};
  app.require_subcommand(1, 1);
  app.footer(exit_codes_help);

  app.add_subcommand("list", "list scenarios, variants and mutants with what they check and their bounds");

  auto* check = app.add_subcommand("check", "check scenarios under variants (or a mutant), printing counterexamples");
  check->footer(exit_codes_help);
  std::vector<std::string> scenarios, variants, kernel_patches;
  std::string kernel_src;
  std::string mutant, search, json_out, shard = "0/1", out_dir = "iowq-verify-out";
  search_spec sp;
  int jobs = 1;
  check->add_option("--scenario", scenarios, "scenario to check (repeatable; default: all)");
  check->add_option("--variant", variants, "variant to check (repeatable; default: all)");
  check->add_option("--mutant", mutant, "run this mutant (in its kill scenario unless --scenario is given)");
  auto add_search_options = [&](CLI::App* sub) {
    sub->add_option("--search", search, "dfs | dpor | bounded:K | random:N | pct:D (default: each scenario's own)");
    sub->add_option("--seed", sp.seed, "seed of random and pct searches");
    sub->add_option("--max-executions", sp.max_executions, "stop each search after this many executions");
    sub->add_option("--time-limit", sp.time_limit, "stop each search after this many seconds");
    sub->add_option("--jobs", jobs,
                    "processes to split the work over (by target; by schedule prefix when fewer targets than jobs)")
        ->check(CLI::Range(1, 64));
    sub->add_option("--shard", shard,
                    "run part I of N (I/N) of every search, by schedule prefix, for a CI matrix; see merge");
    sub->add_option("--json", json_out, "write the results as JSON to this file (the input of merge)");
    sub->add_flag("--quick", sp.quick, "the test suite's preemption-bounded search instead of the full one");
    sub->add_option("--kernel-src", kernel_src,
                    "check the real io_uring/io-wq.c of this kernel tree (compiled unmodified), as variant "
                    "linux-VERSION[+PATCH...]; without --variant, only that variant");
    sub->add_option("--patch", kernel_patches, "with --kernel-src: apply this patch first (repeatable, in order)");
  };
  add_search_options(check);
  check->add_option("--out", out_dir, "directory for replay files (default iowq-verify-out)");

  auto* replay = app.add_subcommand("replay", "re-execute a replay file and confirm the recorded failure");
  replay->footer(exit_codes_help);
  std::string replay_file, trace_format = "text";
  replay->add_option("file", replay_file, "replay file")->required();
  replay->add_option("--trace", trace_format, "text | json")->check(CLI::IsMember({"text", "json"}));

  auto* report =
      app.add_subcommand("report", "run the full matrix and write report.md, report.html, junit.xml, results.json");
  report->footer(exit_codes_help);
  std::string report_dir = "report";
  report->add_option("--out", report_dir, "output directory (default report)");
  report->add_option("--scenario", scenarios,
                     "only this scenario (repeatable; default: all), with the mutants killed in it");
  report->add_option("--variant", variants, "only this variant (repeatable; default: all)");
  add_search_options(report);

  auto* merge = app.add_subcommand("merge", "combine shard results (--shard I/N --json) into one verdict and report");
  merge->footer(exit_codes_help);
  std::vector<std::string> merge_files;
  std::string merge_out;
  merge->add_option("files", merge_files, "results files of the shards (results.json or --json output)")->required();
  merge->add_option("--out", merge_out, "also write the report files (and replay files) to this directory");
  merge->add_option("--json", json_out, "write the merged results as JSON to this file");

  auto* kernel = app.add_subcommand(
      "kernel", "reproduce a finding on a real kernel under QEMU (kernel/iowq-kernel; `kernel --help` for options)");
  kernel->prefix_command();
  kernel->set_help_flag();

  auto* litmus = app.add_subcommand("litmus", "run the checker's litmus catalog under DFS and DPOR");
  std::string litmus_json;
  litmus->add_option("--json", litmus_json, "also write the results as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "iowq-verify: %s (see --help)\n", one_line(e.what()).c_str());
    return exit_usage;
  }

  try {
    const auto t0 = std::chrono::steady_clock::now();
    tools::run_info info;
    info.command = command_line(argc, argv);
    info.started = now_utc();
    info.jobs = jobs;

    if (kernel->parsed()) return cmd_kernel(kernel->remaining());

    if (app.got_subcommand("list")) return cmd_list();

    if (replay->parsed()) return cmd_replay(replay_file, trace_format);

    if (litmus->parsed()) {
      auto rows = tools::run_litmus(isatty(2));
      tools::print_litmus_table(std::cout, rows);
      if (!litmus_json.empty()) {
        std::ofstream f(litmus_json);
        if (!f) throw usage_error("cannot write " + litmus_json);
        f << tools::litmus_json(rows).dump(2) << "\n";
      }
      for (const auto& r : rows)
        if (!r.matches) return 1;
      return 0;
    }

    if (merge->parsed()) {
      std::vector<row> parts;
      for (const auto& file : merge_files) {
        auto r = read_results(file);
        parts.insert(parts.end(), r.begin(), r.end());
      }
      std::string err;
      auto rows = tools::merge_rows(parts, &err);
      if (!err.empty()) throw usage_error(err);
      for (const auto& r : rows)
        if (r.verdict == "not-run") throw usage_error("no shard ran " + r.target);
      info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!merge_out.empty()) {
        save_replays(rows, (fs::path(merge_out) / "replays").string(), "replays/");
        write_reports(merge_out, rows, info);
      }
      std::size_t ok = 0;
      for (const auto& r : rows) ok += r.as_expected;
      print_unexpected(rows);
      std::printf("merged %zu files: %zu of %zu verdicts as expected\n", merge_files.size(), ok, rows.size());
      if (!merge_out.empty())
        std::printf("report written to %s/report.html (and report.md, junit.xml, results.json, replays/)\n",
                    merge_out.c_str());
      if (!json_out.empty()) write_json(json_out, rows, info);
      return tools::report_exit_code(rows);
    }

    // check or report: the targets.
    std::tie(sp.shard_index, sp.shard_count) = parse_shard(shard);
    sp.search = search;
    {
      // Validate --search before any work.
      target probe{&scn::all().front(), {}, "", ""};
      (void)options_for(probe, sp);
    }
    std::vector<target> targets;
    std::vector<variant> vs;
    if (kernel_src.empty() && !kernel_patches.empty()) throw usage_error("--patch needs --kernel-src");
    if (!kernel_src.empty()) vs.push_back(realsrc::register_tree(kernel_src, kernel_patches, stderr));
    for (const auto& n : variants) {
      auto v = variant_by_name(n);
      if (!v) throw usage_error("unknown variant \"" + n + "\" (see iowq-verify list)");
      vs.push_back(*v);
    }
    if (vs.empty()) vs = builtin_variants();
    std::vector<const scn::scenario*> ss;
    for (const auto& n : scenarios) {
      const scn::scenario* s = scn::find(n);
      if (!s) throw usage_error("unknown scenario \"" + n + "\" (see iowq-verify list)");
      ss.push_back(s);
    }
    const bool is_report = report->parsed();
    if (!mutant.empty()) {
      auto m = mutant_by_name(mutant);
      if (!m) throw usage_error("unknown mutant \"" + mutant + "\" (see iowq-verify list)");
      const scn::mutant_kill* kill = scn::kill_of(*m);
      std::vector<const scn::scenario*> ms = ss;
      std::vector<variant> mv = variants.empty() ? std::vector<variant>{} : vs;
      if (ms.empty()) {
        if (!kill) throw usage_error("mutant " + mutant + " has no kill scenario: give --scenario");
        ms.push_back(scn::find(kill->scenario));
      }
      if (mv.empty()) mv.push_back(kill ? kill->v : variant::v1);
      for (auto* s : ms)
        for (variant v : mv) {
          target t{s, {}, mutant, iowq::info(*m).property};
          t.cfg.v = v;
          t.cfg.with(*m);
          targets.push_back(t);
        }
    } else {
      if (ss.empty())
        for (const auto& s : scn::all()) ss.push_back(&s);
      for (auto* s : ss)
        for (variant v : vs) {
          target t{s, {}, "", ""};
          t.cfg.v = v;
          targets.push_back(t);
        }
      if (is_report)
        for (const auto& k : scn::mutant_kills()) {
          // The mutants killed within the selection.
          if (std::find(ss.begin(), ss.end(), scn::find(k.scenario)) == ss.end()) continue;
          if (std::find(vs.begin(), vs.end(), k.v) == vs.end()) continue;
          target t{scn::find(k.scenario), {}, k.name(), k.property()};
          t.cfg.v = k.v;
          t.cfg.with(k.mutant);
          targets.push_back(t);
        }
    }

    const bool sharded = sp.shard_count > 1;
    run_request rq;
    rq.targets = targets;
    rq.sp = sp;
    rq.jobs = jobs;
    rq.print = !is_report;
    if (is_report) {
      // A shard's report is only its results.json; merge writes the report.
      if (!sharded) rq.replay_dir = (fs::path(report_dir) / "replays").string(), rq.replay_prefix = "replays/";
    } else {
      rq.replay_dir = out_dir;
      rq.replay_prefix = (fs::path(out_dir) / "").string();
    }
    std::vector<row> rows = run_targets(rq);
    info.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!json_out.empty()) write_json(json_out, rows, info);

    if (!is_report) return tools::check_exit_code(rows);

    std::size_t ok = 0, judged = 0;
    for (const auto& r : rows)
      if (r.verdict != "not-run") ok += r.as_expected, ++judged;
    if (sharded) {
      fs::create_directories(report_dir);
      write_json((fs::path(report_dir) / "results.json").string(), rows, info);
      std::printf(
          "shard %d/%d: %zu of %zu verdicts as expected so far, %.0f s\npartial results written to "
          "%s/results.json; combine the shards with: iowq-verify merge --out DIR FILES...\n",
          sp.shard_index, sp.shard_count, ok, judged, info.seconds, report_dir.c_str());
      bool unexpected = false, inconclusive = false;
      for (const auto& r : rows) {
        unexpected |= r.verdict == "violated" && !r.as_expected;
        inconclusive |= r.verdict == "inconclusive";
      }
      return unexpected ? 1 : inconclusive ? 3 : 0;
    }
    write_reports(report_dir, rows, info);
    print_unexpected(rows);
    std::printf(
        "%zu of %zu verdicts as expected, %.0f s\nreport written to %s/report.html (and report.md, "
        "junit.xml, results.json, replays/)\n",
        ok, rows.size(), info.seconds, report_dir.c_str());
    return tools::report_exit_code(rows);
  } catch (const realsrc::tree_error& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "iowq-verify: %s\n", e.what());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "iowq-verify: %s\n", one_line(e.what()).c_str());
    return exit_usage;
  }
}
