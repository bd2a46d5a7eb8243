#!/usr/bin/env bash
# A CPU profile of a running JVM for SECONDS, as collapsed stacks (one line per distinct stack: frames from the
# thread's root to the leaf, separated by ';', then the sample count), with async-profiler attached to it.
#
#   bench/profile.sh PID SECONDS OUT.collapsed
#   bench/profile-summary.py OUT.collapsed          the samples by part of a review
#   bench/profile.sh --fetch                        only download async-profiler (before a measurement)
#
# async-profiler samples on a CPU-time timer (itimer: no perf_events permission needed) and walks stacks
# without a safepoint, native and kernel frames included (the TLS write syscall, GC). Unlike a JFR recording with
# the "profile" settings, it leaves the JIT's code alone: JFR made the webhook's throughput fall by a factor of
# ten during the recording and for a minute after it, as the code was compiled again; with this profiler it
# stays within the run-to-run noise. Start the JVM with -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints
# for exact inlined frames. async-profiler comes from Maven Central (tools.profiler:async-profiler, linux-x64).
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.2
lib=target/async-profiler-$version/linux-x64/libasyncProfiler.so
if [[ ! -f $lib ]]; then
  ./mvnw -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$version:jar:linux-x64" \
    -DoutputDirectory=target/async-profiler-$version
  (cd target/async-profiler-$version && unzip -q -o "async-profiler-$version-linux-x64.jar" 'linux-x64/*')
fi
lib=$(realpath "$lib")
[[ ${1:-} == --fetch ]] && exit 0
pid=${1:?PID}
seconds=${2:?SECONDS}
out=$(realpath -m "${3:?OUT.collapsed}")
# jcmd splits an unquoted option at '=': the agent's options go in as one quoted string
attach() {
  local answer
  answer=$(jcmd "$pid" JVMTI.agent_load "$lib" "\"$1\"")
  grep -q 'return code: 0' <<<"$answer" || { echo "profile.sh: async-profiler did not $2: $answer" >&2; exit 1; }
}
attach "start,event=itimer,interval=1ms" start
sleep "$seconds"
attach "stop,file=$out,collapsed" stop
echo "profile.sh: $(awk '{ n += $NF } END { print n }' "$out") samples in $out"
