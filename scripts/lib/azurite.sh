# Sourced: starts Azurite's blob service (the Azure Storage emulator, installed by deps_azurite in deps.sh) and
# seeds it (tests/azurite/seed.mjs). Sets AZURITE_URL (http://127.0.0.1:PORT; the account is in the path:
# $AZURITE_URL/devstoreaccount1/...) and AZURITE_PID. The caller's trap must call stop_azurite (or kill AZURITE_PID).
#
# Blob service only, loopback only, a free port (port 0: Azurite binds one and prints it), in memory (nothing on
# disk; 256 MiB of extents unless AZURITE_MEMORY_MB says otherwise), no telemetry. Shared Key and SAS are verified
# for the well-known development account devstoreaccount1 (key in tests/azurite/shared_key.mjs): --loose is never
# passed, so a request whose signature does not match is refused (403 AuthorizationFailure /
# AuthenticationFailed), as Azure refuses it.
AZURITE_ACCOUNT=devstoreaccount1
AZURITE_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

start_azurite() {  # port (0: a free one), log file; returns non-zero (Azurite stopped) if it or its seed fails
  local port=$1 log=$2 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local bin="$root/.state/azurite/node_modules/.bin/azurite-blob"
  if [ ! -x "$bin" ]; then echo "azurite is not installed (deps_azurite)" >&2; return 1; fi
  local out; out=$(mktemp -d)
  # Its own empty working directory: Azurite writes nothing in memory mode, but never into the caller's.
  (cd "$out" && unset AZURITE_ACCOUNTS && exec "$bin" --blobHost 127.0.0.1 --blobPort "$port" --inMemoryPersistence \
    --extentMemoryLimit "${AZURITE_MEMORY_MB:-256}" --disableTelemetry >"$out/stdout" 2>>"$log") &
  AZURITE_PID=$!
  local i line=""
  for i in $(seq 1 300); do  # 30 s
    line=$(grep -ao 'listens on http://127\.0\.0\.1:[0-9]*' "$out/stdout" 2>/dev/null | head -1)
    [ -n "$line" ] && break
    kill -0 "$AZURITE_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out/stdout" >>"$log" 2>/dev/null
  rm -rf "$out"
  if [ -z "$line" ]; then
    echo "azurite failed to start (see $log)" >&2; tail -20 "$log" >&2; stop_azurite; return 1
  fi
  AZURITE_URL=${line#listens on }
  if ! node "$root/tests/azurite/seed.mjs" "$AZURITE_URL" >>"$log" 2>&1; then
    echo "seeding azurite failed (see $log)" >&2; tail -20 "$log" >&2
    stop_azurite
    return 1
  fi
  export AZURITE_URL AZURITE_PID
}

stop_azurite() {  # stops the Azurite start_azurite started (if it still runs) and forgets it
  if [ -n "${AZURITE_PID:-}" ]; then kill "$AZURITE_PID" 2>/dev/null || true; wait "$AZURITE_PID" 2>/dev/null || true; fi
  AZURITE_PID="" AZURITE_URL=""
}
