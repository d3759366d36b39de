# Sourced by the scripts that test the packed tarball in throw-away projects (test-pack.sh,
# test-runtimes.sh, test-next.sh): each project pins its tools in package.json and a committed
# lockfile, installed only when either changes (a stamp in its node_modules); the tarball is
# installed fresh every run. npm rewrites a lockfile as it installs (it adds this platform's
# optional binaries), so the committed one is put back each time: a test run leaves the work
# tree as it found it. `npm install`, not `npm ci`: the lockfiles lack other platforms' optional
# binaries at their locked versions, which the registry here does not have, and `npm ci`
# refuses such a lockfile.

# pack_tarball DIR: packs pkg/ into DIR (under the repository) and prints the tarball's path.
pack_tarball() {
  local dir="$1" root="$PWD"
  mkdir -p "$dir"
  rm -f "$dir"/coze-auth-*.tgz
  echo "$root/$dir/$(cd "$dir" && npm pack "$root/pkg" --silent | tail -1)"
}

# install_throwaway PROJECT TARBALL: the project's pinned dependencies when they changed, then
# the tarball, with the committed lockfile put back after each install.
install_throwaway() {
  local project="$1" tarball="$2" saved stamp
  saved=$(mktemp)
  if [ -f "$project/package-lock.json" ]; then
    cp "$project/package-lock.json" "$saved"
    stamp=$(cat "$project/package.json" "$project/package-lock.json" | sha256sum | cut -c1-64)
    if [ "$(cat "$project/node_modules/.coze-auth-test-stamp" 2>/dev/null)" != "$stamp" ]; then
      echo "$project: installing its dependencies (package.json or lockfile changed)"
      (cd "$project" && npm install --no-audit --no-fund --loglevel=error)
      cp "$saved" "$project/package-lock.json"
      echo "$stamp" > "$project/node_modules/.coze-auth-test-stamp"
    fi
  fi
  rm -rf "$project/node_modules/coze-auth"
  (cd "$project" && npm install --no-save --no-audit --no-fund --loglevel=error "$tarball")
  [ ! -s "$saved" ] || cp "$saved" "$project/package-lock.json"
  rm -f "$saved"
  echo "$project: coze-auth installed from the tarball"
}
