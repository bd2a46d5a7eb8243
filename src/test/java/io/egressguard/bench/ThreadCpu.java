package io.egressguard.bench;

import java.lang.management.ManagementFactory;
import java.util.function.IntSupplier;

/**
 * Rounds of one review in a loop, timed in CPU time of the thread, so that other load on the machine inflates the
 * figure less than wall time, with the bytes the thread allocated per review (what the collector has to take back:
 * under load, young collections in proportion). The first rounds warm the JIT; the last is the one to read.
 */
public final class ThreadCpu {

    private ThreadCpu() {
    }

    /**
     * Runs {@code review} {@code reviews} times per round and prints, per round, its CPU time per review and
     * {@code what} with the value the last review returned:
     * {@code LABEL: 33.1 us of CPU, 21.4 KiB allocated per review (0 findings)}.
     */
    public static void rounds(int rounds, int reviews, String label, String what, IntSupplier review) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < rounds; round++) {
            long start = threads.getCurrentThreadCpuTime();
            long allocated = threads.getCurrentThreadAllocatedBytes();
            int last = 0;
            for (int i = 0; i < reviews; i++) {
                last = review.getAsInt();
            }
            long cpu = threads.getCurrentThreadCpuTime() - start;
            System.out.printf("%s: %.1f us of CPU, %.1f KiB allocated per review (%d %s)%n", label, cpu / 1e3 / reviews,
                    (threads.getCurrentThreadAllocatedBytes() - allocated) / 1024.0 / reviews, last, what);
        }
    }
}
