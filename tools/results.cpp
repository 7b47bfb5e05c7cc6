#include "results.h"

#include <algorithm>
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

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  return o;
}

std::string xml_escape(const std::string& s) {
  std::string o = html_escape(s);
  std::string r;
  for (char c : o) {
    if (c == '\'')
      r += "&apos;";
    else if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')
      r += ' ';
    else
      r += c;
  }
  return r;
}

std::string md_cell(std::string s) {
  for (char& c : s)
    if (c == '|' || c == '\n') c = ' ';
  return s;
}

std::string fmt_seconds(double s) {
  std::ostringstream o;
  o.precision(s < 10 ? 3 : 1);
  o << std::fixed << s << " s";
  return o.str();
}

// The verdict with the property it breaks and whether it is the expected answer.
std::string verdict_text(const row& r) {
  std::string v = r.verdict;
  if (!r.violated.empty()) v += " (" + r.violated + ")";
  return v;
}

std::vector<std::string> ordered_unique(const std::vector<row>& rows, std::string row::*field) {
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (std::find(out.begin(), out.end(), r.*field) == out.end()) out.push_back(r.*field);
  return out;
}

}  // namespace

json to_json(const std::vector<row>& rows, const run_info& info) {
  json out;
  out["tool"] = "iowq-verify";
  out["format_version"] = 1;
  out["run"] = {{"command", info.command}, {"started", info.started}, {"seconds", info.seconds}, {"jobs", info.jobs}};
  json arr = json::array();
  for (const auto& r : rows) {
    json t = json::array();
    for (const auto& s : r.trace) t.push_back(step_json(s));
    arr.push_back({{"group", r.group},
                   {"id", r.id},
                   {"scenario", r.scenario},
                   {"variant", r.variant},
                   {"mutant", r.mutant},
                   {"summary", r.summary},
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
                   {"shard_index", r.shard_index},
                   {"shard_count", r.shard_count},
                   {"trace", t}});
  }
  out["rows"] = arr;
  return out;
}

std::vector<row> rows_from_json(const json& j, run_info* info) {
  try {
    if (!j.is_object() || j.value("tool", "") != "iowq-verify")
      throw std::runtime_error("not an iowq-verify results file");
    if (j.at("format_version").get<int>() != 1)
      throw std::runtime_error("results format version " + std::to_string(j.at("format_version").get<int>()) +
                               " is not supported");
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
      r.group = x.at("group").get<std::string>();
      r.id = x.at("id").get<std::string>();
      r.scenario = x.at("scenario").get<std::string>();
      r.variant = x.at("variant").get<std::string>();
      r.mutant = x.at("mutant").get<std::string>();
      r.summary = x.at("summary").get<std::string>();
      r.properties = x.at("properties").get<std::vector<std::string>>();
      r.expected = x.at("expected").get<std::string>();
      r.verdict = x.at("verdict").get<std::string>();
      r.violated = x.at("violated").get<std::string>();
      r.failure_kind = x.at("failure_kind").get<std::string>();
      r.failure_message = x.at("failure_message").get<std::string>();
      r.failure_location = x.at("failure_location").get<std::string>();
      r.bounds = x.at("bounds").get<std::string>();
      r.search = x.at("search").get<std::string>();
      r.executions = x.at("executions").get<std::uint64_t>();
      r.pruned = x.at("pruned").get<std::uint64_t>();
      r.max_depth = x.at("max_depth").get<int>();
      r.seconds = x.at("seconds").get<double>();
      r.complete = x.at("complete").get<bool>();
      r.as_expected = x.at("as_expected").get<bool>();
      r.replay_file = x.at("replay_file").get<std::string>();
      r.shard_index = x.at("shard_index").get<int>();
      r.shard_count = x.at("shard_count").get<int>();
      for (const json& s : x.at("trace")) r.trace.push_back(step_from(s));
      rows.push_back(std::move(r));
    }
    return rows;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed results file: ") + e.what());
  }
}

bool matches_expectation(const row& r) {
  if (r.expected == "verified") return r.verdict == "verified";
  if (r.expected.rfind("violated", 0) == 0) {
    if (r.verdict != "violated") return false;
    auto colon = r.expected.find(':');
    return colon == std::string::npos || r.expected.substr(colon + 1) == r.violated;
  }
  return false;
}

