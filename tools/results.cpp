#include "results.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace iowq::tools {

using json = nlohmann::json;

namespace {

json step_json(const chk::trace_step& s) {
  return {{"step", s.step},     {"thread", s.thread}, {"visible", s.visible},   {"op", s.op},
          {"object", s.object}, {"detail", s.detail}, {"location", s.location}, {"function", s.function}};
}

chk::trace_step step_from(const json& j) {
  chk::trace_step s;
  s.step = j.at("step").get<int>();
  s.thread = j.at("thread").get<int>();
  s.visible = j.at("visible").get<bool>();
  s.op = j.at("op").get<std::string>();
  s.object = j.at("object").get<std::string>();
  s.detail = j.at("detail").get<std::string>();
  s.location = j.at("location").get<std::string>();
  s.function = j.at("function").get<std::string>();
  return s;
}

std::ofstream open_out(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw std::runtime_error("cannot write " + path);
  return f;
}

// The "real kernel" column: the last results of `iowq-verify kernel` on this machine for the
// finding a known-finding note names (its leading "F<n>:"), read from the kernel harness's cache.
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

// JUnit's time attribute is an xs:decimal: no exponent.
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

// The verdict with the property it breaks.
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
std::vector<std::vector<const row*>> by_target(const std::vector<const row*>& rows) {
  std::vector<std::vector<const row*>> out;
  std::map<std::string, std::size_t> at;
  for (const row* r : rows) {
    const std::string key = r->target.empty() ? r->id : r->target;
    auto it = at.find(key);
    if (it == at.end()) {
      at[key] = out.size();
      out.push_back({r});
    } else {
      out[it->second].push_back(r);
    }
  }
  return out;
}

struct split {
  std::vector<const row*> scen, muts;
};
split split_rows(const std::vector<row>& rows) {
  split s;
  for (const auto& r : rows) (r.group == "mutant" ? s.muts : s.scen).push_back(&r);
  return s;
}

std::string target_title(const row& r) {
  if (!r.mutant.empty()) return "mutant " + r.mutant + " in " + r.scenario + " / " + r.variant;
  return r.scenario + " / " + r.variant;
}

std::string anchor(const row& r) { return "cx-" + slug(r.id); }

}  // namespace

std::string fmt_count(std::uint64_t n) {
  std::string d = std::to_string(n), o;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (i > 0 && (d.size() - i) % 3 == 0) o += ',';
    o += d[i];
  }
  return o;
}

std::string slug(const std::string& s) {
  std::string o;
  for (char c : s) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (keep)
      o += c;
    else if (!o.empty() && o.back() != '_')
      o += '_';
  }
  while (!o.empty() && o.back() == '_') o.pop_back();
  return o.empty() ? "_" : o;
}

json to_json(const std::vector<row>& rows, const run_info& info) {
  json out;
  out["tool"] = "iowq-verify";
  out["format_version"] = results_format_version;
  out["run"] = {{"command", info.command}, {"started", info.started}, {"seconds", info.seconds}, {"jobs", info.jobs}};
  json arr = json::array();
  for (const auto& r : rows) {
    json t = json::array();
    for (const auto& s : r.trace) t.push_back(step_json(s));
    arr.push_back({{"group", r.group},
                   {"target", r.target},
                   {"id", r.id},
                   {"scenario", r.scenario},
                   {"variant", r.variant},
                   {"mutant", r.mutant},
                   {"summary", r.summary},
                   {"note", r.note},
                   {"property", r.property},
                   {"properties", r.properties},
                   {"expected", r.expected},
                   {"verdict", r.verdict},
                   {"violated", r.violated},
                   {"failure_kind", r.failure_kind},
                   {"failure_message", r.failure_message},
                   {"failure_location", r.failure_location},
                   {"bounds", r.bounds},
                   {"search", r.search},
                   {"executions", r.executions},
                   {"pruned", r.pruned},
                   {"max_depth", r.max_depth},
                   {"seconds", r.seconds},
                   {"complete", r.complete},
                   {"as_expected", r.as_expected},
                   {"replay_file", r.replay_file},
                   {"replay", r.replay},
                   {"shard_index", r.shard_index},
                   {"shard_count", r.shard_count},
                   {"merged_from", r.merged_from},
                   {"trace", t}});
  }
  out["rows"] = arr;
  return out;
}

