#!/usr/bin/env bash
# Runs the pipeline. With no configuration: the embedded default (in-process Kafka-protocol broker,
# synthetic producer, SQLite store). Extra arguments go to the host, e.g. `./run.sh produce --count 1000`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dotnet build "$here/Pipeline.Host/Pipeline.Host.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet "$here/Pipeline.Host/bin/Release/net10.0/Pipeline.Host.dll" "$@"
