#!/usr/bin/env bash
# Malformed and mismatched input: exit 2 with a one-line error on stderr.
source "$(dirname "$0")/lib.sh" "$@"

run make 1 check --quick --mutant eoi_no_wake --out cx
good=cx/mutant_eoi_no_wake_idle-then-eoi_v1.replay.json
[ -f "$good" ] || { fail "no replay file"; finish; }

edit() {  # edit IN OUT PYTHON-STATEMENT (d is the parsed file)
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $3; json.dump(d, open(sys.argv[2],'w'))" "$1" "$2"
}

printf '{"format": "iowq-verify-replay", "format_version": 1, "schedule": [0, 1,\n  "oops' >malformed.json
run malformed 2 replay malformed.json
one_line_error malformed

echo 'not json at all' >garbage.json
run garbage 2 replay garbage.json
one_line_error garbage

run missing 2 replay no-such-file.json
one_line_error missing

# Labels from another scenario than the recorded test.
edit "$good" other_scenario.json 'd["labels"]["scenario"]="cancel-queued"'
run other_scenario 2 replay other_scenario.json
one_line_error other_scenario

# A test name from another scenario than the labels.
edit "$good" other_test.json 'd["test"]="cancel-queued/v1"'
run other_test 2 replay other_test.json
one_line_error other_test

# Another variant in the labels.
edit "$good" other_variant.json 'd["labels"]["variant"]="upstream"'
run other_variant 2 replay other_variant.json
one_line_error other_variant

# Another format version, and another engine.
edit "$good" version.json 'd["format_version"]=99'
run version 2 replay version.json
one_line_error version
contains version.err "version"
edit "$good" engine.json 'd["engine"]="chk-0"'
run engine 2 replay engine.json
one_line_error engine

# A replay file whose schedule no longer reproduces the failure.
edit "$good" cut.json 'd["schedule"]=d["schedule"][:5]'
run cut 2 replay cut.json
one_line_error cut

# Unknown names and bad flags.
run unknown_scenario 2 check --scenario no-such-scenario
one_line_error unknown_scenario
contains unknown_scenario.err "no-such-scenario"
run unknown_variant 2 check --scenario idle-then-eoi --variant v9
one_line_error unknown_variant
run unknown_mutant 2 check --mutant no_such_mutant
one_line_error unknown_mutant
run bad_flag 2 check --scenario idle-then-eoi --frobnicate
one_line_error bad_flag
run bad_search 2 check --scenario idle-then-eoi --search bfs
one_line_error bad_search
# --search as chk::parse_search reads it: no sign, no space, no bound past 10^9 (an int overflow).
for s in "bounded:+2" "bounded: 3" "bounded:99999999999" "random:" "pct:1x"; do
  run "bad_search_${s//[^a-z0-9]/_}" 2 check --quick --scenario idle-then-eoi --search "$s"
  one_line_error "bad_search_${s//[^a-z0-9]/_}"
done
run bad_rcu 2 check --quick --scenario idle-then-eoi --rcu nonpreemptible
one_line_error bad_rcu
contains bad_rcu.err "non-preemptible"
run bad_shard 2 check --scenario idle-then-eoi --shard 2/2
one_line_error bad_shard
run bad_trace 2 replay "$good" --trace xml
one_line_error bad_trace
run no_subcommand 2
one_line_error no_subcommand
run bad_subcommand 2 frobnicate
one_line_error bad_subcommand

# merge: malformed results.
run merge_garbage 2 merge garbage.json
one_line_error merge_garbage
run merge_replay_file 2 merge "$good"
one_line_error merge_replay_file
finish