std::vector<row> merge_rows(const std::vector<row>& parts, std::string* error) {
  std::map<std::string, std::vector<const row*>> by_id;
  std::vector<std::string> order;
  for (const auto& r : parts) {
    if (!by_id.count(r.id)) order.push_back(r.id);
    by_id[r.id].push_back(&r);
  }
  std::vector<row> out;
  for (const auto& id : order) {
    const auto& ps = by_id[id];
    row m = *ps.front();
    const int n = m.shard_count;
    std::set<int> seen;
    m.executions = m.pruned = 0;
    m.seconds = 0;
    m.max_depth = 0;
    m.complete = true;
    bool violated = false, inconclusive = false;
    for (const row* p : ps) {
      if (p->shard_count != n) {
        if (error) *error = "shards of " + id + " disagree on the number of shards";
        return {};
      }
      if (!seen.insert(p->shard_index).second) {
        if (error) *error = "shard " + std::to_string(p->shard_index) + " of " + id + " appears twice";
        return {};
      }
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
        m.replay_file = p->replay_file;
      }
      if (p->verdict == "inconclusive") inconclusive = true;
    }
    if (!violated) {
      if (static_cast<int>(seen.size()) != n) {
        if (error)
          *error = id + ": " + std::to_string(seen.size()) + " of " + std::to_string(n) + " shards present";
        return {};
      }
      m.verdict = inconclusive ? "inconclusive" : ps.front()->verdict;
      m.violated.clear();
    }
    m.shard_index = 0;
    m.shard_count = 1;
    if (n > 1) m.bounds += " (merged from " + std::to_string(n) + " shards)";
    m.as_expected = matches_expectation(m);
    out.push_back(std::move(m));
  }
  return out;
}

int exit_code(const std::vector<row>& rows) {
  bool unexpected = false, inconclusive = false;
  for (const auto& r : rows) {
    if (r.verdict == "inconclusive") inconclusive = true;
    else if (!r.as_expected) unexpected = true;
  }
  if (unexpected) return 1;
  if (inconclusive) return 3;
  return 0;
}

// ---- Markdown ---------------------------------------------------------------------------------

void write_markdown(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  f << "# io-wq verification report\n\n";
  f << "Produced by `" << info.command << "` at " << info.started << " in " << fmt_seconds(info.seconds) << " ("
    << info.jobs << " job" << (info.jobs == 1 ? "" : "s") << ").\n\n";
  std::size_t ok = 0;
  for (const auto& r : rows) ok += r.as_expected;
  f << ok << " of " << rows.size() << " targets give their expected answer.\n\n";

  std::vector<row> scen, muts, other;
  for (const auto& r : rows) (r.group == "scenario" ? scen : r.group == "mutant" ? muts : other).push_back(r);

  if (!scen.empty()) {
    auto variants = ordered_unique(scen, &row::variant);
    f << "## Verdict matrix (scenario x variant)\n\n| scenario | properties |";
    for (const auto& v : variants) f << " " << v << " |";
    f << "\n|---|---|";
    for (std::size_t i = 0; i < variants.size(); ++i) f << "---|";
    f << "\n";
    for (const auto& s : ordered_unique(scen, &row::scenario)) {
      std::string props;
      for (const auto& r : scen)
        if (r.scenario == s) {
          for (const auto& p : r.properties) props += (props.empty() ? "" : ", ") + p;
          break;
        }
      f << "| " << s << " | " << props << " |";
      for (const auto& v : variants) {
        const row* hit = nullptr;
        for (const auto& r : scen)
          if (r.scenario == s && r.variant == v) hit = &r;
        if (!hit) {
          f << " - |";
          continue;
        }
        f << " " << verdict_text(*hit) << (hit->as_expected ? "" : " **UNEXPECTED**") << " |";
      }
      f << "\n";
    }
    f << "\n";
  }

  auto table = [&f](const char* title, const std::vector<row>& rs) {
    if (rs.empty()) return;
    f << "## " << title << "\n\n| target | expected | verdict | bounds | executions | time | replay |\n"
      << "|---|---|---|---|---:|---:|---|\n";
    for (const auto& r : rs)
      f << "| " << md_cell(r.id) << " | " << r.expected << " | " << md_cell(verdict_text(r))
        << (r.as_expected ? "" : " **UNEXPECTED**") << " | " << md_cell(r.bounds) << " | " << r.executions
        << (r.pruned ? " (" + std::to_string(r.pruned) + " pruned)" : "") << " | " << fmt_seconds(r.seconds) << " | "
        << (r.replay_file.empty() ? "" : "[" + r.replay_file + "](" + r.replay_file + ")") << " |\n";
    f << "\n";
  };
  table("Scenarios", scen);
  table("Mutants (each must be caught by the property it names)", muts);
  table("Other targets", other);

  f << "## Counterexamples\n\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated") continue;
    f << "### " << r.id << "\n\n" << r.failure_kind << (r.violated.empty() ? "" : " [" + r.violated + "]") << ": "
      << r.failure_message << (r.failure_location.empty() ? "" : " at " + r.failure_location) << "\n\n";
    if (!r.replay_file.empty()) f << "Replay: `iowq-verify replay " << r.replay_file << "`\n\n";
    f << "```\n" << chk::format_trace_columns(r.trace, 40) << "```\n\n";
  }
}

