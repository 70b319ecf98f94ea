package dev.edgewire.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A partial run's sections and headline rows go into an earlier report without losing the others. */
class ReportMergeTest {

    private static final String EARLIER = """
            # Benchmarks

            Intro.

            | run | |
            |---|---|
            | command | `benchmarks/bin/run-suite` (scale: full) |
            | date | 2026-11-30T03:07:05Z |

            ## Headline

            | benchmark | ours | baseline | ratio | goal | met |
            |---|---|---|---|---|---|
            | Broadcast 1,000: engine vs loop | 4173 posts/s | 597 posts/s | 6.99x | >= 10x | **no** |
            | Fan-out W1: missing, p99 | 3 missing | — | — | 0 missing | **no** |

            ## 1. Broadcast

            Old broadcast text.

            ```
            ## not a title: inside a code block
            ```

            ## 7. Fan-out

            Old fan-out text.
            """;

    @Test
    void merge_replacesTheRunsSectionAndRows_andKeepsTheOthers() {
        String merged = ReportMerge.merge(EARLIER,
                List.of("| Fan-out W1: missing, p99 | 0 missing | — | — | 0 missing | yes |",
                        "| Fan-out W3: p99 | 20 ms | 13 ms | 1.5x | <= 1.3x | **no** |"),
                "## 7. Fan-out\n\nNew fan-out text.\n\n", "later run of fanout", "`run-suite --only fanout`, commit `abc`");

        assertThat(merged).contains("| command | `benchmarks/bin/run-suite` (scale: full) |",
                "| date | 2026-11-30T03:07:05Z |\n| later run of fanout | `run-suite --only fanout`, commit `abc` |",
                "| Broadcast 1,000: engine vs loop | 4173 posts/s |",
                "| Fan-out W1: missing, p99 | 0 missing | — | — | 0 missing | yes |\n| Fan-out W3: p99 |",
                "Old broadcast text.", "## not a title: inside a code block", "New fan-out text.");
        assertThat(merged).doesNotContain("Old fan-out text.", "3 missing");
        assertThat(merged.indexOf("## 1. Broadcast")).isLessThan(merged.indexOf("## 7. Fan-out"));
    }

    @Test
    void merge_twice_keepsOneRowForTheLaterRun_andAddsANewSectionAtTheEnd() {
        String once = ReportMerge.merge(EARLIER, List.of(), "## 8. New\n\nEight.\n", "later run of x", "first");
        String twice = ReportMerge.merge(once, List.of(), "## 8. New\n\nEight again.\n", "later run of x", "second");

        assertThat(twice).contains("| later run of x | second |").doesNotContain("| later run of x | first |", "Eight.\n");
        assertThat(twice.indexOf("## 7. Fan-out")).isLessThan(twice.indexOf("## 8. New"));
        assertThat(twice).containsOnlyOnce("## 8. New");
    }
}
