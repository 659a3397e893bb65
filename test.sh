#!/usr/bin/env bash
# Runs the whole test suite: builds, installs and starts what the tests need, runs every test
# (unit and integration). Extra arguments go to `dotnet test`, e.g. `./test.sh --filter Category!=Integration`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
dotnet build Pipeline.sln -c Release -nologo -v quiet -clp:ErrorsOnly
dotnet test Pipeline.Tests/Pipeline.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=minimal" --blame-hang-timeout 10m "$@"
