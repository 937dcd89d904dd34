import java.nio.ByteBuffer;
import java.util.Locale;

/** The parse of one HTTP/1.1 answer (Content-Length or chunked), counting SSE events and the gaps between them. */
final class HttpAnswer {
    int status;
    long firstEvent;
    long lastEvent;
    long maxGap;
    int events;
    boolean done;
    private final StringBuilder line = new StringBuilder();
    private boolean inHeaders, chunked, inChunkSize, inTrailer;
    private long remaining;
    private int dataMatched;
    private int doneMatched;
    private boolean watch;

    /** For the next answer; {@code watchEvents}: count its SSE events (a stream), else skip its body unread. */
    void reset(boolean watchEvents) {
        watch = watchEvents;
        status = 0;
        firstEvent = lastEvent = maxGap = 0;
        events = 0;
        done = false;
        line.setLength(0);
        inHeaders = true;
        chunked = inChunkSize = inTrailer = false;
        remaining = 0;
        dataMatched = doneMatched = 0;
    }

    /** Consumes bytes read at {@code now}; true when the answer is complete. */
    boolean feed(ByteBuffer buffer, long now) {
        int before = events;
        try {
            while (buffer.hasRemaining()) {
                if (inHeaders || inChunkSize || inTrailer) {
                    char c = (char) (buffer.get() & 0xff);
                    if (c == '\r') continue;
                    if (c != '\n') {
                        line.append(c);
                        continue;
                    }
                    String text = line.toString();
                    line.setLength(0);
                    if (inHeaders) {
                        if (status == 0) {
                            status = Integer.parseInt(text.substring(9, 12));
                        } else if (!text.isEmpty()) {
                            String lower = text.toLowerCase(Locale.ROOT);
                            if (lower.startsWith("content-length:")) remaining = Long.parseLong(lower.substring(15).trim());
                            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
                        } else {
                            inHeaders = false;
                            if (chunked) inChunkSize = true;
                            else if (remaining == 0) return true;
                        }
                    } else if (inChunkSize) {
                        if (text.isEmpty()) continue; // the CRLF after a chunk's data
                        remaining = Long.parseLong(text.split(";")[0].trim(), 16);
                        inChunkSize = false;
                        inTrailer = remaining == 0;
                    } else if (text.isEmpty()) {
                        return true; // the empty line after the last chunk
                    }
                    continue;
                }
                int n = (int) Math.min(remaining, buffer.remaining());
                for (int i = 0; watch && i < n; i++) {
                    byte b = buffer.get(buffer.position() + i);
                    dataMatched = b == "data:".charAt(dataMatched) ? dataMatched + 1 : b == 'd' ? 1 : 0;
                    if (dataMatched == 5) {
                        events++;
                        dataMatched = 0;
                    }
                    doneMatched = b == "[DONE]".charAt(doneMatched) ? doneMatched + 1 : b == '[' ? 1 : 0;
                    if (doneMatched == 6) {
                        done = true;
                        doneMatched = 0;
                    }
                }
                buffer.position(buffer.position() + n);
                remaining -= n;
                if (remaining == 0) {
                    if (!chunked) return true;
                    inChunkSize = true;
                }
            }
            return false;
        } finally {
            if (events > before) {
                if (firstEvent == 0) firstEvent = now;
                else maxGap = Math.max(maxGap, now - lastEvent);
                lastEvent = now;
            }
        }
    }
}
