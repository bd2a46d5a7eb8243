# shellcheck shell=bash
# The JVM options the container images run the application with (src/main/docker/Dockerfile.jvm; ContainerImageTest
# keeps the copies equal), for the scripts that start it. Sourced; a script's JAVA_OPTS replaces them.
#   -XX:+UseSerialGC      a heap of a few hundred MB and one CPU (the chart's limit): young pauses of about a
#                         millisecond where G1's took tens (docs/benchmarks.md)
#   -XX:Tier4...=4x       C2 compiles a method after four times HotSpot's default count of calls and loop turns:
#                         the start's one-off code (boot, Jackson's deserializers, the first reads) stays with C1
#                         instead of taking the second CPU from the main thread; the review path and the reading
#                         loops run far past the count and get C2's code all the same (docs/startup.md)
IMAGE_JVM_OPTIONS="-XX:+UseSerialGC -XX:Tier4InvocationThreshold=20000 -XX:Tier4MinInvocationThreshold=2400 -XX:Tier4CompileThreshold=60000 -XX:Tier4BackEdgeThreshold=160000"
