package io.tierstate.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.jspecify.annotations.Nullable;

/**
 * Whom a TLS connection to Redis trusts: the CAs of {@code REDIS_TLS_CA_FILE}, or the JVM's. Both
 * Lettuce's connections and the direct read connections use it, so they accept the same servers.
 * Internal to Tierstate.
 */
public final class TlsTrust {
  private TlsTrust() {}

  /**
   * The certificates in a PEM file (or a DER certificate).
   *
   * @throws IOException if the file cannot be read
   * @throws GeneralSecurityException if it holds something other than certificates
   */
  public static List<X509Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> certificates = new ArrayList<>();
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      return certificates;
    }
  }

  /**
   * Sockets that trust the CAs in {@code caFile}, or the JVM's default CAs when it is null. Host
   * names are not checked here: the caller turns endpoint identification on.
   *
   * @throws IllegalStateException if the file cannot be read, or TLS cannot be set up
   */
  static SSLSocketFactory socketFactory(@Nullable Path caFile) {
    try {
      if (caFile == null) {
        return SSLContext.getDefault().getSocketFactory();
      }
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (X509Certificate certificate : certificates(caFile)) {
        trusted.setCertificateEntry("ca-" + i++, certificate);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS trust" + (caFile == null ? "" : " from " + caFile) + ": " + e, e);
    }
  }
}
