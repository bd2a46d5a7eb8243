#!/usr/bin/env python3
"""Where the CPU samples of a profile went, by part of a review.

    bench/profile.sh PID SECONDS REC.collapsed          async-profiler, collapsed stacks (the usual way)
    bench/profile-summary.py REC.collapsed

    jfr print --json --stack-depth 64 --events jdk.ExecutionSample REC.jfr > REC.json    a JFR recording
    bench/profile-summary.py REC.json

Each sample counts once, in the first part (in the order below) that one of its frames belongs to. The whole
stack counts (`jfr print` keeps only 5 frames by default): a sample in TLS code called by the webhook's own
code would otherwise be counted as TLS, and a sample deep in a rule as "other".
"""
import collections
import json
import sys

PARTS = [
    ("periodic audit (not a review)", ("io.egressguard.audit",)),
    ("logging", ("org.jboss.logmanager", "org.jboss.logging", "io.egressguard.webhook.LogText")),
    ("metrics", ("io.micrometer",)),
    ("old and new findings (engine)", ("io.egressguard.engine", "io.egressguard.rules", "io.egressguard.webhook.ChangeCheck",
                                       "io.egressguard.webhook.RelatedObjects", "io.egressguard.mesh")),
    ("decoding the object (fabric8 model)", ("io.egressguard.load.ObjectDecoder", "io.egressguard.webhook.AdmissionHandler.resource")),
    ("answer to JSON", ("io.egressguard.webhook.AdmissionDecision$Answer.toReview",)),
    ("parsing the review (Jackson tree)", ("io.egressguard.webhook.AdmissionHandler.request", "com.fasterxml.jackson",
                                           "io.egressguard.bench.minimal")),
    ("rest of the webhook (decision, overlay, in-flight)", ("io.egressguard.webhook",)),
    ("TLS (records; RSA for new connections' handshakes)", ("sun.security", "com.sun.crypto", "io.netty.handler.ssl",
                                                            "javax.crypto", "java.math.BigInteger", "java.math.MutableBigInteger")),
    ("REST layer (Quarkus REST)", ("org.jboss.resteasy", "io.quarkus.resteasy", "io.quarkus.vertx.http")),
    ("HTTP and event loop (Vert.x, Netty)", ("io.vertx", "io.netty")),
]


def stacks(path):
    """(frame names, samples) of each stack: a JFR JSON print, or async-profiler's collapsed stacks."""
    if path.endswith(".json"):
        for e in json.load(open(path))["recording"]["events"]:
            trace = e["values"].get("stackTrace") or {}
            yield [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]
                   for f in trace.get("frames", [])], 1
    else:
        for line in open(path):
            stack, _, n = line.rstrip("\n").rpartition(" ")
            if stack:
                yield [f.replace("/", ".") for f in stack.split(";")], int(n)


count = collections.Counter()
for names, n in stacks(sys.argv[1]):
    part = "other (JDK, threads, GC barriers)"
    for label, prefixes in PARTS:
        if any(name.startswith(prefixes) for name in names):
            part = label
            break
    count[part] += n
total = sum(count.values())
for part, n in count.most_common():
    print(f"{100 * n / total:5.1f} %  {part}")
print(f"{total} samples")
