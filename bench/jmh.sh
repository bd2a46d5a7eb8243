#!/usr/bin/env bash
# Runs the JMH benchmarks of the engine (src/test/java/io/egressguard/bench/EngineBenchmark.java).
#
#   bench/jmh.sh [JMH options]        e.g. bench/jmh.sh -p objects=20000 -p kind=VirtualService
#   BENCHMARKS='EngineBenchmark.(checkOneObject|admitOneUpdate)' bench/jmh.sh ...   only these benchmarks
#
# Results go to stdout and target/jmh-result.json; docs/benchmarks.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main \
  -rf json -rff target/jmh-result.json "$@" "${BENCHMARKS:-io.egressguard.bench.EngineBenchmark}"
