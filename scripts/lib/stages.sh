# Sourced by scripts/test: runs test stages and adds up their counts. Every stage runs and reports whatever
# happened before it (so this file never turns on `set -e`, and nothing here aborts the caller), and
# `stages_total` always prints the closing "total: N passed, N failed" line.
#   stage NAME PARSER CMD...   runs CMD with output in $STAGE_LOG_DIR/NAME.log, adds PARSER's "P F" counts
#   stage_if DEP NAME PARSER CMD...  the same, but only if stage DEP passed (DEP made what CMD runs: a build);
#                              otherwise NAME is counted failed without running, so a failed build never lets a
#                              stage run the binaries an earlier build left behind
#   stage_failed NAME WHY      counts a stage that could not run at all as one failure
#   stages_total               prints the total line; returns non-zero if anything failed or nothing ran
# `stage` and `stage_failed` return non-zero for a failed stage and record it in STAGE_STATUS[NAME] (ok|failed).
# Logs go to $STAGE_LOG_DIR (.state/test): one directory per clone, so two clones test side by side; two runs in
# the SAME clone at once are not supported (they would share these logs and the build/ and dist/ outputs).
STAGE_LOG_DIR=${STAGE_LOG_DIR:-.state/test}
passed=0 failed=0
declare -A STAGE_STATUS=()

stage() {
  local name=$1 parser=$2; shift 2
  local log="$STAGE_LOG_DIR/$name.log" rc p f
  mkdir -p "$STAGE_LOG_DIR"
  echo "== $name" >&2
  "$@" >"$log" 2>&1 && rc=0 || rc=$?
  read -r p f < <("$parser" "$log") || true
  p=${p:-0} f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash with no count is still a failure
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi    # a stage that ran no test proves nothing
  if [ "$f" -ne 0 ]; then tail -60 "$log" >&2; fi
  echo "   $name: $p passed, $f failed" >&2
  passed=$((passed + p)) failed=$((failed + f))
  if [ "$f" -eq 0 ]; then STAGE_STATUS[$name]=ok; else STAGE_STATUS[$name]=failed; return 1; fi
}

stage_if() {
  local dep=$1 name=$2
  if [ "${STAGE_STATUS[$dep]:-}" = ok ]; then
    shift
    stage "$@"
  else
    stage_failed "$name" "$dep ${STAGE_STATUS[$dep]:-did not run}: its outputs are missing or stale"
  fi
}

stage_failed() {
  echo "== $1" >&2
  echo "   $1: not run ($2), counted as 1 failed" >&2
  failed=$((failed + 1))
  STAGE_STATUS[$1]=failed
  return 1
}

stages_total() {
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # zero tests executed is a failed run
  echo "total: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# Parsers: print "PASSED FAILED" for a stage's log.

# Catch2 v2 (tests/unit's main is Catch2's own). A binary that crashes mid-run ends early: Catch2's fatal-signal
# handler then prints a summary of the cases run so far (the crashing one failed), and a crash it does not catch
# (SIGKILL, ASan's own exit) prints none. Neither says how many cases never ran, so catch2_run first asks the
# binary for the cases the run will execute (`--list-test-names-only`, the same default filter as the run, hidden
# "[.]" cases excluded) and logs their count; catch2_counts then counts as passed only the cases the summary
# reports passed (none without a summary) and every other listed case as failed. A case that passed before an
# uncaught crash is undercounted as failed, never the other way round.
catch2_run() {  # CMD... (the unit binary, possibly behind `env VAR=...`)
  local listed
  listed=$("$@" --list-test-names-only 2>/dev/null | grep -c .)  # its exit status is the count: not an error
  echo "CATCH2 LISTED ${listed:-0} test cases"
  "$@"
}
# Summaries: "All tests passed (A assertions in N test cases)", or "test cases: N | P passed | F failed | X failed
# as expected" with the zero columns left out ("test cases: 5 | 5 failed"). Prints "PASSED FAILED".
catch2_counts() {
  local listed p=0 f=0 line
  listed=$(sed -n 's/^CATCH2 LISTED \([0-9]*\) .*/\1/p' "$1" | tail -1)
  if line=$(grep "^All tests passed" "$1" | tail -1) && [ -n "$line" ]; then
    p=$(sed -n 's/.*assertions\{0,1\} in \([0-9]*\) test case.*/\1/p' <<<"$line")
  elif line=$(grep "^test cases: " "$1" | tail -1) && [ -n "$line" ]; then
    p=$(grep -o '[0-9]* passed' <<<"$line" | grep -o '[0-9]*' || true)
    f=$(grep -o '[0-9]* failed\( as expected\)\{0,1\}' <<<"$line" | grep -v 'as expected' | grep -o '[0-9]*' || true)
    # "failed as expected" ([!shouldfail] cases) is what those cases are for: counted as passed
    p=$(( ${p:-0} + $(grep -o '[0-9]* failed as expected' <<<"$line" | grep -o '^[0-9]*' || echo 0) ))
  fi
  p=${p:-0} f=${f:-0}
  if [ -n "$listed" ] && [ $((listed - p)) -gt "$f" ]; then f=$((listed - p)); fi
  echo "$p $f"
}
# node --test's summary; a skipped, todo or cancelled test proved nothing, so it counts as failed.
node_summary() { sed -n "s/^ℹ $1 \([0-9]*\)/\1/p" "$2" | tail -1; }
node_counts() {
  local p f s t c
  p=$(node_summary pass "$1") f=$(node_summary fail "$1") s=$(node_summary skipped "$1")
  t=$(node_summary todo "$1") c=$(node_summary cancelled "$1")
  echo "${p:-0} $(( ${f:-0} + ${s:-0} + ${t:-0} + ${c:-0} ))"
}
plain_counts() { sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$1" | tail -1; }
fuzz_counts() { echo "$(grep -c '^CHECK OK' "$1") $(grep -c 'FAILED' "$1")"; }
single_check() { if grep -q "^CHECK OK" "$1"; then echo "1 0"; else echo "0 1"; fi; }
