// report.md: the verdict matrix, the mutants, the findings and every counterexample's trace.
#include <string>
#include <vector>

#include "chk/trace.h"
#include "report_common.h"
#include "reports.h"

namespace iowq::tools {

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
         "expected answer. The scenarios reachable through io_uring come first, then those of the io-wq API "
         "contract.\n\n"
      << "Search extent: " << extent_of(sp).text() << "\n";
    for (const auto& fam : scenarios_by_family(sp.scen)) {
      f << "\n### " << fam.heading << "\n\n| scenario |";
      for (const auto& v : variants) f << " " << v << " |";
      f << "\n|---|";
      for (std::size_t i = 0; i < variants.size(); ++i) f << "---|";
      f << "\n";
      for (const auto& s : fam.scenarios) {
        f << "| " << s << " |";
        for (const auto& v : variants) {
          const std::vector<const row*> cell = cell_rows(sp, s, v);
          if (cell.empty()) {
            f << " - |";
            continue;
          }
          target_summary t = summarize(cell);
          f << " " << (t.unexpected.empty() ? "" : "**UNEXPECTED** ") << md_cell(cell_text(t)) << "<br>" << t.search
            << ", " << fmt_count(t.executions) << " ex, "
            << (t.shared_with.empty() ? fmt_seconds(t.seconds) : "the search of " + t.shared_with) << " |";
        }
        f << "\n";
      }
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

  const generated_part g = generated(rows);
  if (!sp.gen.empty()) {
    f << "## Generated scenarios (iowq-verify explore)\n\n"
      << g.programs << " generated owner programs (" << g.extent() << ") under " << join(g.variants, ", ") << " ("
      << g.targets << " targets; search " << join(g.searches, ", ") << "): " << g.verified << " verdicts verified, "
      << g.known << " violations of known findings, " << g.candidates << " new candidates"
      << (g.inconclusive ? ", " + std::to_string(g.inconclusive) + " inconclusive" : "")
      << ". Each violation is triaged by its signature (the property, and the function where the execution went "
         "wrong): one row per signature, with the smallest program that shows it (shrunk).\n\n"
         "| signature | finding | variants | programs | smallest program | where |\n|---|---|---|---:|---|---|\n";
    for (const auto& x : g.groups)
      f << "| " << md_cell(x.signature) << " | " << (x.finding.empty() ? "**NEW CANDIDATE**" : x.finding) << " | "
        << join({x.variants.begin(), x.variants.end()}, ", ") << " | " << x.programs.size() << " | `"
        << x.smallest->scenario << "` under " << x.smallest->variant << " | " << md_cell(x.where) << " |\n";
    f << "\n";
  }

  f << "## Findings (every counterexample)\n\n| target | family | property | expected | failure | replay | "
       "reproduced on a real kernel |\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated" || !g.listed(r)) continue;
    f << "| " << md_cell(target_title(r)) << " | " << family_text(r) << " | " << r.violated << " | "
      << (r.as_expected ? (r.mutant.empty() ? "known finding" : "mutant killed") : "**UNEXPECTED**") << " | "
      << md_cell(r.failure_kind + ": " + r.failure_message) << " | "
      << (r.replay_file.empty() ? "" : "[" + r.replay_file + "](" + r.replay_file + ")") << " | "
      << md_cell(real_kernel_text(r.note)) << " |\n";
  }
  f << "\n";
  if (const auto missing = unexpected_without_counterexample(rows); !missing.empty()) {
    f << "## Unexpected verdicts without a counterexample\n\n";
    for (const row* r : missing)
      f << "- " << md_cell(r->id) << ": expected " << expected_text(*r) << ", got " << verdict_text(*r)
        << (r->failure_message.empty() ? "" : " (" + md_cell(r->failure_message) + ")") << "\n";
    f << "\n";
  }

  f << "## Counterexamples\n\n";
  for (const auto& r : rows) {
    if (r.verdict != "violated" || !g.listed(r)) continue;
    f << "### " << target_title(r) << ": " << r.violated << " (" << family_text(r) << ")\n\n"
      << r.failure_kind << ": " << r.failure_message << (r.failure_location.empty() ? "" : " at " + r.failure_location)
      << "\n\n";
    if (!r.note.empty()) f << "Known finding: " << r.note << "\n\n";
    if (!r.replay_file.empty()) f << "Replay: `iowq-verify replay " << r.replay_file << "`\n\n";
    f << "```\n" << chk::format_trace_columns(r.trace, 40) << "```\n\n";
  }
}

}  // namespace iowq::tools
