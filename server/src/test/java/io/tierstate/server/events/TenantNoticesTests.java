package io.tierstate.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.cache.InvalidationEvent;
import io.tierstate.cache.InvalidationEvent.Kind;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TenantNoticesTests {
  private static final UUID ACME = UUID.fromString("11111111-1111-4111-8111-111111111111");
  private static final UUID GLOBEX = UUID.fromString("22222222-2222-4222-8222-222222222222");
  private static final UUID USER = UUID.fromString("33333333-3333-4333-8333-333333333333");

  @Test
  void aUserChangeBecomesOneNoticeNamingTheUser() {
    InvalidationEvent event = new InvalidationEvent(Kind.TAGS,
        List.of("tenant:" + ACME + ":user:" + USER, "tenant:" + ACME + ":user:list:0123456789abcdef"),
        List.of("tenant:" + ACME + ":users", "tenant:" + ACME + ":user:" + USER), null, "node-a", false);
    Map<UUID, Notice> notices = TenantNotices.of(event);
    assertThat(notices).containsOnlyKeys(ACME);
    Notice notice = notices.get(ACME);
    assertThat(notice.entity()).isEqualTo("user");
    assertThat(notice.id()).isEqualTo(USER.toString());
    assertThat(notice.tags()).containsExactly("tenant:" + ACME + ":users", "tenant:" + ACME + ":user:" + USER);
    assertThat(notice.origin()).isEqualTo("node-a");
  }

  @Test
  void namesOfSeveralTenantsAreSplitAndNeverMixed() {
    InvalidationEvent event = new InvalidationEvent(Kind.KEYS,
        List.of("tenant:" + ACME + ":user:" + USER + ":permissions", "tenant:" + GLOBEX + ":users"), List.of(), null,
        "node-b", true);
    Map<UUID, Notice> notices = TenantNotices.of(event);
    // Keys decide the entity and id, but are not sent: the tenant is, so that nothing is mixed.
    assertThat(notices.get(ACME).tenantId()).isEqualTo(ACME.toString());
    assertThat(notices.get(ACME).entity()).isEqualTo("user");
    assertThat(notices.get(ACME).id()).isEqualTo(USER.toString());
    assertThat(notices.get(GLOBEX).tenantId()).isEqualTo(GLOBEX.toString());
    assertThat(notices.get(GLOBEX).entity()).isEqualTo("users");
    assertThat(notices.get(GLOBEX).id()).isNull();
  }

  @Test
  void aTenantChangeIsAnnouncedAsTheTenantThoughItDropsItsUsersAccessEntries() {
    // AccessCache.tenantChanged: the tenant's record tag, and the access entries it carried.
    InvalidationEvent event = new InvalidationEvent(Kind.TAGS,
        List.of("tenant:" + ACME + ":user:" + USER + ":permissions"), List.of("tenant:" + ACME + ":tenant:" + ACME),
        null, "node-a", false);
    Notice notice = TenantNotices.of(event).get(ACME);
    assertThat(notice.entity()).isEqualTo("tenant");
    assertThat(notice.id()).isEqualTo(ACME.toString());
  }

  @Test
  void globalNamesAreNeverAnnounced() {
    assertThat(TenantNotices.of(new InvalidationEvent(Kind.KEYS, List.of("cache:global:countries:en", "tenant:42:x"),
        List.of(), null, "n", true))).isEmpty();
  }

  @Test
  void patternsThatCanTouchEveryTenantAskEveryoneToResync() {
    assertThat(TenantNotices.touchesEveryTenant(pattern("*"))).isTrue();
    assertThat(TenantNotices.touchesEveryTenant(pattern("tenant:*"))).isTrue();
    assertThat(TenantNotices.touchesEveryTenant(pattern("ten*"))).isTrue();
    assertThat(TenantNotices.touchesEveryTenant(pattern("tenant:" + ACME + ":*"))).isFalse();
    assertThat(TenantNotices.touchesEveryTenant(pattern("cache:global:*"))).isFalse();
    assertThat(TenantNotices.of(pattern("tenant:" + ACME + ":user:*")).get(ACME).entity()).isEqualTo("user");
  }

  private static InvalidationEvent pattern(String pattern) {
    return new InvalidationEvent(Kind.PATTERN, List.of(), List.of(), pattern, "n", false);
  }
}
