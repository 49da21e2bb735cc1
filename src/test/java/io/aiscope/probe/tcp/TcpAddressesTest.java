package io.aiscope.probe.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class TcpAddressesTest {
    private static byte[] raw(String address) throws Exception {
        byte[] a = InetAddress.getByName(address).getAddress();
        byte[] out = new byte[16];
        System.arraycopy(a, 0, out, 0, a.length);
        return out;
    }

    private static String v6(String address) throws Exception {
        return TcpAddresses.format(TcpAddresses.AF_INET6, raw(address));
    }

    @Test
    void ipv4SitsInTheFirstFourBytes() throws Exception {
        assertThat(TcpAddresses.format(TcpAddresses.AF_INET, raw("127.0.0.1"))).isEqualTo("127.0.0.1");
        assertThat(TcpAddresses.format(TcpAddresses.AF_INET, raw("192.168.255.10"))).isEqualTo("192.168.255.10");
        assertThat(TcpAddresses.format(TcpAddresses.AF_INET, new byte[16])).isEqualTo("0.0.0.0");
    }

    @Test
    void ipv6IsWrittenAsRfc5952Says() throws Exception {
        assertThat(v6("::1")).isEqualTo("::1");
        assertThat(v6("::")).isEqualTo("::");
        assertThat(v6("2001:db8:0:0:0:0:2:1")).isEqualTo("2001:db8::2:1");
        assertThat(v6("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");  // one zero word stays
        assertThat(v6("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");            // the longest run
        assertThat(v6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");      // the first of equal runs
        assertThat(v6("fe80::abcd:ef01")).isEqualTo("fe80::abcd:ef01");
        assertThat(v6("1:2:3:4:5:6:7:0")).isEqualTo("1:2:3:4:5:6:7:0");
        assertThat(v6("1:0:0:0:0:0:0:0")).isEqualTo("1::");
    }

    @Test
    void v4MappedAddressesKeepTheirDottedTail() {
        byte[] a = new byte[16];
        a[10] = (byte) 0xff;
        a[11] = (byte) 0xff;
        a[12] = 10;
        a[15] = 7;
        assertThat(TcpAddresses.format(TcpAddresses.AF_INET6, a)).isEqualTo("::ffff:10.0.0.7");
    }

    @Test
    void unknownFamilyIsNotGuessed() {
        assertThat(TcpAddresses.format(1, new byte[16])).isEqualTo("?");
    }
}
