package io.switchboard.inference.boundary;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The kernel's view of this host's TCP connections ({@code /proc/net/tcp} and {@code tcp6}), read
 * for a few local ports. A servlet learns that its client left only when a write fails, and a
 * non-streamed answer has nothing to write while it waits; the kernel knows at once: the client's
 * FIN puts our side in CLOSE_WAIT, its RST removes the connection. Linux only; elsewhere the
 * table is empty and nothing is ever judged gone.
 */
final class TcpConnections {

    enum State { ESTABLISHED, CLOSING, ABSENT }

    private static final Path[] TABLES = {Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")};
    private static final String ESTABLISHED = "01";

    private final Map<String, State> byConnection;
    private final boolean readable;

    private TcpConnections(Map<String, State> byConnection, boolean readable) {
        this.byConnection = byConnection;
        this.readable = readable;
    }

    /** The connections whose local port is one of {@code localPorts}. */
    static TcpConnections read(Set<Integer> localPorts) {
        Map<String, State> connections = new HashMap<>();
        boolean readable = false;
        for (Path table : TABLES) {
            try {
                for (String line : Files.readAllLines(table)) {
                    parse(line, localPorts, connections);
                }
                readable = true;
            } catch (IOException | RuntimeException notThere) {
                // no such table (IPv6 off, not Linux): the other one may still tell
            }
        }
        return new TcpConnections(connections, readable);
    }

    /** {@code ABSENT} also when the table cannot be read; callers treat that as "unknown" unless they saw it before. */
    State state(String remoteAddress, int remotePort, int localPort) {
        if (!readable) return State.ABSENT;
        State state = byConnection.get(key(normalised(remoteAddress), remotePort, localPort));
        return state == null ? State.ABSENT : state;
    }

    boolean readable() {
        return readable;
    }

    //   sl  local_address                         rem_address                           st ...
    //    0: 0000000000000000FFFF00000100007F:4A88 0000000000000000FFFF00000100007F:C2F0 01 ...
    static void parse(String line, Set<Integer> localPorts, Map<String, State> into) {
        String[] fields = line.trim().split("\\s+", 5);
        if (fields.length < 4 || !fields[0].endsWith(":")) return; // the header line
        int localColon = fields[1].indexOf(':');
        int localPort = Integer.parseInt(fields[1].substring(localColon + 1), 16);
        if (!localPorts.contains(localPort)) return;
        int remoteColon = fields[2].indexOf(':');
        int remotePort = Integer.parseInt(fields[2].substring(remoteColon + 1), 16);
        String remote = address(fields[2].substring(0, remoteColon));
        State state = ESTABLISHED.equals(fields[3]) ? State.ESTABLISHED : State.CLOSING;
        // a listening socket has port 0 as its remote end; TIME_WAIT leftovers must not hide a live entry
        into.merge(key(remote, remotePort, localPort), state, (a, b) -> a == State.ESTABLISHED ? a : b);
    }

    /** The kernel prints each 32-bit word of the address in host (little-endian) byte order. */
    static String address(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = (word * 4 + i) * 2;
                bytes[word * 4 + 3 - i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress(); // an IPv4-mapped IPv6 address comes back as IPv4
        } catch (UnknownHostException impossible) {
            return hex;
        }
    }

    /** The servlet container's spelling of an address literal, in the kernel table's spelling. */
    static String normalised(String addressLiteral) {
        try {
            return InetAddress.getByName(addressLiteral).getHostAddress(); // a literal: no name lookup
        } catch (UnknownHostException notALiteral) {
            return addressLiteral;
        }
    }

    private static String key(String remoteAddress, int remotePort, int localPort) {
        return remoteAddress + '|' + remotePort + '|' + localPort;
    }
}
