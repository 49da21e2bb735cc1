package io.aiscope.probe.proc;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The pieces of the proc family's decoding that have logic: argv blocks, socket addresses, open flags, results. */
@Tag("unit")
class ProcDecodingTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void argvSplitsAtEachNulAndKeepsEmptyArguments() {
        byte[] block = bytes("sh\0-c\0\0echo ü\0");
        Argv argv = Argv.split(block, block.length, block.length);
        assertThat(argv.args()).containsExactly("sh", "-c", "", "echo ü");
        assertThat(argv.cut()).isFalse();
    }

    @Test
    void argvCutShortKeepsTheBeginningOfTheLastArgumentAndSaysSo() {
        byte[] block = bytes("python3\0-c\0print(1)\0");
        Argv argv = Argv.split(block, 13, block.length);
        assertThat(argv.args()).containsExactly("python3", "-c", "pr");
        assertThat(argv.cut()).isTrue();
        // Cut exactly after a NUL: every argument copied is whole, but some are missing.
        Argv atBoundary = Argv.split(block, 11, block.length);
        assertThat(atBoundary.args()).containsExactly("python3", "-c");
        assertThat(atBoundary.cut()).isTrue();
    }

    @Test
    void argvOfNothingIsEmpty() {
        assertThat(Argv.split(new byte[0], 0, 0)).isEqualTo(new Argv(java.util.List.of(), false));
        assertThat(Argv.split(bytes("a\0"), 99, 2).args()).containsExactly("a"); // a length past the block
    }

    private static byte[] sockaddr(int family, int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).putShort((short) family).array();
    }

    @Test
    void inetAddressesCarryTheirPortInNetworkOrder() {
        byte[] in = sockaddr(2, 16);
        in[2] = (byte) 0x1f;
        in[3] = (byte) 0x90; // 8080
        in[4] = 127;
        in[7] = 1;
        assertThat(SocketAddresses.decode(in, 16)).isEqualTo(new SocketAddresses.Endpoint("127.0.0.1", 8080));
        byte[] in6 = sockaddr(10, 28);
        in6[3] = 80;
        in6[8 + 15] = 1;
        assertThat(SocketAddresses.decode(in6, 28)).isEqualTo(new SocketAddresses.Endpoint("::1", 80));
    }

    @Test
    void unixSocketsArePathsOrAbstractNames() {
        byte[] path = sockaddr(1, 110);
        System.arraycopy(bytes("/run/x.sock"), 0, path, 2, 11);
        assertThat(SocketAddresses.decode(path, 110)).isEqualTo(new SocketAddresses.Endpoint("/run/x.sock", 0));
        assertThat(SocketAddresses.decode(path, 2 + 11)).isEqualTo(new SocketAddresses.Endpoint("/run/x.sock", 0));
        byte[] abstractName = sockaddr(1, 2 + 1 + 4);
        System.arraycopy(bytes("name"), 0, abstractName, 3, 4);
        assertThat(SocketAddresses.decode(abstractName, 7).address()).isEqualTo("@name");
        assertThat(SocketAddresses.decode(sockaddr(1, 2), 2).address()).isEqualTo("(unnamed)");
    }

    @Test
    void shortUnknownOrMissingAddressesAreNamedNotGuessed() {
        assertThat(SocketAddresses.decode(sockaddr(2, 16), 6).address()).isEqualTo(SocketAddresses.UNREADABLE);
        assertThat(SocketAddresses.decode(sockaddr(10, 28), 20).address()).isEqualTo(SocketAddresses.UNREADABLE);
        assertThat(SocketAddresses.decode(new byte[0], 0).address()).isEqualTo(SocketAddresses.UNREADABLE);
        assertThat(SocketAddresses.decode(sockaddr(0, 16), 16).address()).isEqualTo("unspec");
        assertThat(SocketAddresses.decode(sockaddr(16, 12), 12).address()).isEqualTo("family 16");
    }

    @Test
    void openFlagsReadAsTheManPageNamesThem() {
        assertThat(OpenFlags.describe(0)).isEqualTo("O_RDONLY");
        assertThat(OpenFlags.describe(01 | 0100 | 01000 | 02000000)).isEqualTo("O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
        assertThat(OpenFlags.describe(02 | 02000)).isEqualTo("O_RDWR|O_APPEND");
        assertThat(OpenFlags.describe(04010000)).isEqualTo("O_RDONLY|O_SYNC");
        assertThat(OpenFlags.describe(010000)).isEqualTo("O_RDONLY|O_DSYNC");
        assertThat(OpenFlags.describe(020200002)).isEqualTo("O_RDWR|O_TMPFILE");
        assertThat(OpenFlags.describe(0200000)).isEqualTo("O_RDONLY|O_DIRECTORY");
        assertThat(OpenFlags.describe(0x40000001)).isEqualTo("O_WRONLY|0x40000000");
    }

    @Test
    void interruptedCallsReadAsTheEintrTheirCallerSees() {
        assertThat(ProcEventLayout.result(-512)).isEqualTo(-4);
        assertThat(ProcEventLayout.result(-516)).isEqualTo(-4);
        assertThat(ProcEventLayout.result(-111)).isEqualTo(-111);
        assertThat(ProcEventLayout.result(-517)).isEqualTo(-517);
        assertThat(ProcEventLayout.result(3)).isEqualTo(3);
    }
}
