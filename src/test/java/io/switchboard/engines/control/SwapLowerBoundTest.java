package io.switchboard.engines.control;

import io.switchboard.engines.control.SwapLowerBound.Request;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The lower bound on loads that the swap replay compares each policy with. */
class SwapLowerBoundTest {

    private static final long GIB = 1L << 30;
    private static final long[] TWO_THAT_CONFLICT = {50 * GIB, 50 * GIB};
    private static final long[] TWO_THAT_SHARE = {30 * GIB, 30 * GIB};

    private static final List<Request> ALTERNATING = List.of(new Request(0, 0), new Request(10, 1), new Request(20, 0),
            new Request(30, 1));

    @Test
    void alternatingRequestsFurtherApartThanTheWaitEachNeedALoad() {
        assertEquals(4, SwapLowerBound.loads(ALTERNATING, TWO_THAT_CONFLICT, 80 * GIB, 5));
    }

    @Test
    void aLongerAllowedWaitLetsRequestsShareLoads() {
        // waits up to 15 s: serve 0 and 20 with one load of model 0 (at 15..20), 10 and 30 with one of model 1
        assertEquals(2, SwapLowerBound.loads(ALTERNATING, TWO_THAT_CONFLICT, 80 * GIB, 15));
    }

    @Test
    void modelsThatFitTogetherNeedOneLoadEach() {
        assertEquals(2, SwapLowerBound.loads(ALTERNATING, TWO_THAT_SHARE, 80 * GIB, 5));
    }

    @Test
    void threeModelsAskedForTogetherNeedTwoSwapsInEveryWindowOfTheWait() {
        // three models, no two of which fit, each asked for every second for 100 s; waits of at most 10 s:
        // the requests of any instant are served within 10 s, so each 10 s window holds at least two swaps
        long[] three = {50 * GIB, 50 * GIB, 50 * GIB};
        List<Request> requests = new java.util.ArrayList<>();
        for (int second = 0; second < 100; second++) {
            for (int model = 0; model < 3; model++) requests.add(new Request(second, model));
        }
        long bound = SwapLowerBound.loads(requests, three, 80 * GIB, 10);
        assertEquals(1 + 2 * 10, bound, "ten disjoint windows (t, t + 10 s], two swaps in each, and the first load");
    }

    @Test
    void theChainSkipsRequestsThatDoNotLengthenIt() {
        // the request at 12 is for the same model as the one at 10: it adds no conflict; the one at 16 comes
        // within 5 s of 12 but more than 5 s after 10, so the chain 0 → 10 → 16 → 30 has four links
        List<Request> requests = List.of(new Request(0, 0), new Request(10, 1), new Request(12, 1),
                new Request(16, 0), new Request(30, 1), new Request(33, 0));
        assertEquals(4, SwapLowerBound.loads(requests, TWO_THAT_CONFLICT, 80 * GIB, 5));
    }
}
