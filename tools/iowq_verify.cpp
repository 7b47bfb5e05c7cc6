// iowq-verify: the command users run. Subcommands:
//   litmus   the checker's own litmus catalog, with the known answer of each test
// Exit codes: 0 all verified / as known, 1 a property violated (or a known answer not reproduced),
// 2 usage or input error, 3 inconclusive (a budget ran out).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "litmus_cmd.h"

int main(int argc, char** argv) {
  CLI::App app{"iowq-verify: model checking, replay and reports for io-wq's exit-on-idle patch"};
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 all verified, 1 a property violated (counterexample found), 2 usage or input error, "
      "3 inconclusive (a budget ran out before the search finished).");

  auto* litmus = app.add_subcommand("litmus", "run the checker's litmus catalog under DFS and DPOR");
  std::string json_out;
  litmus->add_option("--json", json_out, "also write the results as JSON to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "iowq-verify: " << e.what() << " (see --help)\n";
    return 2;
  }

  if (*litmus) {
    auto rows = iowq::tools::run_litmus(true);
    iowq::tools::print_litmus_table(std::cout, rows);
    if (!json_out.empty()) {
      std::ofstream f(json_out);
      if (!f) {
        std::cerr << "iowq-verify: cannot write " << json_out << "\n";
        return 2;
      }
      f << iowq::tools::litmus_json(rows).dump(2) << "\n";
    }
    for (const auto& r : rows)
      if (!r.matches) return 1;
    return 0;
  }
  return 2;
}
