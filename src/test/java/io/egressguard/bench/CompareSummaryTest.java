package io.egressguard.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bench/compare-summary.awk}, which turns the rounds of {@code bench/compare.sh} into the table and the
 * ratios the performance targets are stated in: medians per row, and ratios paired round by round.
 */
class CompareSummaryTest {

    private static final List<String> ROWS = List.of("egress-guard 3 local", "egress-guard 3 public",
            "egress-guard 3500 local", "egress-guard 3500 public", "minimal webhook", "nginx (fixed answer)");

    @TempDir
    Path dir;

    @Test
    void rowsShowTheMedianAndRangeOfTheirRounds() throws Exception {
        String out = summary("""
                0 1 8000 2.00 9.00 0 0
                0 2 6000 3.00 30.00 0 0
                0 3 7000 2.50 8.00 0 0
                """);
        assertTrue(out.contains("egress-guard 3 local         requests/s 7000 (6000-8000)  p50 2.50 (2.00-3.00) ms"
                + "  p99 9.00 (8.00-30.00) ms"), out);
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMeanOfTheMiddleTwo() throws Exception {
        String out = summary("""
                0 1 1000 1 4 0 0
                0 2 4000 1 1 0 0
                0 3 2000 1 3 0 0
                0 4 3000 1 2 0 0
                """);
        assertTrue(out.contains("requests/s 2500 (1000-4000)"), out);
        assertTrue(out.contains("p99 2.50 (1.00-4.00) ms"), out);
    }

    /**
     * Each ratio is the median of the rounds' ratios, each taken between the two rows measured in that round: here
     * 58 % of the minimal webhook (rounds 60, 36, 58), where the ratio of the rows' medians would be 50 %
     * (6,000 against 12,000), and 1.5x its p99 (rounds 3.0, 1.5, 1.3) where the ratio of the medians would be 2.0x
     * (6 ms against 3 ms).
     */
    @Test
    void ratiosArePairedRoundByRound() throws Exception {
        String out = summary("""
                0 1 7000 1 8 0 0
                1 1 6000 1 9 0 0
                2 1 6000 1 6 0 0
                3 1 5000 1 9 0 0
                4 1 10000 1 2 0 0
                5 1 40000 1 2 0 0
                0 2 7000 1 8 0 0
                1 2 5000 1 9 0 0
                2 2 5000 1 12 0 0
                3 2 4000 1 11 0 0
                4 2 14000 1 8 0 0
                5 2 40000 1 2 0 0
                0 3 8000 1 8 0 0
                1 3 6000 1 9 0 0
                2 3 7000 1 4 0 0
                3 3 5000 1 6 0 0
                4 3 12000 1 3 0 0
                5 3 40000 1 2 0 0
                """);
        assertTrue(out.contains("local review,  3500 vs 3 teams: 86 % (target >= 80 %; rounds 86, 71, 88)"), out);
        assertTrue(out.contains("public review, 3500 vs 3 teams: 83 % (target >= 80 %; rounds 83, 80, 83)"), out);
        assertTrue(out.contains("local review at 3500 vs the minimal webhook: 58 % (target >= 50 %; rounds 60, 36, 58)"),
                out);
        assertTrue(out.contains("p99 of the local review at 3500 vs the minimal webhook: 1.5x (target <= 2x; "
                + "rounds 3.0, 1.5, 1.3)"), out);
        assertTrue(out.contains("p99 of the public review at 3500 vs the minimal webhook: 2.0x (target <= 2x; "
                + "rounds 4.5, 1.4, 2.0)"), out);
        assertTrue(out.contains("errors and non-2xx answers, all rows and rounds: 0 (target 0)"), out);
    }

    @Test
    void errorsAndNon2xxAnswersOfEveryRowAndRoundAddUp() throws Exception {
        String out = summary("""
                2 1 100 1 2 3 0
                4 1 100 1 2 0 4
                5 2 100 1 2 1 1
                """);
        assertTrue(out.contains("errors and non-2xx answers, all rows and rounds: 9 (target 0)"), out);
    }

    private String summary(String results) throws Exception {
        Path names = Files.writeString(dir.resolve("names.txt"), String.join("\n", ROWS) + "\n");
        Path rounds = Files.writeString(dir.resolve("results.txt"), results);
        Process p = new ProcessBuilder("awk", "-v", "large=3500", "-f", "bench/compare-summary.awk",
                names.toString(), rounds.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
