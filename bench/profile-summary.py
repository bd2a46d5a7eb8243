#!/usr/bin/env python3
"""Where the CPU samples of a JFR recording went, by part of a review.

    jfr print --json --stack-depth 64 --events jdk.ExecutionSample REC.jfr > REC.json
    bench/profile-summary.py REC.json

Each sample counts once, in the first part (in the order below) that one of its frames belongs to. Print the
whole stack (`jfr print` keeps only 5 frames by default): a sample in TLS code called by the webhook's own
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

events = json.load(open(sys.argv[1]))["recording"]["events"]
count = collections.Counter()
for e in events:
    trace = e["values"].get("stackTrace") or {}
    names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in trace.get("frames", [])]
    part = "other (JDK, threads, GC barriers)"
    for label, prefixes in PARTS:
        if any(n.startswith(prefixes) for n in names):
            part = label
            break
    count[part] += 1
total = sum(count.values())
for part, n in count.most_common():
    print(f"{100 * n / total:5.1f} %  {part}")
print(f"{total} samples")