std::vector<row> rows_from_json(const json& j, run_info* info) {
  try {
    if (!j.is_object() || !j.contains("tool") || j["tool"] != "iowq-verify")
      throw std::runtime_error("not an iowq-verify results file");
    const int v = j.at("format_version").get<int>();
    if (v != results_format_version)
      throw std::runtime_error("results format version " + std::to_string(v) + " is not supported (this build reads " +
                               std::to_string(results_format_version) + ")");
    if (info) {
      const json& run = j.at("run");
      info->command = run.value("command", "");
      info->started = run.value("started", "");
      info->seconds = run.value("seconds", 0.0);
      info->jobs = run.value("jobs", 1);
    }
    std::vector<row> rows;
    for (const json& x : j.at("rows")) {
      row r;
      auto str = [&x](const char* k) { return x.at(k).get<std::string>(); };
      r.group = str("group");
      r.target = str("target");
      r.id = str("id");
      r.scenario = str("scenario");
      r.variant = str("variant");
      r.mutant = str("mutant");
      r.summary = str("summary");
      r.note = str("note");
      r.property = str("property");
      r.properties = x.at("properties").get<std::vector<std::string>>();
      r.expected = str("expected");
      r.verdict = str("verdict");
      r.violated = str("violated");
      r.failure_kind = str("failure_kind");
      r.failure_message = str("failure_message");
      r.failure_location = str("failure_location");
      r.bounds = str("bounds");
      r.search = str("search");
      r.executions = x.at("executions").get<std::uint64_t>();
      r.pruned = x.at("pruned").get<std::uint64_t>();
      r.max_depth = x.at("max_depth").get<int>();
      r.seconds = x.at("seconds").get<double>();
      r.complete = x.at("complete").get<bool>();
      r.as_expected = x.at("as_expected").get<bool>();
      r.replay_file = str("replay_file");
      r.replay = x.at("replay");
      r.shard_index = x.at("shard_index").get<int>();
      r.shard_count = x.at("shard_count").get<int>();
      r.merged_from = x.at("merged_from").get<int>();
      for (const json& s : x.at("trace")) r.trace.push_back(step_from(s));
      if (r.shard_count < 1 || r.shard_index < 0 || r.shard_index >= r.shard_count)
        throw std::runtime_error("row " + r.id + " has an impossible shard " + std::to_string(r.shard_index) + "/" +
                                 std::to_string(r.shard_count));
      rows.push_back(std::move(r));
    }
    return rows;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed results file: ") + e.what());
  }
}

bool matches_expectation(const row& r) {
  if (r.expected == "verified") return r.verdict == "verified" || r.verdict == "no violation found";
  if (r.expected.rfind("violated", 0) == 0) {
    if (r.verdict != "violated") return false;
    auto colon = r.expected.find(':');
    return colon == std::string::npos || r.expected.substr(colon + 1) == r.violated;
  }
  return false;
}

