package io.tierstate.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordHasherTests {
  private final PasswordHasher hasher = new PasswordHasher();

  @Test
  void hashesIntoAnArgon2idPhcStringThatVerifies() {
    String hash = hasher.hash("correct horse battery staple");
    assertThat(hash).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
    assertThat(hasher.verify("correct horse battery staple", hash)).isTrue();
    assertThat(hasher.verify("correct horse battery stapler", hash)).isFalse();
    assertThat(hasher.verify("", hash)).isFalse();
  }

  @Test
  void saltsEveryHash() {
    assertThat(hasher.hash("same")).isNotEqualTo(hasher.hash("same"));
  }

  @Test
  void readsTheParametersFromTheStoredString() {
    // A hash made with other (cheaper) parameters, as before a parameter change, still verifies.
    byte[] salt = "sixteen byte salt".substring(0, 16).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    org.bouncycastle.crypto.generators.Argon2BytesGenerator generator =
        new org.bouncycastle.crypto.generators.Argon2BytesGenerator();
    generator.init(new org.bouncycastle.crypto.params.Argon2Parameters.Builder(
            org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_id)
        .withVersion(org.bouncycastle.crypto.params.Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(1024).withIterations(1).withParallelism(1).withSalt(salt).build());
    byte[] out = new byte[32];
    generator.generateBytes("old password".getBytes(java.nio.charset.StandardCharsets.UTF_8), out);
    java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
    String old = "$argon2id$v=19$m=1024,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);

    assertThat(hasher.verify("old password", old)).isTrue();
    assertThat(hasher.verify("old password", old.replace("t=1", "t=2"))).isFalse();
  }

  @Test
  void refusesStringsThatAreNotArgon2id() {
    assertThat(hasher.verify("pw", "")).isFalse();
    assertThat(hasher.verify("pw", "$2a$10$abcdefghijklmnopqrstuu")).isFalse();
    assertThat(hasher.verify("pw", "$argon2i$v=19$m=19456,t=2,p=1$AAAA$AAAA")).isFalse();
    assertThat(hasher.verify("pw", "$argon2id$v=19$m=19456,t=2,p=1$!!!!$AAAA")).isFalse();
    assertThat(hasher.verifyDummy("anything")).isFalse();
  }
}
