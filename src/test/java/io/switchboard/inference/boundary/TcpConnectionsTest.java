package io.switchboard.inference.boundary;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel's TCP table as the client watch reads it: real sockets on this machine, and the table's format. */
class TcpConnectionsTest {

    @Test
    void aConnectionIsEstablishedUntilTheClientClosesIt() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux only");
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
            try (Socket accepted = server.accept()) {
                String clientAddress = TcpConnections.normalised(accepted.getInetAddress().getHostAddress());
                int clientPort = accepted.getPort();
                assertEquals(TcpConnections.State.ESTABLISHED,
                        TcpConnections.read(Set.of(port)).state(clientAddress, clientPort, port));

                client.close(); // FIN: the server's side goes to CLOSE_WAIT
                TcpConnections.State state = TcpConnections.State.ESTABLISHED;
                for (int i = 0; i < 50 && state == TcpConnections.State.ESTABLISHED; i++) {
                    Thread.sleep(20);
                    state = TcpConnections.read(Set.of(port)).state(clientAddress, clientPort, port);
                }
                assertEquals(TcpConnections.State.CLOSING, state);
            }
        }
    }

    @Test
    void readsIpv4AndIpv4MappedIpv6LinesForTheWatchedPortsOnly() {
        Map<String, TcpConnections.State> seen = new HashMap<>();
        // 127.0.0.1:19080 <- 127.0.0.1:49904 established; the same client on another local port; a CLOSE_WAIT over IPv6
        TcpConnections.parse("   3: 0100007F:4A88 0100007F:C2F0 01 00000000:00000000 00:00000000 00000000  0 0 1 1", Set.of(19080), seen);
        TcpConnections.parse("   4: 0100007F:1F90 0100007F:C2F0 01 00000000:00000000 00:00000000 00000000  0 0 1 1", Set.of(19080), seen);
        TcpConnections.parse("   5: 0000000000000000FFFF00000100007F:4A88 0000000000000000FFFF00000100007F:C2F1 08 0 0 0",
                Set.of(19080), seen);
        TcpConnections.parse("  sl  local_address rem_address   st tx_queue rx_queue", Set.of(19080), seen);
        assertEquals(Map.of("127.0.0.1|49904|19080", TcpConnections.State.ESTABLISHED,
                "127.0.0.1|49905|19080", TcpConnections.State.CLOSING), seen);
        assertEquals("0:0:0:0:0:0:0:1", TcpConnections.address("00000000000000000000000001000000"));
        assertEquals("127.0.0.1", TcpConnections.normalised("::ffff:127.0.0.1"));
    }
}
