#!/usr/bin/env bash
# The one test command, for a fresh Debian 12 machine (root, Python 3.11 with pip,
# Node 20 with npm) as for a developer's: installs what the tests need, then runs
# the linter and the whole suite. Safe to run again; extra arguments go to pytest.
#   scripts/test.sh                      # everything
#   scripts/test.sh tests/browser -x     # a part
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Chromium for the browser tests, which drive /usr/bin/chromium directly
# (never `playwright install`); the CJK fonts so Chinese posts render as readers see them.
apt_packages=(chromium fonts-noto-cjk)
installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii " ]]
}
missing=()
for package in "${apt_packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=()
  ((EUID == 0)) || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y "${missing[@]}"
fi

# MathJax, pinned in package-lock.json, into ./node_modules for the browser tests.
npm ci --no-audit --no-fund

python=$(command -v python || command -v python3)
"$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e ".[test]"

"$python" -m ruff check .
# One worker takes all browser tests (xdist_group "browser"): one build, one Chromium.
"$python" -m pytest -n auto --dist loadgroup "$@"
