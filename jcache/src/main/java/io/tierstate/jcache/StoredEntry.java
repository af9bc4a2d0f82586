package io.tierstate.jcache;

/**
 * One JCache entry as it is kept in a Tierstate cache: the key and value encoded by the codec with
 * the names of their classes (checked against the allowed types before anything is decoded), and
 * the JCache expiry time.
 *
 * @param keyType the key's class name
 * @param key the encoded key, compared on reads so that a hash collision is a miss
 * @param valueType the value's class name
 * @param value the encoded value
 * @param expiresAt epoch milliseconds after which the entry is expired; {@link Long#MAX_VALUE} for never
 */
@SuppressWarnings("ArrayRecordComponent") // encoded bytes, never mutated nor compared as records
record StoredEntry(String keyType, byte[] key, String valueType, byte[] value, long expiresAt) {

  static final long ETERNAL = Long.MAX_VALUE;

  boolean expiredAt(long now) {
    return expiresAt <= now;
  }

  StoredEntry withExpiry(long newExpiresAt) {
    return new StoredEntry(keyType, key, valueType, value, newExpiresAt);
  }
}
