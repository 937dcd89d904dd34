package io.switchboard.engines.control;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Weighted fair queueing at a saturated model: a flood waits behind itself, not in front of a trickle. */
class WaitQueueTest {

    static List<String> drain(WaitQueue queue) {
        List<String> order = new ArrayList<>();
        for (WaitQueue.Waiter waiter; (waiter = queue.next()) != null; ) order.add(waiter.tenant);
        return order;
    }

    @Test
    void aLateTrickleGoesBeforeMostOfAnEarlierFlood() {
        WaitQueue queue = new WaitQueue();
        for (int i = 0; i < 10; i++) queue.add("flood", 1, 100);
        queue.add("trickle", 1, 100);
        List<String> order = drain(queue);
        assertTrue(order.indexOf("trickle") <= 1, "served first or second, not eleventh: " + order);
    }

    @Test
    void costIsTokensNotRequests() {
        WaitQueue queue = new WaitQueue();
        queue.add("big", 1, 4_000);   // one long request
        for (int i = 0; i < 4; i++) queue.add("small", 1, 500);
        List<String> order = drain(queue);
        assertEquals(List.of("small", "small", "small", "small", "big"), order, "four small ones fit in the big one's tokens");
    }

    @Test
    void aTenantOfWeightTwoGetsTwiceTheTurns() {
        WaitQueue queue = new WaitQueue();
        for (int i = 0; i < 6; i++) {
            queue.add("one", 1, 100);
            queue.add("two", 2, 100);
        }
        List<String> firstSix = drain(queue).subList(0, 6);
        assertEquals(4, firstSix.stream().filter("two"::equals).count(), firstSix.toString());
    }

    @Test
    void withinATenantArrivalOrderHoldsAndLeftWaitersAreSkipped() {
        WaitQueue queue = new WaitQueue();
        WaitQueue.Waiter first = queue.add("a", 1, 10);
        WaitQueue.Waiter second = queue.add("a", 1, 10);
        WaitQueue.Waiter third = queue.add("a", 1, 10);
        second.future.cancel(false); // its client left
        assertEquals(first, queue.next());
        assertEquals(third, queue.next());
        assertNull(queue.next());
        assertEquals(0, queue.size());
    }

    @Test
    void anIdleTenantKeepsNoCreditFromLongAgo() {
        WaitQueue queue = new WaitQueue();
        for (int i = 0; i < 5; i++) queue.add("busy", 1, 100);
        drain(queue);
        for (int i = 0; i < 3; i++) queue.add("busy", 1, 100);
        queue.add("new", 1, 100); // arriving now, it starts at the queue's virtual time, not at zero
        List<String> order = drain(queue);
        assertTrue(order.indexOf("new") <= 1, order.toString());
        assertEquals(1, order.stream().filter("new"::equals).count());
    }
}
