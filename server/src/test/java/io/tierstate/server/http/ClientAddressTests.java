package io.tierstate.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Client addresses become parts of rate-limit keys, so they must be bare IP literals. */
class ClientAddressTests {

  // A browser on "localhost" reaches Jetty over IPv6; its peer address came as "[0:0:...:1]",
  // and the brackets (glob characters in keys) made every request of that browser a 500.
  @Test
  void ipv6PeerAddressesLoseTheirBracketsAndZone() {
    assertThat(ClientAddress.bare("[0:0:0:0:0:0:0:1]")).isEqualTo("0:0:0:0:0:0:0:1");
    assertThat(ClientAddress.bare("[fe80::1%eth0]")).isEqualTo("fe80::1");
    assertThat(ClientAddress.bare(" 127.0.0.1 ")).isEqualTo("127.0.0.1");
  }
}
