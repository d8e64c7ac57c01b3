package dev.berth.daemon.events;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Publishes engine events to live subscribers and keeps the most recent ones so that
 * {@code since} can replay history (dockerd keeps 256; so do we).
 */
public final class EventBus {
    private static final int HISTORY = 256;
    private final ArrayDeque<Event> history = new ArrayDeque<>();
    private final List<BlockingQueue<Event>> subscribers = new CopyOnWriteArrayList<>();

    public void publish(String type, String action, String actorId, Map<String, String> attributes) {
        Event e;
        synchronized (this) {
            Instant now = Instant.now();
            // Keep event times strictly increasing so since/until comparisons are exact.
            if (!history.isEmpty() && !now.isAfter(history.getLast().time())) now = history.getLast().time().plusNanos(1);
            e = new Event(type, action, actorId, new LinkedHashMap<>(attributes), now);
            history.addLast(e);
            if (history.size() > HISTORY) history.removeFirst();
            for (BlockingQueue<Event> q : subscribers) q.offer(e);
        }
    }

    /** A subscription: the past events (in order) and a queue of the ones to come. */
    public record Subscription(List<Event> past, BlockingQueue<Event> queue, Runnable cancel) {}

    public synchronized Subscription subscribe(Instant since) {
        List<Event> past = new ArrayList<>();
        if (since != null) for (Event e : history) if (!e.time().isBefore(since)) past.add(e);
        BlockingQueue<Event> q = new LinkedBlockingQueue<>();
        subscribers.add(q);
        return new Subscription(past, q, () -> subscribers.remove(q));
    }
}
