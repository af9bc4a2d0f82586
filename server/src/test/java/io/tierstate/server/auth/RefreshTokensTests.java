package io.tierstate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RefreshTokensTests {

  @Test
  void aTokenCarriesItsSessionAndASecretWhoseHashIsStored() {
    RefreshTokens.Secret secret = new RefreshTokens().newSecret();
    String token = secret.token("sessionid.0123abcd");
    RefreshTokens.Parsed parsed = RefreshTokens.parse(token);
    assertThat(parsed).isNotNull();
    assertThat(parsed.sessionId()).isEqualTo("sessionid.0123abcd");
    assertThat(RefreshTokens.matches(parsed.secret(), secret.hash())).isTrue();
    assertThat(secret.hash()).doesNotContain(secret.value()).hasSize(64);
    assertThat(secret.toString()).doesNotContain(secret.value());
  }

  @Test
  void anotherSecretDoesNotMatch() {
    RefreshTokens tokens = new RefreshTokens();
    RefreshTokens.Secret first = tokens.newSecret();
    RefreshTokens.Secret second = tokens.newSecret();
    assertThat(first.value()).isNotEqualTo(second.value());
    assertThat(RefreshTokens.matches(first.value(), second.hash())).isFalse();
    assertThat(RefreshTokens.matches(first.value(), null)).isFalse();
  }

  @Test
  void malformedTokensAreNotParsed() {
    assertThat(RefreshTokens.parse(null)).isNull();
    assertThat(RefreshTokens.parse("")).isNull();
    assertThat(RefreshTokens.parse("no-separator")).isNull();
    assertThat(RefreshTokens.parse("~secret-without-session")).isNull();
    assertThat(RefreshTokens.parse("session-without-secret~")).isNull();
    assertThat(RefreshTokens.parse("s~" + "x".repeat(600))).isNull();
  }
}
