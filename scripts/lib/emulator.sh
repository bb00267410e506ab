# Sourced: starts the verifying S3+STS emulator (tests/emulator) and seeds the demo data.
# Sets EMU_URL and EMU_PID. The caller's trap must kill EMU_PID.
# Port 0 (what scripts/test, scripts/soak and scripts/run pass unless EMU_PORT is set) lets the emulator choose
# free ports for itself and its moto child; EMU_URL names the one it bound, so runs side by side never collide.
DEMO_BACKEND_ACCESS_KEY_ID=${DEMO_BACKEND_ACCESS_KEY_ID:-AKIDDEMOBACKEND0001}
DEMO_BACKEND_SECRET_ACCESS_KEY=${DEMO_BACKEND_SECRET_ACCESS_KEY:-demo/backend/secret/key/0001}
export DEMO_BACKEND_ACCESS_KEY_ID DEMO_BACKEND_SECRET_ACCESS_KEY

start_emulator() {  # port (0: a free one), log file; returns non-zero (emulator stopped) if it or its seed fails
  local port=$1 log=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
  python3 "$root/tests/emulator/s3emu.py" --port "$port" \
    --key "$DEMO_BACKEND_ACCESS_KEY_ID:$DEMO_BACKEND_SECRET_ACCESS_KEY" --public-bucket public-bucket \
    --public-write-bucket scratch-bucket >"$fifo" 2>>"$log" &
  EMU_PID=$!
  local line=""
  read -r -t 60 line <"$fifo" || true
  rm -f "$fifo"
  case "$line" in
    READY*) EMU_URL=${line#READY } ;;
    *) echo "emulator failed to start (see $log)" >&2; tail -20 "$log" >&2; stop_emulator; return 1 ;;
  esac
  # A seed that fails leaves the fixtures the tests and the demo read missing or partial: not a usable emulator.
  if ! python3 "$root/tests/emulator/seed.py" --endpoint "$EMU_URL" \
      --key "$DEMO_BACKEND_ACCESS_KEY_ID:$DEMO_BACKEND_SECRET_ACCESS_KEY" >&2 2>>"$log"; then
    echo "seeding the emulator failed (see $log)" >&2; tail -20 "$log" >&2
    stop_emulator
    return 1
  fi
  export EMU_URL
}

stop_emulator() {  # stops the emulator start_emulator started (if it still runs) and forgets it
  if [ -n "${EMU_PID:-}" ]; then kill "$EMU_PID" 2>/dev/null || true; wait "$EMU_PID" 2>/dev/null || true; fi
  EMU_PID="" EMU_URL=""
}
