package io.egressguard.webhook;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.stream.DoubleStream;

/**
 * Publishes the review latency ({@code egress_guard_review_seconds}) as a Prometheus histogram with fixed
 * buckets, so that dashboards and alerts can compute percentiles across pods with {@code histogram_quantile}.
 * The buckets span what matters for an admission webhook: a few milliseconds when healthy, up to the API
 * server's timeout (3 s in the chart; 10 s at most) when it is not.
 */
@Singleton
public class ReviewLatencyHistogram {

    static final String TIMER = "egress_guard_review_seconds";
    /** Bucket upper bounds in milliseconds. */
    static final double[] BUCKETS_MILLIS = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    @Produces
    @Singleton
    MeterFilter reviewLatencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (!id.getName().equals(TIMER)) {
                    return config;
                }
                // Timers record nanoseconds; Prometheus shows the bounds in seconds (le="0.001", ...).
                double[] nanos = DoubleStream.of(BUCKETS_MILLIS).map(ms -> ms * 1e6).toArray();
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
