#!/usr/bin/env bash
# The whole test suite, on a fresh machine or in CI: makes sure PostgreSQL and Redis are
# installed and running and that Chromium, Node and the browser test's packages are there
# (tests never skip them), then checks formatting and lints and runs every test against the
# real services with cargo-nextest, and the scenario suites again on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/hongyan-target}"
export HONGYAN_TEST_DATABASE_URL="${HONGYAN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export HONGYAN_TEST_REDIS_URL="${HONGYAN_TEST_REDIS_URL:-redis://127.0.0.1:6379}"

log() { printf '==> %s\n' "$*" >&2; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "cannot install $*: no apt-get; install it by hand"; exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return; fi
  local fresh=""
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    log "installing PostgreSQL"; apt_install postgresql; fresh=1
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
  if [ -n "$fresh" ]; then
    # A throwaway test server: trust local TCP connections, as the machine image does.
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' \
      "/etc/postgresql/$version/main/pg_hba.conf"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return; sleep 1; done
  log "PostgreSQL did not come up on 127.0.0.1:5432"; exit 1
}

ensure_redis() {
  command -v redis-server >/dev/null || { log "installing Redis"; apt_install redis-server; }
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return; fi
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG && return; sleep 1; done
  log "Redis did not come up on 127.0.0.1:6379"; exit 1
}

ensure_browser() {
  # The staff console's browser test: Debian's Chromium (with CJK fonts for the screenshots),
  # Node and the pinned playwright-core. A missing one fails that test, it is never skipped.
  [ -x /usr/bin/chromium ] || { log "installing Chromium"; apt_install chromium fonts-noto-cjk; }
  command -v node >/dev/null && command -v npm >/dev/null || { log "installing Node.js"; apt_install nodejs npm; }
  local major; major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || { log "Node $(node --version) is too old: playwright-core needs Node 20 or later"; exit 1; }
  log "npm ci (tests/browser)"
  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error >/dev/null
}

ensure_fuzzer() {
  # The hostile-input test drives schemathesis (PyPI) against /graphql and /locker/v1.
  local want=4.32.5
  if [ "$(schemathesis --version 2>/dev/null | awk '{print $NF}')" != "$want" ]; then
    command -v python3 >/dev/null || { log "installing Python"; apt_install python3 python3-pip; }
    log "installing schemathesis $want"
    local pip=(python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore)
    # Debian's own Python refuses system-wide installs (PEP 668) unless told otherwise.
    "${pip[@]}" "schemathesis==$want" || "${pip[@]}" --break-system-packages "schemathesis==$want"
    command -v schemathesis >/dev/null || { log "schemathesis did not install"; exit 1; }
  fi
}

command -v pg_isready >/dev/null || { log "installing the PostgreSQL client"; apt_install postgresql-client; }
ensure_postgres
ensure_redis
ensure_browser
ensure_fuzzer

log "cargo fmt --check"
cargo fmt --all --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
command -v cargo-nextest >/dev/null || { log "installing cargo-nextest"; cargo install cargo-nextest --locked; }
log "cargo build (the hongyan binary the CLI tests run)"
cargo build --workspace --locked
# Both passes run whatever the first one says, so one CI run reports both databases.
status=0
log "cargo nextest (every test of the workspace, each in its own process)"
cargo nextest run --workspace --locked --profile ci || status=$?
log "cargo nextest on SQLite (the lending, dispatch, purchases and statistics suites again)"
HONGYAN_TEST_BACKEND=sqlite cargo nextest run --workspace --locked --profile sqlite || status=$?
exit "$status"
