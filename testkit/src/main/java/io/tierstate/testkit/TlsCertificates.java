package io.tierstate.testkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and a server certificate it signed for {@code localhost} and
 * {@code 127.0.0.1}, as PEM files, for a TLS Redis in tests ({@link RedisServer.Builder#tls}). The
 * certificate is good for clients too, as cluster nodes present it to each other on the bus.
 * Each call to {@link #issue} makes a new CA, so two sets do not trust each other.
 *
 * <pre>{@code
 * TlsCertificates certificates = TlsCertificates.issue();
 * try (RedisServer redis = RedisServer.builder().tls(certificates).start()) {
 *   String uri = redis.tlsUri();         // "rediss://localhost:40124"
 *   Path trust = certificates.caFile();  // what clients must trust
 * }
 * }</pre>
 *
 * <p>Immutable; the files live in a temporary directory deleted when the JVM exits.
 */
public final class TlsCertificates {
  private static final Duration VALIDITY = Duration.ofDays(2);
  private static final String SIGNATURE = "SHA256withECDSA";

  private final Path caFile;
  private final Path certificateFile;
  private final Path keyFile;

  private TlsCertificates(Path caFile, Path certificateFile, Path keyFile) {
    this.caFile = caFile;
    this.certificateFile = certificateFile;
    this.keyFile = keyFile;
  }

  /**
   * Issues a new CA and a server certificate signed by it.
   *
   * @throws IllegalStateException if the JDK cannot make EC keys or sign
   * @throws UncheckedIOException if the files cannot be written
   */
  public static TlsCertificates issue() {
    try {
      Path dir = TempDirs.create("tierstate-tls-");
      dir.toFile().deleteOnExit();
      KeyPair caKeys = newKeyPair();
      X500Name caName = new X500Name("CN=Tierstate test CA " + Long.toHexString(new SecureRandom().nextLong()));
      Instant now = Instant.now();
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), caName, caKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate caCertificate = sign(ca, caKeys);

      KeyPair serverKeys = newKeyPair();
      X509v3CertificateBuilder server = new JcaX509v3CertificateBuilder(caName, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), new X500Name("CN=localhost"),
          serverKeys.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509Certificate serverCertificate = sign(server, caKeys);

      Path caFile = write(dir.resolve("ca.crt"), caCertificate);
      Path certificateFile = write(dir.resolve("redis.crt"), serverCertificate);
      Path keyFile = write(dir.resolve("redis.key"), serverKeys.getPrivate());
      for (Path file : new Path[] {caFile, certificateFile, keyFile}) {
        file.toFile().deleteOnExit();
      }
      return new TlsCertificates(caFile, certificateFile, keyFile);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue test certificates: " + e, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write test certificates", e);
    }
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException, CertIOException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
  }

  private static Path write(Path file, X509Certificate certificate) throws IOException, GeneralSecurityException {
    return writePem(file, "CERTIFICATE", certificate.getEncoded());
  }

  private static Path write(Path file, PrivateKey key) throws IOException {
    return writePem(file, "PRIVATE KEY", key.getEncoded()); // PKCS#8, which OpenSSL reads as is
  }

  private static Path writePem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    Files.writeString(file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n", UTF_8);
    return file;
  }

  /**
   * Sends PING over TLS to {@code localhost:port}, trusting only this CA and checking the host
   * name, and returns the reply line.
   *
   * @throws IOException if the handshake or the exchange fails
   */
  String pingOverTls(int port) throws IOException {
    try {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      try (InputStream in = Files.newInputStream(caFile)) {
        trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write("PING\r\n".getBytes(US_ASCII));
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), US_ASCII)).readLine();
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS trust from " + caFile + ": " + e, e);
    }
  }

  /** The CA certificate (PEM): what a client must trust to accept the server. */
  public Path caFile() {
    return caFile;
  }

  /**
   * The servers' certificate (PEM), for {@code localhost} and {@code 127.0.0.1}; also good as a
   * client certificate ({@link RedisServer.Builder#tlsWithClientCertificates}).
   */
  public Path certificateFile() {
    return certificateFile;
  }

  /** The certificate's private key (PEM, unencrypted PKCS#8). */
  public Path keyFile() {
    return keyFile;
  }
}
