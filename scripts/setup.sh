#!/usr/bin/env bash
# Installs what the build and tests need, idempotently and quickly when already there.
# Usage: scripts/setup.sh [rust] [node] [browser]   (no argument = all)
set -euo pipefail
cd "$(dirname "$0")/.."

want() { [ $# -eq 0 ] && return 0; for w in "${WANTED[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }
WANTED=("$@")
[ ${#WANTED[@]} -eq 0 ] && WANTED=(rust node browser)

say() { echo "[setup] $*"; }

if want rust; then
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # The CLI must match the crate's wasm-bindgen exactly (Cargo.toml pins it).
  version=$(grep -E '^wasm-bindgen = ' Cargo.toml | sed -E 's/.*"=?([0-9.]+)".*/\1/')
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $version\$"; then
    say "installing wasm-bindgen-cli $version (takes about 5 minutes once)"
    # No --locked: the registry index here lacks one of the CLI's pinned dependencies.
    cargo install wasm-bindgen-cli --version "$version" --force
  fi
fi

if want node; then
  # Reinstall when package.json changed since the last install.
  if [ ! -f node_modules/.installed ] || [ package.json -nt node_modules/.installed ]; then
    say "installing npm devDependencies"
    npm install --no-audit --no-fund --loglevel=error
    touch node_modules/.installed
  fi
fi

if want browser; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian chromium and chromium-driver"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