// ---- HTML ---------------------------------------------------------------------------------------

namespace {

void html_swimlanes(std::ostream& f, const std::vector<chk::trace_step>& trace) {
  int nthreads = 1;
  for (const auto& s : trace) nthreads = std::max(nthreads, s.thread + 1);
  f << "<table class=\"lanes\"><thead><tr><th>step</th>";
  for (int t = 0; t < nthreads; ++t) f << "<th>T" << t << "</th>";
  f << "<th>where</th></tr></thead><tbody>\n";
  for (const auto& s : trace) {
    bool fail = s.op.rfind("FAIL", 0) == 0;
    f << "<tr class=\"" << (fail ? "fail" : s.visible ? "vis" : "sub") << "\"><td>" << (s.visible ? std::to_string(s.step) : "")
      << "</td>";
    int col = s.thread < 0 ? 0 : s.thread;
    for (int t = 0; t < nthreads; ++t) {
      if (t == col)
        f << "<td class=\"op\"><b>" << html_escape(s.op) << "</b> " << html_escape(s.object) << " <span class=\"d\">"
          << html_escape(s.detail) << "</span></td>";
      else
        f << "<td></td>";
    }
    f << "<td class=\"loc\">" << html_escape(s.location) << (s.function.empty() ? "" : " (" + html_escape(s.function) + ")")
      << "</td></tr>\n";
  }
  f << "</tbody></table>\n";
}

std::string cls(const row& r) {
  if (!r.as_expected) return "bad";
  if (r.verdict == "verified") return "ok";
  if (r.verdict == "violated") return "found";
  return "warn";
}

}  // namespace

