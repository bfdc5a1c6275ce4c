#!/usr/bin/env bash
# Installs what the VS Code end-to-end test (tests/vscode/test_vscode_e2e.py) needs:
#   - Debian's chromium (driven by playwright-core), ripgrep (code-server's search, in place of
#     @vscode/ripgrep's download) and libkrb5-dev (to build code-server's kerberos module);
#   - code-server (a real VS Code workbench served over HTTP) from the npm registry, with its
#     install scripts run by hand, since they would download prebuilt binaries;
#   - playwright-core, from this directory's package-lock.json.
#
# Idempotent and cached: code-server goes to $SCHEMA_LINT_E2E_CACHE (default
# ~/.cache/schema-lint-e2e), outside the repository, and is built once per version.
# Progress goes to stderr; stdout gets KEY=VALUE lines for the test:
#   CODE_SERVER=...  CHROMIUM=...  E2E_DRIVER=...
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${SCHEMA_LINT_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/schema-lint-e2e}"
DEST="$CACHE/code-server-$CODE_SERVER_VERSION"
START=$SECONDS

log() { echo "[vscode-e2e setup +$((SECONDS - START))s] $*" >&2; }
die() { echo "[vscode-e2e setup] error: $*" >&2; exit 1; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -e /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
{ command -v g++ && command -v make; } >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        die "missing Debian packages; install them with: sudo apt-get install -y ${missing[*]}"
    fi
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

command -v node >/dev/null || die "node is not installed (Node 20 is needed)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" = 20 ] || die "code-server $CODE_SERVER_VERSION needs Node 20, this is $(node --version)"

# Native modules are built against the headers that come with node (nodesource's package has
# them); node-gyp would otherwise try to download them, which this network does not allow.
NODE_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
[ -e "$NODE_DIR/include/node/node_api.h" ] || die "node's headers are not in $NODE_DIR/include/node"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
NODE_GYP="$NPM_DIR/node_modules/node-gyp/bin/node-gyp.js"
[ -e "$NODE_GYP" ] || die "npm's node-gyp is not at $NODE_GYP"

# --- code-server -----------------------------------------------------------------------------
build_code_server() {
    local work="$DEST.partial"
    rm -rf "$work"
    mkdir -p "$work"
    log "npm pack code-server@$CODE_SERVER_VERSION"
    (cd "$work" && npm pack --silent "code-server@$CODE_SERVER_VERSION" >/dev/null \
        && tar xzf "code-server-$CODE_SERVER_VERSION.tgz" && rm "code-server-$CODE_SERVER_VERSION.tgz")
    local pkg="$work/package"
    local npm_flags=(--omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
    export npm_config_nodedir="$NODE_DIR" JOBS=max

    log "npm install (code-server)"
    (cd "$pkg" && npm install "${npm_flags[@]}" >&2)
    log "npm rebuild argon2"
    (cd "$pkg" && npm rebuild argon2 --build-from-source --loglevel=error >&2)

    log "npm install (lib/vscode)"
    (cd "$pkg/lib/vscode" && npm install "${npm_flags[@]}" >&2)
    log "npm rebuild kerberos @vscode/spdlog @vscode/deviceid native-watchdog"
    (cd "$pkg/lib/vscode" && npm rebuild kerberos @vscode/spdlog @vscode/deviceid native-watchdog \
        --build-from-source --loglevel=error >&2)
    # node-pty's own install script also runs `npx node-gyp` to write compile_commands.json,
    # which needs a download; the module itself is all that is wanted.
    log "node-gyp rebuild node-pty"
    (cd "$pkg/lib/vscode/node_modules/node-pty" && node "$NODE_GYP" rebuild --nodedir="$NODE_DIR" >/dev/null)

    # What code-server's postinstall.sh would do after its downloads.
    mkdir -p "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin"
    ln -sfn "$(command -v rg)" "$pkg/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
    ln -sfn node_modules "$pkg/lib/vscode/node_modules.asar"
    ln -sfn code-linux.sh "$pkg/lib/vscode/bin/remote-cli/code-server"
    ln -sfn browser-linux.sh "$pkg/lib/vscode/bin/helpers/browser.sh"

    mkdir -p "$work/bin"
    cat >"$work/bin/code-server" <<EOF
#!/bin/sh
exec node "\$(dirname "\$0")/../package/out/node/entry.js" "\$@"
EOF
    chmod +x "$work/bin/code-server"
    # Every native module must load, or the workbench fails in ways that are hard to read.
    (cd "$pkg/lib/vscode" && node -e '
        for (const m of ["kerberos", "@vscode/spdlog", "native-watchdog", "node-pty", "@parcel/watcher"]) require(m);
        require("../../node_modules/argon2");
    ' >&2)
    "$work/bin/code-server" --version >&2
    mv "$work" "$DEST"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -x "$DEST/bin/code-server" ]; then
    log "code-server $CODE_SERVER_VERSION is cached in $DEST"
else
    build_code_server
    log "code-server $CODE_SERVER_VERSION built in $DEST"
fi

# --- playwright-core -------------------------------------------------------------------------
wanted="$(node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' \
    "$HERE/package-lock.json")"
have="$(node -p 'try { require(process.argv[1]).version } catch { "" }' \
    "$HERE/node_modules/playwright-core/package.json")"
if [ "$have" != "$wanted" ]; then
    log "npm ci (playwright-core $wanted)"
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

log "ready"
echo "CODE_SERVER=$DEST/bin/code-server"
echo "CHROMIUM=$(command -v chromium)"
echo "E2E_DRIVER=$HERE/e2e.mjs"
