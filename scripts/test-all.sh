#!/usr/bin/env bash
# Install everything the tests need, then run them all. `.ci/run` calls exactly this.
#   Debian: qemu-user and gcc-aarch64-linux-gnu (arm64 cores); Python: godap with its test
#   extras; Go: every release under test (through the go command's toolchain switching) and
#   Delve; Node: the VS Code extension's dependencies; code-server, Node 24, chromium and
#   Playwright for the test in a real VS Code (scripts/install-code-server.sh).
# Environment: GODAP_TEST_WORKERS sets pytest-xdist's worker count (default: one per CPU),
# GODAP_GO_VERSIONS narrows the Go releases (default: all), GODAP_FIXTURE_CACHE moves
# the cache of built fixtures and cores (default ~/.cache/godap-fixtures), GODAP_MIN_FREE_GIB the
# free disk the run insists on (default 6).
set -euo pipefail
cd "$(dirname "$0")/.."
GODAP_MIN_FREE_GIB="${GODAP_MIN_FREE_GIB:-6}"

step() { printf '\n==> %s\n' "$*"; }

step "Disk"
# A run from a cold cache writes some 6 GB (fixture builds, cores, captures); a full disk turns into
# hundreds of unrelated errors, so say it first. The cache drops what newer sources supersede.
cache_dir="${GODAP_FIXTURE_CACHE:-$HOME/.cache/godap-fixtures}"
mkdir -p "$cache_dir"
(cd tests && python3 -m support.prune)  # builds of checkouts that are gone, and their cores
df -h "$cache_dir" "${TMPDIR:-/tmp}"
free_kib=$(df -Pk "$cache_dir" | awk 'NR == 2 {print $4}')
if [ "$free_kib" -lt $((GODAP_MIN_FREE_GIB * 1024 * 1024)) ]; then
  echo "only $((free_kib / 1024)) MiB free for $cache_dir: the tests need ${GODAP_MIN_FREE_GIB} GiB or more" >&2
  exit 1
fi
trap 'echo "fixture cache: $(du -sh "$cache_dir" | cut -f1)"; df -h "$cache_dir"' EXIT

step "System packages: qemu-user and the arm64 cross C compiler (arm64 cores)"
# arm64 fixtures are cross-compiled (GOARCH=arm64; cgo with aarch64-linux-gnu-gcc) and run under
# qemu-aarch64, which writes the guest's core. CI runs as root with network to Debian.
if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-gcc >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user gcc-aarch64-linux-gnu
fi

step "Python dependencies"
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

step "Go toolchains and Delve"
go version
python3 -c 'import sys; sys.path.insert(0, "tests"); from support import toolchains; print(" ".join(r.toolchain or "local" for r in toolchains.selected_releases()))' \
  | tr ' ' '\n' | while read -r toolchain; do
      if [ "$toolchain" != local ]; then GOTOOLCHAIN="$toolchain" go version; fi
    done
if ! command -v dlv >/dev/null && [ ! -x "$(go env GOPATH)/bin/dlv" ]; then
  GOFLAGS=-mod=mod go install github.com/go-delve/delve/cmd/dlv@v1.27.2
fi

step "VS Code extension: install, compile, lint, unit tests, package"
(cd vscode-extension && npm ci --no-audit --no-fund && npm run compile && npm run lint && npm test && npm run package)

step "code-server, Node 24, chromium and Playwright for the VS Code UI test (cached)"
bash scripts/install-code-server.sh | tail -n 1

step "Lint and types"
ruff check .
ruff format --check .
mypy

step "Tests"
# One worker per CPU (GODAP_TEST_WORKERS=0 runs them in this process): most tests wait on a server,
# a Go build or dlv, and the fixture cache's per-entry locks let workers share what either builds.
# The benchmark's short mode times godap against Delve: it runs after the rest, alone on the machine,
# so that the other tests' load does not count as a regression (arguments run only what they name).
benchmark_test=tests/test_benchmarks_smoke.py
if [ "$#" -gt 0 ]; then
  python3 -m pytest -ra -n "${GODAP_TEST_WORKERS:-auto}" "$@"
  exit
fi
python3 -m pytest -ra -n "${GODAP_TEST_WORKERS:-auto}" --ignore="$benchmark_test"

step "Benchmark, short mode, alone ($benchmark_test)"
python3 -m pytest -ra -n 0 "$benchmark_test"
