# Sourced by scripts/*: installs what the build and tests need, only when missing.
# Pinned: Debian bookworm packages (versions listed in README "Toolchain"), npm via package-lock.json.
# A sourced library leaves the caller's shell options alone (scripts/test must not become `set -e`); every
# caller sets its own.

APT_PACKAGES=(emscripten binaryen wabt nlohmann-json3-dev catch2 wasi-libc libc++-14-dev-wasm32
  libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32 libclang-rt-14-dev clang-14 lld-14 dpkg-dev xz-utils cmake g++ make)

deps_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "[deps] apt-get install ${missing[*]}" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The real S3 clients the end-to-end suite drives (tests/e2e/clients.test.mjs): Debian's awscli (v2, /usr/bin/aws;
# v1 is the image's pyenv `aws`, first on PATH), rclone, s3cmd, GDAL (/vsis3/ and the COG seed) and headless
# Chromium (driven by playwright-core from package.json). boto3 comes with the image's Python.
CLIENT_APT_PACKAGES=(awscli rclone s3cmd gdal-bin chromium s3fs)

deps_clients() {
  deps_apt "${CLIENT_APT_PACKAGES[@]}"
}

deps_npm() {
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ ! -d "$root/node_modules/miniflare" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    echo "[deps] npm ci" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

# Offline hygiene for wrangler/miniflare: no telemetry, state inside the repo's ignored dirs.
wrangler_env() {
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  export WRANGLER_SEND_METRICS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
  export WRANGLER_SEND_ERROR_REPORTS=false XDG_CONFIG_HOME="$root/.state/xdg" WRANGLER_LOG_PATH="$root/.state/wrangler-logs"
  export NODE_PATH=/usr/share/nodejs   # emscripten 3.1.6 needs acorn from here
}

# ./scripts/bench only: the origin (nginx; its echo module's echo_sleep makes the delayed origin of the edge-cache
# cells), the load tool (hey: true per-request percentiles, can HEAD; wrk is kept for cross-checks) and the peer
# Workers' signer (aws4fetch, pinned in package.json devDependencies).
BENCH_APT_PACKAGES=(nginx-light libnginx-mod-http-echo hey wrk)

deps_bench() {
  deps_apt "${BENCH_APT_PACKAGES[@]}"
  deps_npm
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  if [ ! -f "$root/node_modules/aws4fetch/package.json" ]; then
    echo "[deps] npm ci (aws4fetch)" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

# Azurite (the Azure Storage emulator the Azure dialect's tests run against), pinned by tests/azurite's own
# package.json + package-lock.json and installed apart from the root's node_modules, in .state/azurite: its ~370
# packages are needed only where Azure is tested, and its lock does not churn the Worker's. `npm ci` installs
# exactly the lock (from npm's cache when it holds them); nothing runs when the install matches the lock.
deps_azurite() {
  local root; root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  local dir="$root/.state/azurite"
  if [ ! -x "$dir/node_modules/.bin/azurite-blob" ] || ! cmp -s "$root/tests/azurite/package-lock.json" "$dir/package-lock.json"; then
    echo "[deps] npm ci (azurite, into .state/azurite)" >&2
    mkdir -p "$dir"
    cp "$root/tests/azurite/package.json" "$root/tests/azurite/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}
