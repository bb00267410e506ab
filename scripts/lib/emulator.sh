# Sourced: starts the verifying S3+STS emulator (tests/emulator) and seeds the demo data.
# Sets EMU_URL and EMU_PID. The caller's trap must kill EMU_PID.
DEMO_BACKEND_ACCESS_KEY_ID=${DEMO_BACKEND_ACCESS_KEY_ID:-AKIDDEMOBACKEND0001}
DEMO_BACKEND_SECRET_ACCESS_KEY=${DEMO_BACKEND_SECRET_ACCESS_KEY:-demo/backend/secret/key/0001}
export DEMO_BACKEND_ACCESS_KEY_ID DEMO_BACKEND_SECRET_ACCESS_KEY

start_emulator() {  # port, log file
  local port=$1 log=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local fifo; fifo=$(mktemp -u); mkfifo "$fifo"
  python3 "$root/tests/emulator/s3emu.py" --port "$port" \
    --key "$DEMO_BACKEND_ACCESS_KEY_ID:$DEMO_BACKEND_SECRET_ACCESS_KEY" --public-bucket public-bucket \
    >"$fifo" 2>>"$log" &
  EMU_PID=$!
  local line=""
  read -r -t 60 line <"$fifo" || true
  rm -f "$fifo"
  case "$line" in
    READY*) EMU_URL=${line#READY } ;;
    *) echo "emulator failed to start (see $log)" >&2; tail -20 "$log" >&2; return 1 ;;
  esac
  python3 "$root/tests/emulator/seed.py" --endpoint "$EMU_URL" \
    --key "$DEMO_BACKEND_ACCESS_KEY_ID:$DEMO_BACKEND_SECRET_ACCESS_KEY" >&2
  export EMU_URL
}
