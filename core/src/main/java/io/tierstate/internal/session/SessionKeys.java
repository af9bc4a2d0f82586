package io.tierstate.internal.session;

/**
 * Redis key names of sessions. One user's sessions and index share the hash tag {@code {slot}}, so
 * the scripts that evict, rotate and list run on one Cluster node:
 *
 * <pre>
 * ns:sess:{slot}:&lt;sha256 of id&gt;   hash: the session's fields
 * ns:sess:{slot}:index              sorted set: the user's id hashes scored by last activity ms
 * ns:sess:live:{tenant}             sorted set: slot:hash of the tenant's sessions scored by expiry ms
 * ns:sess:live                      sorted set: slot:hash of all sessions scored by expiry ms
 * </pre>
 */
final class SessionKeys {
  private final String namespace;

  SessionKeys(String namespace) {
    this.namespace = namespace;
  }

  String prefix(String slot) {
    return namespace + ":sess:{" + slot + "}:";
  }

  String session(String slot, String hash) {
    return prefix(slot) + hash;
  }

  String index(String slot) {
    return prefix(slot) + "index";
  }

  String tenantLive(String tenantId) {
    return namespace + ":sess:live:{" + tenantId + "}";
  }

  String allLive() {
    return namespace + ":sess:live";
  }
}
