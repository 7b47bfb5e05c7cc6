// What the report writers (report_markdown.cpp, report_html.cpp, report_junit.cpp) share: escaping,
// number formats, the texts of verdicts, and the grouping of rows.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "explore.h"
#include "results.h"

namespace iowq::tools {

// Opens `path` for writing; throws std::runtime_error when it cannot.
std::ofstream open_out(const std::string& path);

// The "real kernel" column: the last results of `iowq-verify kernel` on this machine for the
// finding a known-finding note names (its leading "F<n>:"), read from the kernel harness's cache.
std::string real_kernel_text(const std::string& note);

std::string html_escape(const std::string& s);
std::string xml_escape(const std::string& s);
std::string md_cell(std::string s);
std::string fmt_seconds(double s);
// JUnit's time attribute is an xs:decimal: no exponent.
std::string fmt_decimal(double s);
std::string join(const std::vector<std::string>& v, const char* sep);

// The verdict with the property it breaks.
std::string verdict_text(const row& r);
std::string cell_text(const target_summary& s);
std::string expected_text(const row& r);
// The verdicts that are not their expected answer and have no counterexample to show (an expected
// violation missing, or a search cut short), in order.
std::vector<const row*> unexpected_without_counterexample(const std::vector<row>& rows);

std::vector<std::string> ordered_unique(const std::vector<const row*>& rows, std::string row::*field);

struct split {
  std::vector<const row*> scen, muts;
  std::vector<const row*> gen;  // generated scenarios (iowq-verify explore), mutant runs of them included
};
split split_rows(const std::vector<row>& rows);

std::string target_title(const row& r);

// The generated scenarios' part of a report: what was enumerated, the verdicts, and one row per
// signature (explore.h) with its smallest program; only those smallest rows are listed among the
// findings and counterexamples.
struct generated_part {
  std::size_t programs = 0, targets = 0, verified = 0, known = 0, candidates = 0, inconclusive = 0;
  std::vector<std::string> variants, searches;
  std::size_t most_actions = 0, most_works = 0;  // the largest program's
  std::vector<std::string> knobs;                // "none", "max2", ...
  std::string extent() const;                    // "the largest with 3 actions and 2 works; knobs none"
  std::vector<signature_group> groups;
  std::vector<const row*> representatives;
  bool listed(const row& r) const;  // a row the findings and counterexamples show
};
generated_part generated(const std::vector<row>& rows);

// The families in the report's order (io_uring first), each with its scenarios in order of first
// appearance: the matrix shows what io_uring can reach apart from the io-wq API contract.
struct family_group {
  std::string heading;  // "Reachable through io_uring", "io-wq API contract: ..."
  std::vector<std::string> scenarios;
};
std::vector<family_group> scenarios_by_family(const std::vector<const row*>& scen);

// The rows of one matrix cell: a scenario under a variant.
std::vector<const row*> cell_rows(const split& sp, const std::string& scenario, const std::string& variant);

// How far the scenario searches of a report reach: the cells (scenario x variant) searched over all
// interleavings (dpor, dfs) and those searched with a preemption bound, each bounded scenario with
// its bounds. A bounded cell is not a proof over all interleavings; the report says so.
struct search_extent {
  std::size_t cells = 0, exhaustive = 0, bounded = 0;
  std::size_t shared = 0;  // cells whose search is another variant's (row::shared_with)
  std::vector<std::pair<std::string, std::string>> bounded_scenarios;  // name, search (bounded:K)
  std::string text() const;                                            // one paragraph, for both reports
};
search_extent extent_of(const split& sp);

}  // namespace iowq::tools
