package io.switchboard.engines.control;

import java.util.List;

/**
 * The fewest loads (cold loads and wake-ups together) that any schedule needs for a request sequence on
 * one GPU when no request may wait longer than {@code D} for its model to be ready. A counting argument,
 * proved in docs/swap-scheduling.md:
 *
 * <p>Call two models <em>in conflict</em> when their reservations together exceed the GPU. Take a chain of
 * requests r1, r2, ..., rk, each for a model in conflict with the one before and arriving more than D after
 * it. In any schedule r_j is served at some s_j in [t_j, t_j + D] with its model resident, so
 * s_1 &lt; s_2 &lt; ... &lt; s_k. Between s_j and s_{j+1} the model of r_{j+1} must start loading (or waking):
 * at s_j the model of r_j holds its memory, and the two cannot hold memory together. The intervals
 * are disjoint, so the k - 1 loads are distinct, and the first model needs a load before s_1 (the GPU
 * starts empty): at least k loads. The longest chain is found exactly by dynamic programming over the
 * requests in arrival order. Every requested model needs one load too, so the bound is the larger of the
 * two. Requests that arrive while a load runs share it here: only their deadlines count, which is why this
 * bounds schedules that batch, unlike an optimum for requests served one at a time in arrival order.
 */
final class SwapLowerBound {

    /** One request: when it arrived (seconds) and which model (an index into the sizes). */
    record Request(double at, int model) {
    }

    private SwapLowerBound() {
    }

    /** The bound for requests in arrival order, models of {@code sizes} bytes on a GPU of {@code capacity}, waits at most {@code maxWait} s. */
    static long loads(List<Request> requests, long[] sizes, long capacity, double maxWait) {
        int models = sizes.length;
        boolean[][] conflict = new boolean[models][models];
        for (int a = 0; a < models; a++) {
            for (int b = 0; b < models; b++) conflict[a][b] = a != b && sizes[a] + sizes[b] > capacity;
        }
        long[] longestEndingIn = new long[models]; // over the requests more than maxWait before the current one
        long[] chain = new long[requests.size()];
        boolean[] requested = new boolean[models];
        long longest = 0;
        int settled = 0;
        for (int i = 0; i < requests.size(); i++) {
            Request request = requests.get(i);
            for (; settled < i && requests.get(settled).at() < request.at() - maxWait; settled++) {
                int model = requests.get(settled).model();
                longestEndingIn[model] = Math.max(longestEndingIn[model], chain[settled]);
            }
            long before = 0;
            for (int other = 0; other < models; other++) {
                if (conflict[request.model()][other]) before = Math.max(before, longestEndingIn[other]);
            }
            chain[i] = before + 1;
            longest = Math.max(longest, chain[i]);
            requested[request.model()] = true;
        }
        long distinct = 0;
        for (boolean r : requested) if (r) distinct++;
        return Math.max(longest, distinct);
    }
}
