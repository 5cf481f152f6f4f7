#!/usr/bin/env bash
# Fetches Apache Kafka's broker jars (org.apache.kafka:kafka_2.13 and its runtime dependencies) from
# Maven Central into a cache outside the repository, for the Kafka backend's tests and benchmarks.
# Usage: scripts/kafka/fetch-kafka.sh [version]   (default 4.1.1; SLUICE_KAFKA_VERSION also works)
# Prints the libs directory. Does nothing when the jars are already there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-${SLUICE_KAFKA_VERSION:-4.1.1}}"
cache="${SLUICE_KAFKA_CACHE:-$HOME/.cache/sluice}"
libs="$cache/kafka-$version/libs"
if [ -f "$libs/kafka_2.13-$version.jar" ] && [ -f "$libs/.complete" ]; then echo "$libs"; exit 0; fi
if ! command -v mvn >/dev/null; then echo "fetch-kafka: mvn is not installed (apt-get install maven)" >&2; exit 1; fi
rm -rf "$libs.tmp"
mvn -B -q -f "$here/pom.xml" -Dkafka.version="$version" dependency:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >&2
rm -rf "$libs" && mv "$libs.tmp" "$libs" && touch "$libs/.complete"
echo "$libs"