std::vector<row> merge_rows(const std::vector<row>& parts, std::string* error) {
  auto fail = [error](const std::string& m) {
    if (error) *error = m;
    return std::vector<row>{};
  };
  std::vector<const row*> all;
  for (const auto& r : parts) all.push_back(&r);
  std::vector<row> out;
  for (const auto& rs : by_target(all)) {
    const std::string key = rs.front()->target.empty() ? rs.front()->id : rs.front()->target;
    const int n = rs.front()->shard_count;
    std::set<int> present, ran, broke;
    std::set<std::pair<std::string, int>> seen;
    std::vector<std::string> ids;
    std::map<std::string, std::vector<const row*>> of_id;
    for (const row* p : rs) {
      if (p->shard_count != n) return fail("the parts of " + key + " disagree on the number of shards");
      const bool placeholder = p->verdict == "not-run";
      if (!seen.insert({placeholder ? std::string() : p->id, p->shard_index}).second)
        return fail("shard " + std::to_string(p->shard_index) + "/" + std::to_string(n) + " of " + key +
                    " is given twice");
      present.insert(p->shard_index);
      if (placeholder) continue;
      ran.insert(p->shard_index);
      if (p->verdict == "violated") broke.insert(p->shard_index);
      if (!of_id.count(p->id)) ids.push_back(p->id);
      of_id[p->id].push_back(p);
    }
    if (static_cast<int>(present.size()) != n) {
      int missing = 0;
      while (present.count(missing)) ++missing;
      return fail(key + ": " + std::to_string(present.size()) + " of " + std::to_string(n) + " shards present (shard " +
                  std::to_string(missing) + "/" + std::to_string(n) + " is missing)");
    }
    if (ran.empty()) {
      // Every part is a placeholder: another (outer) shard owns the target.
      row m = *rs.front();
      m.shard_index = 0;
      m.shard_count = 1;
      out.push_back(std::move(m));
      continue;
    }
    // Rows in the order of the target's properties (as one unsharded run gives them).
    std::vector<std::string> full;
    for (const auto& id : ids)
      if (of_id[id].front()->properties.size() > full.size()) full = of_id[id].front()->properties;
    auto rank = [&full, &of_id](const std::string& id) {
      return std::find(full.begin(), full.end(), of_id[id].front()->property) - full.begin();
    };
    std::stable_sort(ids.begin(), ids.end(), [&rank](const auto& a, const auto& b) { return rank(a) < rank(b); });
    for (const auto& id : ids) {
      const auto& ps = of_id[id];
      row m = *ps.front();
      m.executions = m.pruned = 0;
      m.seconds = 0;
      m.max_depth = 0;
      m.complete = true;
      bool violated = false, inconclusive = false, sampled = false;
      std::set<int> judged;
      std::uint64_t most = 0;
      for (const row* p : ps) {
        judged.insert(p->shard_index);
        // The bounds say how many threads the search met: those of the part that ran the most.
        if (p->executions > most) most = p->executions, m.bounds = p->bounds;
        m.executions += p->executions;
        m.pruned += p->pruned;
        m.seconds += p->seconds;
        m.max_depth = std::max(m.max_depth, p->max_depth);
        m.complete &= p->complete;
        if (p->verdict == "violated" && !violated) {
          violated = true;
          m.verdict = p->verdict;
          m.violated = p->violated;
          m.failure_kind = p->failure_kind;
          m.failure_message = p->failure_message;
          m.failure_location = p->failure_location;
          m.trace = p->trace;
          m.replay = p->replay;
          m.replay_file = p->replay_file;
        }
        if (p->verdict == "inconclusive") inconclusive = true;
        if (p->verdict == "no violation found") sampled = true;
      }
      if (!violated) {
        for (int s : ran) {
          if (judged.count(s)) continue;
          // The row's property was not judged in shard s: only right if another failure ended the
          // search there.
          if (!broke.count(s))
            return fail(id + " is missing from shard " + std::to_string(s) + "/" + std::to_string(n) +
                        ", which ran its target");
          inconclusive = true;
          m.failure_message = "not judged in shard " + std::to_string(s) + "/" + std::to_string(n) +
                              ": another failure ended the search there";
        }
        m.verdict = inconclusive ? "inconclusive" : sampled ? "no violation found" : "verified";
        m.violated.clear();
        m.complete &= !inconclusive;
      }
      m.shard_index = 0;
      m.shard_count = 1;
      m.merged_from = n;
      m.as_expected = matches_expectation(m);
      out.push_back(std::move(m));
    }
  }
  return out;
}

int check_exit_code(const std::vector<row>& rows) {
  bool violated = false, inconclusive = false;
  for (const auto& r : rows) {
    violated |= r.verdict == "violated";
    inconclusive |= r.verdict == "inconclusive";
  }
  return violated ? 1 : inconclusive ? 3 : 0;
}

int report_exit_code(const std::vector<row>& rows) {
  bool unexpected = false, inconclusive = false;
  for (const auto& r : rows) {
    if (r.verdict == "inconclusive" || r.verdict == "not-run")
      inconclusive |= r.verdict == "inconclusive";
    else if (!r.as_expected)
      unexpected = true;
  }
  return unexpected ? 1 : inconclusive ? 3 : 0;
}

target_summary summarize(const std::vector<const row*>& rows) {
  target_summary s;
  bool violated = false, inconclusive = false, sampled = false;
  std::set<std::vector<std::string>> searches;
  for (const row* r : rows) {
    if (r->verdict == "violated") {
      violated = true;
      if (std::find(s.violated.begin(), s.violated.end(), r->violated) == s.violated.end())
        s.violated.push_back(r->violated);
    }
    inconclusive |= r->verdict == "inconclusive";
    sampled |= r->verdict == "no violation found";
    if (!r->as_expected) s.unexpected.push_back(r);
    // The rows judged by one search share its statistics: count each search once.
    if (searches.insert(r->properties).second) {
      s.executions += r->executions;
      s.seconds += r->seconds;
    }
  }
  s.verdict = violated ? "violated" : inconclusive ? "inconclusive" : sampled ? "no violation found" : "verified";
  if (!rows.empty()) {
    s.search = rows.front()->search;
    s.bounds = rows.front()->bounds;
  }
  return s;
}

