// report.html: one self-contained page (its style and script in report_html_assets.cpp).
#include <algorithm>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "report_common.h"
#include "report_html_assets.h"
#include "reports.h"

namespace iowq::tools {

namespace {

// The HTML id of a row's counterexample.
std::string anchor(const row& r) { return "cx-" + slug(r.id); }

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

// One row of the verdict matrix: the scenario and its cell under each variant.
void matrix_row(std::ofstream& f, const split& sp, const std::string& s, const std::vector<std::string>& variants) {
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
    const std::vector<const row*> cell = cell_rows(sp, s, v);
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
    f << "<div class=\"meta\">" << html_escape(t.search) << "<br>" << fmt_count(t.executions) << " executions &middot; "
      << (t.shared_with.empty() ? fmt_seconds(t.seconds) : "the search of " + html_escape(t.shared_with)) << "</div>";
    for (const row* r : t.unexpected)
      f << "<div class=\"flag\">UNEXPECTED " << html_escape(r->property) << ": expected "
        << html_escape(expected_text(*r)) << ", got " << html_escape(verdict_text(*r)) << "</div>";
    f << "</td>";
  }
  f << "</tr>\n";
}

}  // namespace

void write_html(const std::string& path, const std::vector<row>& rows, const run_info& info) {
  std::ofstream f = open_out(path);
  f << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
       "<meta name=\"viewport\" content=\"width=device-width\">"
       "<title>io-wq verification report</title>\n<style>"
    << html_assets::style << "</style>\n<script>" << html_assets::script << "</script></head><body>\n";
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
      << "<p id=\"extent\"><b>Search extent:</b> " << html_escape(extent_of(sp).text())
      << "</p>\n"
         "<table id=\"matrix\"><thead><tr><th>scenario</th>";
    for (const auto& v : variants) f << "<th>" << html_escape(v) << "</th>";
    f << "</tr></thead><tbody>\n";
    for (const auto& fam : scenarios_by_family(sp.scen)) {
      f << "<tr class=\"family\"><th colspan=\"" << variants.size() + 1 << "\">" << html_escape(fam.heading)
        << "</th></tr>\n";
      for (const auto& s : fam.scenarios) matrix_row(f, sp, s, variants);
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

  const generated_part g = generated(rows);
  if (!sp.gen.empty()) {
    f << "<h2>Generated scenarios</h2>\n<p>" << g.programs << " generated owner programs (iowq-verify explore; "
      << html_escape(g.extent()) << ") under " << html_escape(join(g.variants, ", ")) << " (" << g.targets
      << " targets; search " << html_escape(join(g.searches, ", ")) << "): " << g.verified << " verdicts verified, "
      << g.known << " violations of known findings, " << g.candidates << " new candidates"
      << (g.inconclusive ? ", " + std::to_string(g.inconclusive) + " inconclusive" : "")
      << ". One row per signature (the property, and the function where the execution went wrong), with the "
         "smallest program that shows it.</p>\n<table id=\"generated\"><thead><tr><th>signature</th><th>finding</th>"
         "<th>variants</th><th>programs</th><th>smallest program</th><th>where</th></tr></thead><tbody>\n";
    for (const auto& x : g.groups)
      f << "<tr class=\"" << cls("violated", !x.finding.empty()) << "\"><td>" << html_escape(x.signature) << "</td><td>"
        << (x.finding.empty() ? "<span class=\"flag\">NEW CANDIDATE</span>" : html_escape(x.finding)) << "</td><td>"
        << html_escape(join({x.variants.begin(), x.variants.end()}, ", ")) << "</td><td class=\"num\">"
        << x.programs.size() << "</td><td><a href=\"#" << anchor(*x.smallest) << "\"><code>"
        << html_escape(x.smallest->scenario) << "</code></a> under " << html_escape(x.smallest->variant) << "</td><td>"
        << html_escape(x.where) << "</td></tr>\n";
    f << "</tbody></table>\n";
  }

  f << "<h2>Findings</h2>\n<p>Every counterexample found, with its replay file (<code>iowq-verify replay "
       "FILE</code> re-executes it).</p>\n<table "
       "id=\"findings\"><thead><tr><th>target</th><th>family</th><th>property</th>"
       "<th>expected?</th><th>failure</th><th>replay file</th><th>trace</th><th>reproduced on a real kernel</th>"
       "</tr></thead><tbody>\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated" || !g.listed(r)) continue;
    f << "<tr class=\"" << cls(r.verdict, r.as_expected) << "\"><td>" << html_escape(target_title(r)) << "</td><td>"
      << html_escape(family_text(r)) << "</td><td>" << html_escape(r.violated) << "</td><td>"
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

  if (const auto missing = unexpected_without_counterexample(rows); !missing.empty()) {
    f << "<h2>Unexpected verdicts without a counterexample</h2>\n<ul id=\"missing\">\n";
    for (const row* r : missing)
      f << "<li class=\"flag\">" << html_escape(r->id) << ": expected " << html_escape(expected_text(*r)) << ", got "
        << html_escape(verdict_text(*r))
        << (r->failure_message.empty() ? "" : " (" + html_escape(r->failure_message) + ")") << "</li>\n";
    f << "</ul>\n";
  }

  f << "<h2>Counterexamples</h2>\n<p>Each as per-thread swimlanes: one column per thread, a row per step (op, "
       "object, value; below it the port function and source line). Indented grey rows are the plain accesses "
       "inside a step. <label><input type=\"checkbox\" id=\"hide-sub\"> hide them</label></p>\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated" || !g.listed(r)) continue;
    f << "<section class=\"cx\" id=\"" << anchor(r) << "\"><h3>" << html_escape(target_title(r)) << ": "
      << html_escape(r.violated) << " <span class=\"meta\">(" << html_escape(family_text(r)) << ")</span>"
      << (r.as_expected ? "" : " <span class=\"flag\">UNEXPECTED</span>") << "</h3>\n<p>" << html_escape(r.failure_kind)
      << ": " << html_escape(r.failure_message)
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

}  // namespace iowq::tools
