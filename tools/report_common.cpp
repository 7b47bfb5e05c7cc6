#include "report_common.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "scenario.h"

namespace iowq::tools {

using json = nlohmann::json;

std::ofstream open_out(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  return f;
}

std::string real_kernel_text(const std::string& note) {
  if (note.size() < 3 || note[0] != 'F' || !std::isdigit(static_cast<unsigned char>(note[1]))) return "";
  const std::string id = "f" + note.substr(1, note.find(':') - 1);
  static std::map<std::string, std::string> memo;
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  std::string dir;
  if (const char* c = std::getenv("IOWQ_KERNEL_CACHE"))
    dir = c;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"))
    dir = std::string(x) + "/iowq-verify/kernel";
  else if (const char* h = std::getenv("HOME"))
    dir = std::string(h) + "/.cache/iowq-verify/kernel";
  std::vector<std::string> parts;
  std::error_code ec;
  if (!dir.empty() && std::filesystem::is_directory(dir + "/results", ec)) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/results", ec))
      if (e.path().filename().string().rfind(id + "-", 0) == 0) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& fp : files) {
      try {
        std::ifstream in(fp);
        json j = json::parse(in);
        std::string what = j.value("kernel", std::string("?"));
        if (!j["fix"].is_null()) what += " + fix";
        if (!j["delay"].empty()) what += " + delay";
        parts.push_back(what + ": " + std::to_string(j.value("reproduced_rounds", 0)) + "/" +
                        std::to_string(j.value("rounds", 0)) + " rounds reproduced (" + j.value("date", std::string()) +
                        ")");
      } catch (const std::exception&) {
      }
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  if (out.empty())
    out = (id == "f1" || id == "f3") ? "not run on this machine: iowq-verify kernel --finding " + id + " --delay"
                                     : "no real-kernel reproducer (kernel/README.md)";
  return memo[id] = out;
}

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  return o;
}

std::string xml_escape(const std::string& s) {
  std::string r;
  for (char c : html_escape(s)) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
      r += ' ';
    else
      r += c;
  }
  return r;
}

std::string md_cell(std::string s) {
  std::string o;
  for (char c : s) {
    if (c == '|')
      o += "\\|";
    else if (c == '\n')
      o += ' ';
    else
      o += c;
  }
  return o;
}

std::string fmt_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2f s" : "%.0f s", s);
  return buf;
}

std::string fmt_decimal(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s < 0 ? 0.0 : s);
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string o;
  for (const auto& s : v) o += (o.empty() ? "" : sep) + s;
  return o;
}

std::string verdict_text(const row& r) {
  std::string v = r.verdict;
  if (!r.violated.empty()) v += " (" + r.violated + ")";
  return v;
}

std::string cell_text(const target_summary& s) {
  return s.verdict == "violated" ? "violated: " + join(s.violated, ", ") : s.verdict;
}

std::string expected_text(const row& r) {
  return r.expected == "verified" ? "verified" : "violated: " + r.expected.substr(r.expected.find(':') + 1);
}

std::vector<std::string> ordered_unique(const std::vector<const row*>& rows, std::string row::*field) {
  std::vector<std::string> out;
  for (const row* r : rows)
    if (std::find(out.begin(), out.end(), r->*field) == out.end()) out.push_back(r->*field);
  return out;
}

// The rows of each target, in order of first appearance.
split split_rows(const std::vector<row>& rows) {
  split s;
  for (const auto& r : rows) (is_generated_row(r) ? s.gen : r.group == "mutant" ? s.muts : s.scen).push_back(&r);
  return s;
}

std::string target_title(const row& r) {
  if (!r.mutant.empty()) return "mutant " + r.mutant + " in " + r.scenario + " / " + r.variant;
  return r.scenario + " / " + r.variant;
}

std::vector<family_group> scenarios_by_family(const std::vector<const row*>& scen) {
  std::vector<family_group> out;
  const std::pair<const char*, const char*> families[] = {
      {"io_uring", "Reachable through io_uring"},
      {"io-wq API", "io-wq API contract: calls in orders io_uring does not produce"},
      {"", "Of no family"},
  };
  for (const auto& [fam, heading] : families) {
    family_group g{heading, {}};
    for (const row* r : scen)
      if (r->family == fam) {
        if (std::find(g.scenarios.begin(), g.scenarios.end(), r->scenario) == g.scenarios.end())
          g.scenarios.push_back(r->scenario);
      }
    if (!g.scenarios.empty()) out.push_back(std::move(g));
  }
  return out;
}

