#!/usr/bin/env bash
# Runs the whole test suite: builds, installs and starts what the tests need, runs every test
# (unit and integration). Extra arguments go to `dotnet test`, e.g. `./test.sh --filter Category!=Integration`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Servers the integration tests start on free loopback ports (throwaway instances).
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# The status page test drives headless Chromium; the deploy tests run docker-compose (v1) and
# promtool, and start a real Prometheus against an in-process host.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; } || need+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing test prerequisites: ${need[*]}" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # The Debian packages start system-wide services; the tests run their own instances.
  $sudo_cmd service redis-server stop >/dev/null 2>&1 || true
  $sudo_cmd service postgresql stop >/dev/null 2>&1 || true
  $sudo_cmd service prometheus stop >/dev/null 2>&1 || true
fi
dotnet build Pipeline.sln -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet test Pipeline.Tests/Pipeline.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=minimal" --blame-hang-timeout 10m "$@"