// ---- Markdown ---------------------------------------------------------------------------------

void write_markdown(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  f << "# io-wq verification report\n\n";
  f << "Produced by `" << info.command << "` at " << info.started << " in " << fmt_seconds(info.seconds) << " ("
    << info.jobs << " job" << (info.jobs == 1 ? "" : "s") << ").\n\n";
  std::size_t ok = 0, violations = 0;
  for (const auto& r : rows) ok += r.as_expected, violations += r.verdict == "violated";
  f << ok << " of " << rows.size() << " verdicts are their expected answer; " << violations
    << " counterexamples (known findings and killed mutants included).\n\n";

  const split sp = split_rows(rows);
  if (!sp.scen.empty()) {
    auto variants = ordered_unique(sp.scen, &row::variant);
    f << "## Verdict matrix (scenario x variant)\n\nEach cell combines the scenario's properties under the variant: "
         "the verdict, then the search, executions and time. **UNEXPECTED** marks a verdict that is not the "
         "expected answer.\n\n| scenario |";
    for (const auto& v : variants) f << " " << v << " |";
    f << "\n|---|";
    for (std::size_t i = 0; i < variants.size(); ++i) f << "---|";
    f << "\n";
    for (const auto& s : ordered_unique(sp.scen, &row::scenario)) {
      f << "| " << s << " |";
      for (const auto& v : variants) {
        std::vector<const row*> cell;
        for (const row* r : sp.scen)
          if (r->scenario == s && r->variant == v) cell.push_back(r);
        if (cell.empty()) {
          f << " - |";
          continue;
        }
        target_summary t = summarize(cell);
        f << " " << (t.unexpected.empty() ? "" : "**UNEXPECTED** ") << md_cell(cell_text(t)) << "<br>" << t.search
          << ", " << fmt_count(t.executions) << " ex, " << fmt_seconds(t.seconds) << " |";
      }
      f << "\n";
    }
    f << "\nBounds of each scenario:\n\n";
    for (const auto& group : by_target(sp.scen))
      if (group.front()->variant == variants.front())
        f << "- " << group.front()->scenario << ": " << md_cell(group.front()->bounds) << "\n";
    f << "\n";
  }

  if (!sp.muts.empty()) {
    f << "## Mutants (each must be caught by the property it names)\n\n"
         "| mutant | scenario / variant | property | verdict | executions | time |\n|---|---|---|---|---:|---:|\n";
    for (const row* r : sp.muts)
      f << "| " << md_cell(r->mutant) << " | " << r->scenario << " / " << r->variant << " | " << r->property << " | "
        << (r->as_expected ? "" : "**UNEXPECTED** ") << md_cell(verdict_text(*r)) << " | " << fmt_count(r->executions)
        << " | " << fmt_seconds(r->seconds) << " |\n";
    f << "\n";
  }

  f << "## Findings (every counterexample)\n\n| target | property | expected | failure | replay | reproduced on a "
       "real kernel |\n|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated") continue;
    f << "| " << md_cell(target_title(r)) << " | " << r.violated << " | "
      << (r.as_expected ? (r.mutant.empty() ? "known finding" : "mutant killed") : "**UNEXPECTED**") << " | "
      << md_cell(r.failure_kind + ": " + r.failure_message) << " | "
      << (r.replay_file.empty() ? "" : "[" + r.replay_file + "](" + r.replay_file + ")") << " | "
      << md_cell(real_kernel_text(r.note)) << " |\n";
  }
  f << "\n";
  bool missing = false;
  for (const auto& r : rows) missing |= !r.as_expected && r.verdict != "violated";
  if (missing) {
    f << "## Unexpected verdicts without a counterexample\n\n";
    for (const auto& r : rows)
      if (!r.as_expected && r.verdict != "violated")
        f << "- " << md_cell(r.id) << ": expected " << expected_text(r) << ", got " << verdict_text(r)
          << (r.failure_message.empty() ? "" : " (" + md_cell(r.failure_message) + ")") << "\n";
    f << "\n";
  }

  f << "## Counterexamples\n\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated") continue;
    f << "### " << target_title(r) << ": " << r.violated << "\n\n"
      << r.failure_kind << ": " << r.failure_message << (r.failure_location.empty() ? "" : " at " + r.failure_location)
      << "\n\n";
    if (!r.note.empty()) f << "Known finding: " << r.note << "\n\n";
    if (!r.replay_file.empty()) f << "Replay: `iowq-verify replay " << r.replay_file << "`\n\n";
    f << "```\n" << chk::format_trace_columns(r.trace, 40) << "```\n\n";
  }
}

