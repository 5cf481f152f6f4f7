#!/usr/bin/env bash
# Fetches Apache Kafka Connect's worker (org.apache.kafka:connect-runtime, connect-file, connect-json,
# connect-transforms) and its runtime dependencies from Maven Central into a cache outside the
# repository, for the REST comparison test (test/connect/rest-vs-kafka.test.ts).
# Usage: scripts/kafka/fetch-connect.sh [version]   (default 4.1.1; SLUICE_KAFKA_VERSION also works)
# Prints the libs directory. Does nothing when the jars are already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-${SLUICE_KAFKA_VERSION:-4.1.1}}"
cache="${SLUICE_KAFKA_CACHE:-$HOME/.cache/sluice}"
libs="$cache/connect-worker-$version/libs"
if [ -f "$libs/connect-runtime-$version.jar" ] && [ -f "$libs/.complete" ]; then echo "$libs"; exit 0; fi
if ! command -v mvn >/dev/null; then echo "fetch-connect: mvn is not installed (apt-get install maven)" >&2; exit 1; fi
rm -rf "$libs.tmp"
mvn -B -q -f "$here/connect-pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >&2
rm -rf "$libs" && mv "$libs.tmp" "$libs" && touch "$libs/.complete"
echo "$libs"