void write_html(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  f << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<title>io-wq verification report</title>\n<style>\n"
       "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin:0.5em 0 1.5em}"
       "td,th{border:1px solid #bbb;padding:3px 6px;vertical-align:top;font-size:13px}th{background:#eee}"
       ".ok{background:#d8f5d8}.found{background:#fde8c8}.bad{background:#f8c0c0;font-weight:bold}.warn{background:#fff3b0}"
       ".lanes td{font-family:monospace;font-size:12px;white-space:nowrap}.lanes tr.sub td{color:#666}"
       ".lanes tr.fail td{background:#f8c0c0}.d{color:#05a}.loc{color:#666}"
       "code{background:#f3f3f3;padding:1px 3px}\n</style></head><body>\n";
  f << "<h1>io-wq verification report</h1>\n<p>Produced by <code>" << html_escape(info.command) << "</code> at "
    << html_escape(info.started) << " in " << fmt_seconds(info.seconds) << ".</p>\n";
  std::size_t ok = 0;
  for (const auto& r : rows) ok += r.as_expected;
  f << "<p id=\"summary\">" << ok << " of " << rows.size() << " targets give their expected answer.</p>\n";

  std::vector<row> scen;
  for (const auto& r : rows)
    if (r.group == "scenario") scen.push_back(r);
  if (!scen.empty()) {
    auto variants = ordered_unique(scen, &row::variant);
    f << "<h2>Verdict matrix</h2>\n<table id=\"matrix\"><thead><tr><th>scenario</th><th>properties</th>";
    for (const auto& v : variants) f << "<th>" << html_escape(v) << "</th>";
    f << "</tr></thead><tbody>\n";
    for (const auto& s : ordered_unique(scen, &row::scenario)) {
      std::string props;
      for (const auto& r : scen)
        if (r.scenario == s) {
          for (const auto& p : r.properties) props += (props.empty() ? "" : ", ") + p;
          break;
        }
      f << "<tr><th>" << html_escape(s) << "</th><td>" << html_escape(props) << "</td>";
      for (const auto& v : variants) {
        const row* hit = nullptr;
        for (const auto& r : scen)
          if (r.scenario == s && r.variant == v) hit = &r;
        if (!hit) {
          f << "<td>-</td>";
          continue;
        }
        f << "<td class=\"" << cls(*hit) << "\" title=\"" << html_escape(hit->bounds) << "\"><a href=\"#"
          << html_escape(hit->id) << "\">" << html_escape(verdict_text(*hit)) << "</a><br><small>" << hit->executions
          << " execs, " << fmt_seconds(hit->seconds) << "</small></td>";
      }
      f << "</tr>\n";
    }
    f << "</tbody></table>\n";
  }

  f << "<h2>All targets</h2>\n<table id=\"targets\"><thead><tr><th>target</th><th>checks</th><th>expected</th>"
       "<th>verdict</th><th>bounds</th><th>executions</th><th>time</th><th>replay</th></tr></thead><tbody>\n";
  for (const auto& r : rows) {
    f << "<tr class=\"" << cls(r) << "\"><td><a href=\"#" << html_escape(r.id) << "\">" << html_escape(r.id)
      << "</a></td><td>" << html_escape(r.summary) << "</td><td>" << html_escape(r.expected) << "</td><td>"
      << html_escape(verdict_text(r)) << (r.as_expected ? "" : " UNEXPECTED") << "</td><td>" << html_escape(r.bounds)
      << "</td><td>" << r.executions << (r.pruned ? " (" + std::to_string(r.pruned) + " pruned)" : "") << "</td><td>"
      << fmt_seconds(r.seconds) << "</td><td>"
      << (r.replay_file.empty() ? "" : "<a href=\"" + html_escape(r.replay_file) + "\">" + html_escape(r.replay_file) + "</a>")
      << "</td></tr>\n";
  }
  f << "</tbody></table>\n<h2>Counterexamples</h2>\n";
  for (const auto& r : rows) {
    f << "<section class=\"target\" id=\"" << html_escape(r.id) << "\"><h3>" << html_escape(r.id) << "</h3>";
    f << "<p>" << html_escape(r.summary) << "<br>Verdict: <b>" << html_escape(verdict_text(r)) << "</b> ("
      << html_escape(r.bounds) << "; " << r.executions << " executions, " << fmt_seconds(r.seconds) << ")</p>";
    if (r.verdict == "violated") {
      f << "<p>" << html_escape(r.failure_kind) << ": " << html_escape(r.failure_message)
        << (r.failure_location.empty() ? "" : " at " + html_escape(r.failure_location)) << "</p>";
      if (!r.replay_file.empty())
        f << "<p>Replay: <code>iowq-verify replay " << html_escape(r.replay_file) << "</code></p>";
      html_swimlanes(f, r.trace);
    }
    f << "</section>\n";
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
  std::size_t failures = 0;
  for (const auto& r : rows) failures += !r.as_expected && r.verdict != "inconclusive";
  f << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"iowq-verify\" tests=\"" << rows.size()
    << "\" failures=\"" << failures << "\" time=\"" << info.seconds << "\">\n";
  for (const auto& g : order) {
    const auto& rs = suites[g];
    std::size_t fl = 0, sk = 0;
    double t = 0;
    for (const row* r : rs) {
      fl += !r->as_expected && r->verdict != "inconclusive";
      sk += r->verdict == "inconclusive";
      t += r->seconds;
    }
    f << "  <testsuite name=\"" << xml_escape(g) << "\" tests=\"" << rs.size() << "\" failures=\"" << fl
      << "\" errors=\"0\" skipped=\"" << sk << "\" time=\"" << t << "\">\n";
    for (const row* r : rs) {
      f << "    <testcase classname=\"iowq-verify." << xml_escape(g) << "\" name=\"" << xml_escape(r->id) << "\" time=\""
        << r->seconds << "\">\n";
      f << "      <system-out>" << xml_escape(r->summary + "\nexpected " + r->expected + "; got " + verdict_text(*r) +
                                            "\n" + r->bounds + "; " + std::to_string(r->executions) + " executions")
        << "</system-out>\n";
      if (r->verdict == "inconclusive")
        f << "      <skipped message=\"inconclusive: a budget ran out\"/>\n";
      else if (!r->as_expected)
        f << "      <failure message=\"" << xml_escape("expected " + r->expected + ", got " + verdict_text(*r)) << "\" type=\""
          << xml_escape(r->failure_kind.empty() ? "unexpected-verdict" : r->failure_kind) << "\">"
          << xml_escape(r->failure_message + "\n" + chk::format_trace_list(r->trace)) << "</failure>\n";
      f << "    </testcase>\n";
    }
    f << "  </testsuite>\n";
  }
  f << "</testsuites>\n";
}

}  // namespace iowq::tools
