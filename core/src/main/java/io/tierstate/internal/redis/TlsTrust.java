package io.tierstate.internal.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Whom a TLS connection to Redis trusts (the CAs of {@code REDIS_TLS_CA_FILE}, or the JVM's) and
 * which client certificate it presents ({@code REDIS_TLS_CERT_FILE} and {@code
 * REDIS_TLS_KEY_FILE}). Both Lettuce's connections and the direct read connections use it, so they
 * behave alike. Internal to Tierstate.
 */
public final class TlsTrust {
  private static final Pattern PKCS8 =
      Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
  private static final char[] NO_PASSWORD = new char[0];

  private TlsTrust() {}

  /**
   * The certificates in a PEM file (or a DER certificate).
   *
   * @throws IOException if the file cannot be read
   * @throws GeneralSecurityException if it holds something other than certificates
   */
  public static List<X509Certificate> certificates(Path file)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate :
          CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      return certificates;
    }
  }

  /**
   * The private key in a PEM file: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC.
   *
   * @throws IOException if the file cannot be read
   * @throws GeneralSecurityException if it holds no such key; the message says how to convert one
   */
  public static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher pem = PKCS8.matcher(text);
    if (!pem.find()) {
      String found =
          text.contains("ENCRYPTED PRIVATE KEY")
              ? "an encrypted key"
              : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY")
                  ? "a PKCS#1 or SEC1 key"
                  : "no private key";
      throw new GeneralSecurityException(
          "it holds "
              + found
              + "; an unencrypted PKCS#8 key is needed"
              + " (openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem)");
    }
    PKCS8EncodedKeySpec spec =
        new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.group(1)));
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException("its PKCS#8 key is neither RSA nor EC");
  }

  /**
   * The client certificate a server that checks clients ({@code tls-auth-clients yes}) asks for:
   * the chain in {@code certificateFile} and the key in {@code keyFile}, both PEM.
   *
   * @throws IllegalStateException if either file cannot be read or parsed
   */
  static KeyManagerFactory keyManagers(Path certificateFile, Path keyFile) {
    try {
      List<X509Certificate> chain = certificates(certificateFile);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      store.setKeyEntry(
          "client", privateKey(keyFile), NO_PASSWORD, chain.toArray(new Certificate[0]));
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, NO_PASSWORD);
      return keys;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up the TLS client certificate from "
              + certificateFile
              + " and "
              + keyFile
              + ": "
              + e,
          e);
    }
  }

  /**
   * Sockets that trust the CAs in {@code caFile} (or the JVM's default CAs when it is null) and
   * present {@code keys} when the server asks for a client certificate (none when null). Host names
   * are not checked here: the caller turns endpoint identification on.
   *
   * @throws IllegalStateException if the CA file cannot be read, or TLS cannot be set up
   */
  static SSLSocketFactory socketFactory(@Nullable Path caFile, @Nullable KeyManagerFactory keys) {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caFile == null) {
        trust.init((KeyStore) null);
      } else {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        int i = 0;
        for (X509Certificate certificate : certificates(caFile)) {
          trusted.setCertificateEntry("ca-" + i++, certificate);
        }
        trust.init(trusted);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot set up TLS trust" + (caFile == null ? "" : " from " + caFile) + ": " + e, e);
    }
  }
}