// ---- HTML ---------------------------------------------------------------------------------------

namespace {

// The thread names the trace's notes give ("task#1 is iou-wrk (T1)").
std::map<int, std::string> thread_names(const std::vector<chk::trace_step>& trace) {
  std::map<int, std::string> names;
  for (const auto& s : trace) {
    if (s.op != "note") continue;
    auto is = s.detail.find(" is ");
    auto paren = s.detail.rfind(" (T");
    if (is == std::string::npos || paren == std::string::npos || paren < is) continue;
    try {
      int t = std::stoi(s.detail.substr(paren + 3));
      names[t] = s.detail.substr(is + 4, paren - is - 4);
    } catch (...) {
    }
  }
  return names;
}

void html_swimlanes(std::ostream& f, const std::vector<chk::trace_step>& trace) {
  int nthreads = 1;
  bool env = false;
  for (const auto& s : trace) {
    nthreads = std::max(nthreads, s.thread + 1);
    env |= s.thread < 0;
  }
  const auto names = thread_names(trace);
  f << "<table class=\"lanes\"><thead><tr><th>step</th>";
  for (int t = 0; t < nthreads; ++t) {
    auto it = names.find(t);
    f << "<th>T" << t << (it == names.end() ? "" : " <span class=\"tn\">" + html_escape(it->second) + "</span>")
      << "</th>";
  }
  if (env) f << "<th>environment</th>";
  f << "</tr></thead><tbody>\n";
  const int ncols = nthreads + (env ? 1 : 0);
  for (const auto& s : trace) {
    const bool fail = s.op.rfind("FAIL", 0) == 0;
    f << "<tr class=\""
      << (fail        ? "fail"
          : s.visible ? "vis"
                      : "sub")
      << "\"><td class=\"n\">" << (s.visible ? std::to_string(s.step) : "") << "</td>";
    const int col = s.thread < 0 ? nthreads : s.thread;
    for (int c = 0; c < ncols; ++c) {
      if (c != col) {
        f << "<td></td>";
        continue;
      }
      f << "<td class=\"st\"><span class=\"op\">" << html_escape(s.op) << "</span>";
      if (!s.object.empty()) f << " <span class=\"obj\">" << html_escape(s.object) << "</span>";
      if (!s.detail.empty()) f << " <span class=\"val\">" << html_escape(s.detail) << "</span>";
      if (!s.function.empty() || !s.location.empty()) {
        f << "<div class=\"src\">";
        if (!s.function.empty()) f << html_escape(s.function);
        if (!s.function.empty() && !s.location.empty()) f << " &middot; ";
        if (!s.location.empty()) f << html_escape(s.location);
        f << "</div>";
      }
      f << "</td>";
    }
    f << "</tr>\n";
  }
  f << "</tbody></table>\n";
}

std::string cls(const std::string& verdict, bool as_expected) {
  if (!as_expected) return verdict == "inconclusive" ? "warn bad" : "bad";
  if (verdict == "violated") return "found";
  if (verdict == "inconclusive") return "warn";
  return "ok";
}

const char* style =
    "body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}"
    "h1{margin-bottom:.2em}table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #bbb;padding:3px 6px;vertical-align:top;font-size:13px;text-align:left}"
    "th{background:#eee}a{color:#04c}code{background:#f3f3f3;padding:1px 3px}"
    ".ok{background:#d8f5d8}.found{background:#fde3bf}.warn{background:#fff3b0}"
    ".bad{background:#f7b4b4;outline:2px solid #c00;outline-offset:-2px}"
    ".flag{color:#a00;font-weight:bold;font-size:11px}.meta{color:#555;font-size:11px;white-space:nowrap}"
    ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border:1px solid #bbb;font-size:12px}"
    "#matrix td{min-width:8em}#matrix th.sc{min-width:14em;max-width:20em}#matrix .meta{white-space:normal}"
    "td.num{text-align:right;white-space:nowrap}"
    ".lanes td,.lanes th{font-family:ui-monospace,monospace;font-size:12px}"
    ".lanes td.st{min-width:18em}.lanes td.n{color:#666;text-align:right}"
    ".lanes tr.sub td{color:#777;font-size:11px}.lanes tr.sub td.st{padding-left:1.5em}"
    ".lanes tr.fail td.st{background:#f7b4b4;font-weight:bold}"
    ".op{font-weight:bold}.obj{color:#333}.val{color:#05a}.src{color:#888;font-size:11px}.tn{font-weight:normal}"
    "body.hide-sub .lanes tr.sub{display:none}"
    "details{margin:.3em 0 1em}summary{cursor:pointer}";

// Optional: a checkbox hiding the plain accesses inside steps. The report reads the same without it.
const char* script =
    "document.addEventListener('DOMContentLoaded',function(){"
    "var b=document.getElementById('hide-sub');if(!b)return;"
    "b.addEventListener('change',function(){document.body.classList.toggle('hide-sub',b.checked);});"
    "document.body.setAttribute('data-ready','1');});";

}  // namespace

