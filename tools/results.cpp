#include "results.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "chk/trace_json.h"
#include "scenario.h"

namespace iowq::tools {

using json = nlohmann::json;

namespace {

// Every field of a row but its trace, in the order rows_from_json reads them: f(key, member).
template <class Row, class F>
void row_fields(Row& r, F&& f) {
  f("group", r.group);
  f("target", r.target);
  f("id", r.id);
  f("scenario", r.scenario);
  f("variant", r.variant);
  f("mutant", r.mutant);
  f("family", r.family);
  f("summary", r.summary);
  f("note", r.note);
  f("property", r.property);
  f("properties", r.properties);
  f("expected", r.expected);
  f("verdict", r.verdict);
  f("violated", r.violated);
  f("failure_kind", r.failure_kind);
  f("failure_message", r.failure_message);
  f("failure_location", r.failure_location);
  f("signature", r.signature);
  f("signature_where", r.signature_where);
  f("bounds", r.bounds);
  f("search", r.search);
  f("executions", r.executions);
  f("pruned", r.pruned);
  f("max_depth", r.max_depth);
  f("seconds", r.seconds);
  f("complete", r.complete);
  f("as_expected", r.as_expected);
  f("replay_file", r.replay_file);
  f("replay", r.replay);
  f("shard_index", r.shard_index);
  f("shard_count", r.shard_count);
  f("merged_from", r.merged_from);
  f("shared_with", r.shared_with);
}

}  // namespace

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

std::string family_text(const row& r) {
  for (scn::family f : {scn::family::io_uring, scn::family::io_wq_api})
    if (r.family == scn::to_string(f)) return scn::describe(f);
  return "";
}

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
    json x;
    row_fields(r, [&x](const char* key, const auto& value) { x[key] = value; });
    x["trace"] = chk::trace_to_json(r.trace);
    arr.push_back(std::move(x));
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
      row_fields(r, [&x](const char* key, auto& value) { value = x.at(key).get<std::decay_t<decltype(value)>>(); });
      r.trace = chk::trace_from_json(x.at("trace"));
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
    s.shared_with = rows.front()->shared_with;
  }
  return s;
}

}  // namespace iowq::tools
