package io.tierstate.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionIdsUnitTests {
  private static final String SLOT = SessionIds.slot("acme", "alice");

  @Test
  void anIdCarries256RandomBitsAndTheUsersSlot() {
    String id = SessionIds.generate(SLOT);
    assertThat(Base64.getUrlDecoder().decode(id.substring(0, SessionIds.SECRET_LENGTH)))
        .hasSize(32);
    assertThat(id).endsWith("." + SLOT);
    SessionIds.Parsed parsed = SessionIds.parse(id);
    assertThat(parsed).isNotNull();
    assertThat(parsed.slot()).isEqualTo(SLOT);
    assertThat(parsed.hash()).hasSize(64).isEqualTo(SessionIds.sha256Hex(id)).doesNotContain(id);
  }

  @Test
  void idsDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      assertThat(seen.add(SessionIds.generate(SLOT))).isTrue();
    }
  }

  @Test
  void slotsSeparateTenantsAndUsers() {
    assertThat(SessionIds.slot("acme", "alice")).isNotEqualTo(SessionIds.slot("alice", "acme"));
    assertThat(SessionIds.slot("a", "bc")).isNotEqualTo(SessionIds.slot("ab", "c"));
  }

  @Test
  void malformedIdsDoNotParse() {
    String id = SessionIds.generate(SLOT);
    assertThat(SessionIds.parse("")).isNull();
    assertThat(SessionIds.parse(id + "0")).isNull();
    assertThat(SessionIds.parse(id.replace('.', '!'))).isNull();
    assertThat(SessionIds.parse("+" + id.substring(1))).isNull();
    assertThat(SessionIds.parse(id.substring(0, 44) + SLOT.toUpperCase())).isNull();
  }

  @Test
  void aHandleNamesAnIdWithoutRevealingItOrItsHash() {
    String id = SessionIds.generate(SLOT);
    String hash = SessionIds.sha256Hex(id);
    String handle = SessionIds.handle(hash);
    assertThat(handle).hasSize(SessionIds.HANDLE_LENGTH).matches("[A-Za-z0-9_-]{22}");
    assertThat(SessionIds.handle(hash)).isEqualTo(handle);
    assertThat(hash).doesNotContain(handle);
    assertThat(id).doesNotContain(handle);
    assertThat(SessionIds.handle(SessionIds.sha256Hex(SessionIds.generate(SLOT))))
        .isNotEqualTo(handle);
  }
}