void write_html(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  f << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width\">"
       "<title>io-wq verification report</title>\n<style>"
    << style << "</style>\n<script>" << script << "</script></head><body>\n";
  f << "<h1>io-wq verification report</h1>\n<p>Produced by <code>" << html_escape(info.command) << "</code> at "
    << html_escape(info.started) << " in " << fmt_seconds(info.seconds) << " (" << info.jobs << " job"
    << (info.jobs == 1 ? "" : "s") << ").</p>\n";
  std::size_t ok = 0, violations = 0, inconclusive = 0;
  for (const auto& r : rows) {
    ok += r.as_expected;
    violations += r.verdict == "violated";
    inconclusive += r.verdict == "inconclusive";
  }
  f << "<p id=\"summary\"><b>" << ok << " of " << rows.size() << "</b> verdicts are their expected answer"
    << (ok == rows.size() ? ""
                          : " &mdash; <span class=\"flag\">" + std::to_string(rows.size() - ok) + " unexpected</span>")
    << "; " << violations << " counterexamples (known findings and killed mutants included)"
    << (inconclusive ? "; " + std::to_string(inconclusive) + " inconclusive (a budget ran out)" : "") << ".</p>\n";
  f << "<p class=\"legend\"><span class=\"ok\">verified</span><span class=\"found\">violated, as expected (a known "
       "finding)</span><span class=\"warn\">inconclusive</span><span class=\"bad\">unexpected verdict</span></p>\n";

  const split sp = split_rows(rows);
  if (!sp.scen.empty()) {
    auto variants = ordered_unique(sp.scen, &row::variant);
    f << "<h2>Verdict matrix</h2>\n<p>One cell per scenario and variant, combining the scenario's properties; "
         "below each verdict the search, executions and time. Hover a cell for its full bounds.</p>\n"
         "<table id=\"matrix\"><thead><tr><th>scenario</th>";
    for (const auto& v : variants) f << "<th>" << html_escape(v) << "</th>";
    f << "</tr></thead><tbody>\n";
    for (const auto& s : ordered_unique(sp.scen, &row::scenario)) {
      std::vector<std::string> all_props;  // the first search of a target checks every property
      std::string summary, bounds;
      for (const row* r : sp.scen)
        if (r->scenario == s) {
          if (r->properties.size() > all_props.size()) all_props = r->properties;
          summary = r->summary;
          bounds = r->bounds.substr(0, r->bounds.find(';'));
        }
      const std::string props = join(all_props, ", ");
      f << "<tr><th class=\"sc\" title=\"" << html_escape(summary) << "\">" << html_escape(s) << "<div class=\"meta\">"
        << html_escape(props) << "</div><div class=\"meta\">" << html_escape(bounds) << "</div></th>";
      for (const auto& v : variants) {
        std::vector<const row*> cell;
        for (const row* r : sp.scen)
          if (r->scenario == s && r->variant == v) cell.push_back(r);
        if (cell.empty()) {
          f << "<td>-</td>";
          continue;
        }
        const target_summary t = summarize(cell);
        f << "<td class=\"" << cls(t.verdict, t.unexpected.empty()) << "\" title=\"" << html_escape(t.bounds) << "\">";
        if (t.verdict == "violated") {
          const row* first = nullptr;
          for (const row* r : cell)
            if (r->verdict == "violated" && !first) first = r;
          f << "<a href=\"#" << anchor(*first) << "\">" << html_escape(cell_text(t)) << "</a>";
        } else {
          f << html_escape(cell_text(t));
        }
        f << "<div class=\"meta\">" << html_escape(t.search) << "<br>" << fmt_count(t.executions)
          << " executions &middot; " << fmt_seconds(t.seconds) << "</div>";
        for (const row* r : t.unexpected)
          f << "<div class=\"flag\">UNEXPECTED " << html_escape(r->property) << ": expected "
            << html_escape(expected_text(*r)) << ", got " << html_escape(verdict_text(*r)) << "</div>";
        f << "</td>";
      }
      f << "</tr>\n";
    }
    f << "</tbody></table>\n";
  }

  if (!sp.muts.empty()) {
    f << "<h2>Mutants</h2>\n<p>Each mutant re-introduces a bug into the port; the property it names must catch it "
         "in its scenario.</p>\n<table id=\"mutants\"><thead><tr><th>mutant</th><th>what it breaks</th><th>scenario / "
         "variant</th><th>property</th><th>verdict</th><th>executions</th><th>time</th></tr></thead><tbody>\n";
    for (const row* r : sp.muts) {
      f << "<tr class=\"" << cls(r->verdict, r->as_expected) << "\" title=\"" << html_escape(r->bounds) << "\"><td>"
        << html_escape(r->mutant) << "</td><td>" << html_escape(r->summary) << "</td><td>" << html_escape(r->scenario)
        << " / " << html_escape(r->variant) << "</td><td>" << html_escape(r->property) << "</td><td>";
      if (r->verdict == "violated")
        f << "<a href=\"#" << anchor(*r) << "\">" << (r->as_expected ? "killed" : html_escape(verdict_text(*r)))
          << "</a>";
      else
        f << html_escape(verdict_text(*r));
      if (!r->as_expected)
        f << "<div class=\"flag\">UNEXPECTED: expected " << html_escape(expected_text(*r)) << "</div>";
      f << "</td><td class=\"num\">" << fmt_count(r->executions) << "</td><td class=\"num\">" << fmt_seconds(r->seconds)
        << "</td></tr>\n";
    }
    f << "</tbody></table>\n";
  }

  f << "<h2>Findings</h2>\n<p>Every counterexample found, with its replay file (<code>iowq-verify replay "
       "FILE</code> re-executes it).</p>\n<table id=\"findings\"><thead><tr><th>target</th><th>property</th>"
       "<th>expected?</th><th>failure</th><th>replay file</th><th>trace</th><th>reproduced on a real kernel</th>"
       "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated") continue;
    f << "<tr class=\"" << cls(r.verdict, r.as_expected) << "\"><td>" << html_escape(target_title(r)) << "</td><td>"
      << html_escape(r.violated) << "</td><td>"
      << (r.as_expected ? (r.mutant.empty() ? "known finding" : "mutant killed")
                        : "<span class=\"flag\">UNEXPECTED</span> (expected " + html_escape(expected_text(r)) + ")")
      << "</td><td>" << html_escape(r.failure_kind) << ": " << html_escape(r.failure_message)
      << (r.failure_location.empty() ? "" : " <span class=\"meta\">at " + html_escape(r.failure_location) + "</span>")
      << "</td><td>"
      << (r.replay_file.empty()
              ? ""
              : "<a href=\"" + html_escape(r.replay_file) + "\">" + html_escape(r.replay_file) + "</a>")
      << "</td><td><a href=\"#" << anchor(r) << "\">swimlanes</a></td><td>" << html_escape(real_kernel_text(r.note))
      << "</td></tr>\n";
  }
  f << "</tbody></table>\n";

  bool missing = false;
  for (const auto& r : rows) missing |= !r.as_expected && r.verdict != "violated";
  if (missing) {
    f << "<h2>Unexpected verdicts without a counterexample</h2>\n<ul id=\"missing\">\n";
    for (const auto& r : rows)
      if (!r.as_expected && r.verdict != "violated")
        f << "<li class=\"flag\">" << html_escape(r.id) << ": expected " << html_escape(expected_text(r)) << ", got "
          << html_escape(verdict_text(r))
          << (r.failure_message.empty() ? "" : " (" + html_escape(r.failure_message) + ")") << "</li>\n";
    f << "</ul>\n";
  }

  f << "<h2>Counterexamples</h2>\n<p>Each as per-thread swimlanes: one column per thread, a row per step (op, "
       "object, value; below it the port function and source line). Indented grey rows are the plain accesses "
       "inside a step. <label><input type=\"checkbox\" id=\"hide-sub\"> hide them</label></p>\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated") continue;
    f << "<section class=\"cx\" id=\"" << anchor(r) << "\"><h3>" << html_escape(target_title(r)) << ": "
      << html_escape(r.violated) << (r.as_expected ? "" : " <span class=\"flag\">UNEXPECTED</span>") << "</h3>\n<p>"
      << html_escape(r.failure_kind) << ": " << html_escape(r.failure_message)
      << (r.failure_location.empty() ? "" : " at <code>" + html_escape(r.failure_location) + "</code>") << "<br>"
      << html_escape(r.summary) << "</p>\n";
    if (!r.note.empty()) f << "<p>Known finding: " << html_escape(r.note) << "</p>\n";
    f << "<p class=\"meta\">" << html_escape(r.bounds) << "; found after " << fmt_count(r.executions)
      << " executions</p>\n";
    if (!r.replay_file.empty())
      f << "<p>Replay: <code>iowq-verify replay " << html_escape(r.replay_file) << "</code> (<a href=\""
        << html_escape(r.replay_file) << "\">file</a>)</p>\n";
    f << "<details open><summary>" << r.trace.size() << " trace rows</summary>\n";
    html_swimlanes(f, r.trace);
    f << "</details></section>\n";
  }
  f << "</body></html>\n";
}

