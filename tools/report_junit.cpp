// junit.xml: a test suite per group (scenarios, mutants), a test case per verdict.
#include <map>
#include <string>
#include <vector>

#include "chk/trace.h"
#include "report_common.h"
#include "reports.h"

namespace iowq::tools {

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
