// The test runner: Catch2 with two additions.
//   --soak SECONDS    run every stress test for SECONDS instead of its CI budget (also the
//                     environment variable IOWQ_TSAN_SOAK=SECONDS, which works through ctest)
//   IOWQ_TSAN_SEED=N  the base seed (default: from the clock; printed); each test derives its own
//                     seed from it and its name, so `IOWQ_TSAN_SEED=N iowq_tsan_tests "<test>"`
//                     reruns a test with the same seed
// and the hidden mode `--iowq-mutant-child MUTANT VARIANT SEED SECONDS` used by the mutant tests
// (the child runs the stress with the mutant and exits with the code of what caught it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

#include "harness.h"

int mutant_child_main(int argc, char** argv);

int main(int argc, char** argv) {
  tsan::init_settings_from_env();
  if (argc >= 2 && std::string(argv[1]) == "--iowq-mutant-child") return mutant_child_main(argc, argv);

  Catch::Session session;
  double soak = 0;
  using Catch::clara::Opt;
  session.cli(session.cli() | Opt(soak, "seconds")["--soak"]("run each stress test for this many seconds (soak mode)"));
  if (int rc = session.applyCommandLine(argc, argv)) return rc;
  if (soak > 0) tsan::the_settings().soak_seconds = soak;
  const Catch::ConfigData& cd = session.configData();
  if (!cd.listTestNamesOnly && !cd.listTests && !cd.listTags && !cd.listReporters && !cd.showHelp)
    std::fprintf(stderr, "iowq_tsan_tests: base seed %llu (rerun with IOWQ_TSAN_SEED=%llu)%s\n",
                 static_cast<unsigned long long>(tsan::the_settings().seed),
                 static_cast<unsigned long long>(tsan::the_settings().seed),
                 tsan::the_settings().soak_seconds > 0 ? ", soak mode" : "");
  return session.run();
}
