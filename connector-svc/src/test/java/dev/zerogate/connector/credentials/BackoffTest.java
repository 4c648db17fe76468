package dev.zerogate.connector.credentials;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    @Test
    void doublesFromOneSecondToAMinuteWithJitterInTheUpperHalf() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), new Random(42));
        long[] ceilings = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000};
        for (int run = 0; run < 200; run++) {
            for (int failures = 1; failures <= ceilings.length; failures++) {
                long delay = backoff.delay(failures).toMillis();
                long ceiling = ceilings[failures - 1];
                assertTrue(delay >= ceiling / 2 && delay <= ceiling, failures + " failures: " + delay + " ms");
            }
            long late = backoff.delay(Integer.MAX_VALUE).toMillis();
            assertTrue(late >= 30000 && late <= 60000, "no overflow after many failures: " + late);
        }
    }

    @Test
    void jitterSpreadsTheDelays() {
        Backoff backoff = Backoff.standard();
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 500; i++) {
            long delay = backoff.delay(7).toMillis();
            min = Math.min(min, delay);
            max = Math.max(max, delay);
        }
        assertTrue(max - min > 10000, "spread " + min + ".." + max);
    }
}
