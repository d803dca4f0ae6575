#!/usr/bin/env bash
# A real Temporal server for development, tests and CI: the Temporal CLI dev server
# (SQLite persistence, Web UI), pinned to one release.
#   install  find a `temporal` on PATH, or build v1.5.1 once into a per-user cache
#   start    run the dev server in the background (no-op if one already runs)
#   stop     stop the server this script started
#   status   say whether it runs
#   path     print the CLI binary in use
# Environment: TEMPORAL_CLI_PATH (a CLI binary to use), BATON_TEMPORAL_PORT (7233),
# BATON_TEMPORAL_UI_PORT (8233), BATON_TEMPORAL_DIR (state: database, log, pid; .temporal).
set -euo pipefail

VERSION=v1.5.1
# The server release CLI v1.5.1 embeds; `temporal --version` prints it even for a build
# without the release's version stamp.
SERVER_VERSION=1.29.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/baton/temporal-cli-$VERSION"
STATE_DIR="${BATON_TEMPORAL_DIR:-.temporal}"
# BATON_TEMPORAL_DIR is relative to the caller's directory; the default to the repo root.
if [[ -n "${BATON_TEMPORAL_DIR:-}" && "$STATE_DIR" != /* ]]; then STATE_DIR="$PWD/$STATE_DIR"; fi
cd "$ROOT"
PORT="${BATON_TEMPORAL_PORT:-7233}"
UI_PORT="${BATON_TEMPORAL_UI_PORT:-8233}"
ADDRESS="127.0.0.1:$PORT"
UI_URL="http://localhost:$UI_PORT"
PID_FILE="$STATE_DIR/server.pid"
LOG_FILE="$STATE_DIR/server.log"
# Keep in step with core/search-attributes.ts (testing/dev-server.ts registers the same).
SEARCH_ATTRIBUTES=(BatonAgent=Keyword BatonStatus=Keyword BatonPattern=Keyword)
# Dynamic config and SQLite pragmas: devtools/dev-server.conf (testing/dev-server-settings.ts holds the same list).
SERVER_CONF="$ROOT/devtools/dev-server.conf"

usage() {
  echo "usage: $0 {install|start|stop|status|path}"
}

how_to_install() {
  cat >&2 <<MSG
temporal-dev.sh: no Temporal CLI found, and no Go toolchain to build one. Either:
  - install Go 1.25 or newer (https://go.dev/doc/install) and run ./temporal-dev.sh install again
    (it builds the Temporal CLI $VERSION into $CACHE_DIR), or
  - put a 'temporal' binary on your PATH (https://docs.temporal.io/cli#install), or
  - set TEMPORAL_CLI_PATH to a 'temporal' binary.
MSG
}

# True if $1 is a usable build of the pinned CLI.
is_pinned_build() {
  [[ -x "$1" ]] || return 1
  local version
  version="$("$1" --version 2>/dev/null)" || return 1
  # A release-stamped build prints "temporal version 1.5.1 (...)"; an unstamped one
  # (go install without -ldflags) prints "0.0.0-DEV (Server 1.29.1, ...)".
  [[ "$version" == *"version ${VERSION#v} "* || "$version" == *"(Server $SERVER_VERSION,"* ]]
}

# Prints the CLI binary to use, or nothing.
find_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    if [[ -x "$TEMPORAL_CLI_PATH" ]]; then echo "$TEMPORAL_CLI_PATH"; else echo "temporal-dev.sh: TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file" >&2; fi
    return 0
  fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return 0; fi
  if is_pinned_build "$CACHE_DIR/temporal"; then echo "$CACHE_DIR/temporal"; fi
}

cmd_install() {
  local cli
  cli="$(find_cli)"
  if [[ -n "$cli" ]]; then echo "temporal CLI: $cli"; return 0; fi
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then return 1; fi
  if ! command -v go >/dev/null 2>&1; then how_to_install; return 1; fi
  echo "Building the Temporal CLI $VERSION into $CACHE_DIR with $(go version | cut -d' ' -f3)."
  echo "The first build downloads the Temporal server's Go modules and compiles them: several minutes on 2 cores (later runs reuse the binary)."
  mkdir -p "$CACHE_DIR"
  # Same flags as the release build (.goreleaser.yml), so `temporal --version` prints 1.5.1.
  (cd "$CACHE_DIR" && GOBIN="$CACHE_DIR" CGO_ENABLED=0 go install \
    -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=${VERSION#v}" \
    "github.com/temporalio/cli/cmd/temporal@$VERSION")
  if ! is_pinned_build "$CACHE_DIR/temporal"; then
    echo "temporal-dev.sh: the build finished but $CACHE_DIR/temporal --version does not report $VERSION" >&2
    return 1
  fi
  echo "temporal CLI: $CACHE_DIR/temporal"
}

cmd_path() {
  local cli
  cli="$(find_cli)"
  if [[ -n "$cli" ]]; then echo "$cli"; return 0; fi
  [[ -n "${TEMPORAL_CLI_PATH:-}" ]] && return 1
  if command -v go >/dev/null 2>&1; then
    echo "temporal-dev.sh: no Temporal CLI yet; run ./temporal-dev.sh install" >&2
  else
    how_to_install
  fi
  return 1
}

# True if process $1 exists and is not a zombie (an unreaped zombie still answers kill -0).
alive() {
  local stat
  stat="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$stat" && "$stat" != Z* ]]
}

# Prints the recorded pid if that process is alive and is a Temporal dev server
# (not some later process that reused the pid).
our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid args
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  args="$(ps -o args= -p "$pid" 2>/dev/null)" || return 1
  [[ "$args" == *"server start-dev"* ]] || return 1
  echo "$pid"
}

# True if a Temporal frontend answers on $ADDRESS.
answers() {
  "$1" operator cluster health --address "$ADDRESS" --command-timeout 3s \
    --disable-config-file --disable-config-env >/dev/null 2>&1
}

cmd_start() {
  local cli pid
  cli="$(cmd_path)"
  if pid="$(our_pid)"; then
    echo "Temporal dev server already running (pid $pid) at $ADDRESS, Web UI $UI_URL"
    return 0
  fi
  if answers "$cli"; then
    echo "A Temporal server already answers at $ADDRESS (not started by this script); using it."
    return 0
  fi
  mkdir -p "$STATE_DIR"
  local args=(server start-dev --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT"
    --db-filename "$STATE_DIR/dev.sqlite" --log-level warn)
  local sa
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
  local kind value
  while read -r kind value; do
    case "$kind" in
      dc) args+=(--dynamic-config-value "$value") ;;
      pragma) args+=(--sqlite-pragma "$value") ;;
    esac
  done <"$SERVER_CONF"
  # A session of its own, so the server outlives this shell and its terminal.
  if command -v setsid >/dev/null 2>&1; then
    nohup setsid "$cli" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  else
    nohup "$cli" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  fi
  echo $! >"$PID_FILE"
  local _
  for _ in $(seq 1 120); do
    if answers "$cli"; then
      echo "Temporal dev server running at $ADDRESS, Web UI $UI_URL (log: $LOG_FILE)"
      return 0
    fi
    if ! our_pid >/dev/null; then
      echo "temporal-dev.sh: the dev server exited; last lines of $LOG_FILE:" >&2
      tail -n 20 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      return 1
    fi
    sleep 0.25
  done
  echo "temporal-dev.sh: the dev server (pid $(cat "$PID_FILE")) did not answer at $ADDRESS within 30 s; see $LOG_FILE" >&2
  return 1
}

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    echo "No Temporal dev server started by this script is running."
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 100); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    echo "The dev server (pid $pid) did not exit within 10 s of SIGTERM; sending SIGKILL."
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      alive "$pid" || break
      sleep 0.1
    done
  fi
  rm -f "$PID_FILE"
  echo "Stopped the Temporal dev server (pid $pid)."
}

cmd_status() {
  local pid cli
  if pid="$(our_pid)"; then
    echo "running (pid $pid) at $ADDRESS, Web UI $UI_URL"
    return 0
  fi
  echo "not running"
  cli="$(find_cli 2>/dev/null)" || true
  if [[ -n "$cli" ]] && answers "$cli"; then
    echo "(a Temporal server not started by this script answers at $ADDRESS)"
  fi
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  path) cmd_path ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
