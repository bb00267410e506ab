# Sourced by scripts/test: runs test stages and adds up their counts. Every stage runs and reports whatever
# happened before it (so this file never turns on `set -e`, and nothing here aborts the caller), and
# `stages_total` always prints the closing "total: N passed, N failed" line.
#   stage NAME PARSER CMD...   runs CMD with output in $STAGE_LOG_DIR/NAME.log, adds PARSER's "P F" counts
#   stage_failed NAME WHY      counts a stage that could not run at all as one failure
#   stages_total               prints the total line; returns non-zero if anything failed or nothing ran
STAGE_LOG_DIR=${STAGE_LOG_DIR:-.state/test}
passed=0 failed=0

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
}

stage_failed() {
  echo "== $1" >&2
  echo "   $1: not run ($2), counted as 1 failed" >&2
  failed=$((failed + 1))
}

stages_total() {
  if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # zero tests executed is a failed run
  echo "total: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# Parsers: print "PASSED FAILED" for a stage's log.
catch2_counts() {  # Catch2 v2: "All tests passed (A assertions in N test cases)" / "test cases: N | P passed | F failed"
  if grep -q "All tests passed" "$1"; then sed -n 's/.*assertions in \([0-9]*\) test case.*/\1 0/p' "$1" | tail -1
  else sed -n 's/^test cases: *[0-9]* | *\([0-9]*\) passed | *\([0-9]*\) failed.*/\1 \2/p' "$1" | tail -1; fi
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
