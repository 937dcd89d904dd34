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
 * requests in arrival order. Every requested model needs one load too. A second argument counts within
 * windows: see {@link #windows}. The bound is the largest of the three. Requests that arrive while a load runs share it here: only their deadlines count, which is why this
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
        return Math.max(Math.max(longest, distinct), 1 + windows(requests, conflict, maxWait));
    }

    /**
     * The second argument (docs/swap-scheduling.md): the requests arriving in [t, t + δ] are all served at moments
     * in [t, t + δ + D]; the members of a clique of pairwise conflicting models among theirs are resident one at a
     * time, so c of them need c - 1 loads starting in (first of those moments, last of them]. Windows
     * (t, t + δ + D] that do not overlap hold distinct loads; the best set of windows is found by dynamic
     * programming from the last request back, a window starting at each request and widened at each request that
     * brings a new model (δ up to D).
     */
    private static long windows(List<Request> requests, boolean[][] conflict, double maxWait) {
        int n = requests.size();
        int models = conflict.length;
        if (models > 20) return 0; // the clique table is per set of models
        int[] clique = largestCliques(conflict);
        long[] best = new long[n + 1]; // the most loads in windows starting at request i or later
        for (int i = n - 1; i >= 0; i--) {
            best[i] = best[i + 1];
            double start = requests.get(i).at();
            int mask = 0;
            for (int j = i; j < n && requests.get(j).at() <= start + maxWait; j++) {
                int with = mask | 1 << requests.get(j).model();
                if (with == mask) continue;
                mask = with;
                // the window ends at t_j + D: the next may start at the first request at or after it
                int next = firstAtOrAfter(requests, requests.get(j).at() + maxWait, j);
                best[i] = Math.max(best[i], clique[mask] - 1 + best[next]);
            }
        }
        return best[0];
    }

    /** For every set of models (a bit mask), the size of its largest clique of pairwise conflicting models. */
    private static int[] largestCliques(boolean[][] conflict) {
        int models = conflict.length;
        int[] largest = new int[1 << models];
        for (int mask = 1; mask < largest.length; mask++) {
            int lowest = Integer.numberOfTrailingZeros(mask);
            int rest = mask & ~(1 << lowest);
            int neighbours = 0; // the rest of the set that conflicts with the lowest model
            for (int other = 0; other < models; other++) {
                if ((rest & 1 << other) != 0 && conflict[lowest][other]) neighbours |= 1 << other;
            }
            largest[mask] = Math.max(largest[rest], 1 + largest[neighbours]);
        }
        return largest;
    }

    private static int firstAtOrAfter(List<Request> requests, double time, int from) {
        int low = from, high = requests.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (requests.get(mid).at() < time) low = mid + 1; else high = mid;
        }
        return low;
    }
}
