import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** One kept-alive connection of a benchmark's NIO client and the answer it waits for (one at a time). */
final class KeptConnection {
    final SocketChannel channel;
    final byte[] request; // the one request it always sends, or null when each request is its own
    final HttpAnswer answer = new HttpAnswer();
    SelectionKey key;
    ByteBuffer pending; // the rest of a request the socket did not take at once
    int index;
    long intended;
    boolean busy;
    boolean resent; // carries a request that a closed connection did not take: not resent twice

    KeptConnection(SocketChannel channel, byte[] request) {
        this.channel = channel;
        this.request = request;
    }

    /** Reads what came into {@code buffer} (cleared first); -1 when the peer closed or reset the connection. */
    int read(ByteBuffer buffer) {
        buffer.clear();
        try {
            return channel.read(buffer);
        } catch (java.io.IOException reset) {
            return -1;
        }
    }

    /** A request goes out: {@code watchEvents} for a stream's answer (its events are counted). */
    void begin(int index, long intended, boolean watchEvents) {
        this.index = index;
        this.intended = intended;
        busy = true;
        answer.reset(watchEvents);
    }
}