// ---- JUnit --------------------------------------------------------------------------------------

void write_junit(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  std::map<std::string, std::vector<const row*>> suites;
  std::vector<std::string> order;
  for (const auto& r : rows) {
    if (!suites.count(r.group)) order.push_back(r.group);
    suites[r.group].push_back(&r);
  }
  auto failed = [](const row& r) { return !r.as_expected && r.verdict != "inconclusive"; };
  auto skipped = [](const row& r) { return r.verdict == "inconclusive"; };
  std::size_t failures = 0, skips = 0;
  for (const auto& r : rows) failures += failed(r), skips += skipped(r);
  f << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iowq-verify\" tests=\"" << rows.size()
    << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skips << "\" time=\""
    << fmt_decimal(info.seconds) << "\">\n";
  for (const auto& g : order) {
    const auto& rs = suites[g];
    std::size_t fl = 0, sk = 0;
    double t = 0;
    for (const row* r : rs) {
      fl += failed(*r);
      sk += skipped(*r);
      t += r->seconds;
    }
    f << "  <testsuite name=\"iowq-verify." << xml_escape(g) << "s\" tests=\"" << rs.size() << "\" failures=\"" << fl
      << "\" errors=\"0\" skipped=\"" << sk << "\" time=\"" << fmt_decimal(t) << "\" timestamp=\""
      << xml_escape(info.started) << "\">\n";
    for (const row* r : rs) {
      const std::string classname =
          r->mutant.empty() ? "iowq-verify." + r->scenario + "." + r->variant : "iowq-verify.mutants";
      const std::string name =
          r->mutant.empty() ? r->property : r->mutant + " (" + r->scenario + ", " + r->variant + ")";
      f << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\"" << xml_escape(name) << "\" time=\""
        << fmt_decimal(r->seconds) << "\">\n";
      if (skipped(*r))
        f << "      <skipped message=\"" << xml_escape("inconclusive: " + r->bounds) << "\"/>\n";
      else if (failed(*r))
        f << "      <failure message=\"" << xml_escape("expected " + expected_text(*r) + ", got " + verdict_text(*r))
          << "\" type=\"" << xml_escape(r->failure_kind.empty() ? "unexpected-verdict" : r->failure_kind) << "\">"
          << xml_escape(r->failure_message + (r->failure_location.empty() ? "" : " at " + r->failure_location) + "\n" +
                        (r->replay_file.empty() ? "" : "replay: iowq-verify replay " + r->replay_file + "\n") +
                        chk::format_trace_list(r->trace))
          << "</failure>\n";
      f << "      <system-out>"
        << xml_escape(r->summary + "\nexpected " + expected_text(*r) + "; got " + verdict_text(*r) + "\n" + r->bounds +
                      "; " + std::to_string(r->executions) + " executions")
        << "</system-out>\n";
      f << "    </testcase>\n";
    }
    f << "  </testsuite>\n";
  }
  f << "</testsuites>\n";
}

}  // namespace iowq::tools
