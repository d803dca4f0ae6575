#!/usr/bin/env bash
# A real Temporal server for development, tests and CI: the Temporal CLI dev server
# (SQLite persistence, Web UI), pinned to one release.
#   install  find a `temporal` on PATH, or build v1.5.1 once into a per-user cache
#   start    run the dev server in the background (no-op if one already runs)
#   stop     stop the server this script started
#   status   say whether it runs
#   path     print the CLI binary in use
set -euo pipefail

VERSION=v1.5.1
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/baton/temporal-cli-$VERSION"
STATE_DIR="${BATON_TEMPORAL_DIR:-$ROOT/.temporal}"
PORT="${BATON_TEMPORAL_PORT:-7233}"
UI_PORT="${BATON_TEMPORAL_UI_PORT:-8233}"
PID_FILE="$STATE_DIR/server.pid"
LOG_FILE="$STATE_DIR/server.log"
SEARCH_ATTRIBUTES=(BatonAgent=Keyword BatonStatus=Keyword BatonPattern=Keyword)
DYNAMIC_CONFIG=(
  frontend.enableServerVersionCheck=false
  frontend.enableUpdateWorkflowExecution=true
  frontend.enableExecuteMultiOperation=true
  system.enableEagerWorkflowStart=true
  system.enableActivityEagerExecution=true
  matching.numTaskqueueReadPartitions=1
  matching.numTaskqueueWritePartitions=1
)

how_to_install() {
  cat >&2 <<MSG
temporal-dev.sh: no Temporal CLI found, and no Go toolchain to build one.
  Either install Go 1.25+ (https://go.dev/doc/install) and run ./temporal-dev.sh install again,
  or put a 'temporal' binary on your PATH (https://docs.temporal.io/cli#install),
  or set TEMPORAL_CLI_PATH to one.
MSG
}

# Prints the CLI binary to use, or nothing.
find_cli() {
  if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
    [[ -x "$TEMPORAL_CLI_PATH" ]] && echo "$TEMPORAL_CLI_PATH"
    return 0
  fi
  if command -v temporal >/dev/null 2>&1; then command -v temporal; return 0; fi
  if [[ -x "$CACHE_DIR/temporal" ]] && "$CACHE_DIR/temporal" --version >/dev/null 2>&1; then echo "$CACHE_DIR/temporal"; fi
}

cmd_install() {
  local cli
  cli="$(find_cli)"
  if [[ -n "$cli" ]]; then echo "temporal CLI: $cli"; return 0; fi
  if ! command -v go >/dev/null 2>&1; then how_to_install; return 1; fi
  echo "Building Temporal CLI $VERSION into $CACHE_DIR (first time only: downloads the server's Go modules and compiles; about 5 minutes on 2 cores)..."
  mkdir -p "$CACHE_DIR"
  (cd "$CACHE_DIR" && GOBIN="$CACHE_DIR" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "github.com/temporalio/cli/cmd/temporal@$VERSION")
  "$CACHE_DIR/temporal" --version >/dev/null
  echo "temporal CLI: $CACHE_DIR/temporal"
}

cmd_path() {
  local cli
  cli="$(find_cli)"
  if [[ -z "$cli" ]]; then echo "temporal-dev.sh: no Temporal CLI yet; run ./temporal-dev.sh install" >&2; return 1; fi
  echo "$cli"
}

our_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() {
  "$1" operator cluster health --address "127.0.0.1:$PORT" >/dev/null 2>&1
}

cmd_start() {
  local cli pid
  cli="$(cmd_path)"
  if pid="$(our_pid)"; then
    echo "Temporal dev server already running (pid $pid) at 127.0.0.1:$PORT, Web UI http://localhost:$UI_PORT"
    return 0
  fi
  if answers "$cli"; then
    echo "A Temporal server already answers at 127.0.0.1:$PORT; using it."
    return 0
  fi
  mkdir -p "$STATE_DIR"
  local args=(server start-dev --ip 127.0.0.1 --port "$PORT" --ui-port "$UI_PORT" --db-filename "$STATE_DIR/dev.sqlite" --log-level warn)
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
  for dc in "${DYNAMIC_CONFIG[@]}"; do args+=(--dynamic-config-value "$dc"); done
  nohup setsid "$cli" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 150); do
    if answers "$cli"; then
      echo "Temporal dev server running at 127.0.0.1:$PORT, Web UI http://localhost:$UI_PORT (log: $LOG_FILE)"
      return 0
    fi
    if ! our_pid >/dev/null; then
      echo "temporal-dev.sh: the dev server exited; last lines of $LOG_FILE:" >&2
      tail -n 20 "$LOG_FILE" >&2 || true
      rm -f "$PID_FILE"
      return 1
    fi
    sleep 0.2
  done
  echo "temporal-dev.sh: the dev server did not answer within 30 s; see $LOG_FILE" >&2
  return 1
}

cmd_stop() {
  local pid
  if ! pid="$(our_pid)"; then
    rm -f "$PID_FILE"
    echo "No Temporal dev server started by this script is running."
    return 0
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PID_FILE"
  echo "Stopped the Temporal dev server (pid $pid)."
}

cmd_status() {
  local pid
  if pid="$(our_pid)"; then
    echo "running (pid $pid) at 127.0.0.1:$PORT, Web UI http://localhost:$UI_PORT"
  else
    echo "not running"
    return 3
  fi
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  path) cmd_path ;;
  *) echo "usage: $0 {install|start|stop|status|path}" >&2; exit 2 ;;
esac
