package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RespTests {

  @Test
  void encodesCommandsAsArraysOfBulkStrings() {
    assertThat(new String(Resp.encode("SET", "k", "vé"), UTF_8))
        .isEqualTo("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nvé\r\n");
  }

  @Test
  void rendersEveryReplyType() throws IOException {
    assertThat(render("+OK\r\n")).isEqualTo("OK");
    assertThat(render("-ERR unknown command 'NOPE'\r\n"))
        .isEqualTo("ERR:ERR unknown command 'NOPE'");
    assertThat(render(":-42\r\n")).isEqualTo("-42");
    assertThat(render("$5\r\nhe\r\no\r\n")).isEqualTo("he\r\no");
    assertThat(render("$0\r\n\r\n")).isEmpty();
    assertThat(render("$-1\r\n")).isNull();
    assertThat(render("*-1\r\n")).isNull();
    assertThat(render("*0\r\n")).isEmpty();
  }

  @Test
  void flattensArraysAndShowsNilElements() throws IOException {
    assertThat(render("*3\r\n$1\r\na\r\n$-1\r\n*2\r\n:1\r\n+b\r\n")).isEqualTo("a\n(nil)\n1\nb");
  }

  @Test
  void truncatedReplyIsAnEofNotAHang() {
    assertThatThrownBy(() -> render("$5\r\nab")).isInstanceOf(EOFException.class);
    assertThatThrownBy(() -> render("")).isInstanceOf(EOFException.class);
  }

  private static String render(String wire) throws IOException {
    return Resp.render(Resp.read(new ByteArrayInputStream(wire.getBytes(UTF_8))));
  }
}
