# Sourced by scripts/build: fetches pinned third-party C/C++ sources from Debian's source packages into
# third_party/src (ignored). Nothing third-party is committed. A private apt config holds the deb-src entry,
# derived from the system's own sources, so the system's apt setup is untouched.
set -euo pipefail

SRC_PACKAGES=("tinyxml2=9.0.0+dfsg-3.1" "mbedtls=2.28.3-1")

fetch_sources() {
  local root="$1" tp="$1/third_party"
  [ -f "$tp/src/.complete" ] && return 0
  local apt="$tp/apt"
  rm -rf "$tp/src" && mkdir -p "$apt/etc" "$apt/lists/partial" "$tp/src"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$apt/etc/src.sources"
  fi
  if [ -f /etc/apt/sources.list ]; then
    sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$apt/etc/src.list"
  fi
  local opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt/etc" -o "Dir::State::Lists=$apt/lists"
    -o APT::Sandbox::User=root)
  echo "[fetch] Debian source packages: ${SRC_PACKAGES[*]}" >&2
  apt-get "${opts[@]}" update -qq >/dev/null
  (cd "$tp/src" && apt-get "${opts[@]}" source -qq "${SRC_PACKAGES[@]}" >/dev/null 2>&1)
  mv "$tp/src"/tinyxml2-*/ "$tp/src/tinyxml2"
  mv "$tp/src"/mbedtls-*/ "$tp/src/mbedtls"
  touch "$tp/src/.complete"
}