std::vector<const row*> cell_rows(const split& sp, const std::string& scenario, const std::string& variant) {
  std::vector<const row*> cell;
  for (const row* r : sp.scen)
    if (r->scenario == scenario && r->variant == variant) cell.push_back(r);
  return cell;
}

std::vector<const row*> unexpected_without_counterexample(const std::vector<row>& rows) {
  std::vector<const row*> out;
  for (const auto& r : rows)
    if (!r.as_expected && r.verdict != "violated") out.push_back(&r);
  return out;
}

std::string generated_part::extent() const {
  return "the largest with " + std::to_string(most_actions) + " action" + (most_actions == 1 ? "" : "s") + " and " +
         std::to_string(most_works) + " work" + (most_works == 1 ? "" : "s") + "; knobs " + join(knobs, ", ");
}

bool generated_part::listed(const row& r) const {
  return !is_generated_row(r) || std::find(representatives.begin(), representatives.end(), &r) != representatives.end();
}

generated_part generated(const std::vector<row>& rows) {
  generated_part g;
  std::set<std::string> programs, targets;
  std::vector<const row*> gen;
  for (const auto& r : rows) {
    if (!is_generated_row(r)) continue;
    gen.push_back(&r);
    programs.insert(r.scenario);
    targets.insert(r.target);
    if (r.verdict == "violated")
      (r.as_expected ? g.known : g.candidates) += 1;
    else if (r.verdict == "inconclusive")
      ++g.inconclusive;
    else
      ++g.verified;
  }
  g.programs = programs.size();
  g.targets = targets.size();
  for (const auto& name : programs) {
    if (const scn::scenario* sc = scn::find(name)) {
      g.most_actions = std::max(g.most_actions, sc->owner.actions.size());
      g.most_works = std::max(g.most_works, sc->works.size());
    }
    const auto plus = name.find('+');
    const std::string k = plus == std::string::npos ? "none" : name.substr(plus + 1);
    if (std::find(g.knobs.begin(), g.knobs.end(), k) == g.knobs.end()) g.knobs.push_back(k);
  }
  g.variants = ordered_unique(gen, &row::variant);
  g.searches = ordered_unique(gen, &row::search);
  g.groups = group_signatures(rows);
  for (const auto& x : g.groups) g.representatives.push_back(x.smallest);
  return g;
}

search_extent extent_of(const split& sp) {
  search_extent e;
  std::set<std::string> cells;
  for (const row* r : sp.scen) {
    if (!cells.insert(r->scenario + "/" + r->variant).second) continue;
    ++e.cells;
    if (!r->shared_with.empty()) ++e.shared;
    if (r->search.rfind("bounded:", 0) == 0) {
      ++e.bounded;
      bool listed = false;
      for (const auto& b : e.bounded_scenarios) listed |= b.first == r->scenario;
      if (!listed) e.bounded_scenarios.emplace_back(r->scenario, r->search);
    } else if (r->search == "dpor" || r->search == "dfs") {
      ++e.exhaustive;
    }
  }
  return e;
}

std::string search_extent::text() const {
  std::string t = std::to_string(exhaustive) + " of " + std::to_string(cells) +
                  " scenario cells are searched over all interleavings (DPOR or DFS, no preemption bound)";
  const std::string sharing =
      shared ? " " + std::to_string(shared) + (shared == 1 ? " cell takes" : " cells take") +
                   " over the search of another variant of the same port (\"the search of V\"): nothing that "
                   "search asked of its variant (a fix it reached; whether it runs v1 or merged) tells the two apart, "
                   "so it is the same search, execution for execution (--separate-searches runs every cell on its own)."
             : "";
  if (!bounded) return t + "." + sharing;
  t += "; " + std::to_string(bounded) +
       " are searched with a preemption bound, and their verdicts hold only for the schedules within it, not for "
       "all interleavings. Bounded: ";
  std::vector<std::string> names;
  for (const auto& [s, k] : bounded_scenarios)
    names.push_back(s + " (at most " + k.substr(std::string("bounded:").size()) + " preemptions)");
  return t + join(names, ", ") +
         ". The full report bounds a scenario when its full search does not finish within the report's time "
         "(bench/README.md, \"How far the full search is from finishing\"); --quick bounds every scenario." +
         sharing;
}

}  // namespace iowq::tools
