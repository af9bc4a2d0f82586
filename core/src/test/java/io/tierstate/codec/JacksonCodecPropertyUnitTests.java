package io.tierstate.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class JacksonCodecPropertyUnitTests {
  private final JacksonCodec codec = JacksonCodec.create();

  record Person(
      String name,
      int age,
      long id,
      double score,
      boolean active,
      List<String> tags,
      Map<String, Integer> counts,
      Optional<String> nickname,
      Instant createdAt,
      LocalDate birthday,
      OffsetDateTime lastSeen) {}

  record Team(String name, List<Person> members, Map<String, List<Person>> byRole) {}

  @Property
  void stringsRoundTrip(@ForAll("unicode") String value) {
    assertThat(codec.decode(codec.encode(value), TypeRef.of(String.class))).isEqualTo(value);
  }

  @Property
  void recordsRoundTrip(@ForAll("people") Person person) {
    assertThat(codec.decode(codec.encode(person), TypeRef.of(Person.class))).isEqualTo(person);
  }

  @Property(tries = 200)
  void nestedGenericsRoundTripThroughTypeRef(@ForAll("teams") Map<String, Team> teams) {
    TypeRef<Map<String, Team>> type = new TypeRef<>() {};
    assertThat(codec.decode(codec.encode(teams), type)).isEqualTo(teams);
  }

  @Property
  void listsOfLongsRoundTripAsLongs(@ForAll List<Long> values) {
    List<Long> decoded = codec.decode(codec.encode(values), new TypeRef<List<Long>>() {});
    assertThat(decoded).isEqualTo(values);
  }

  @Property
  void setsAndMapsOfUnicodeKeysRoundTrip(
      @ForAll("unicodeSets") Set<String> set, @ForAll("unicodeMaps") Map<String, String> map) {
    assertThat(codec.decode(codec.encode(set), new TypeRef<Set<String>>() {})).isEqualTo(set);
    assertThat(codec.decode(codec.encode(map), new TypeRef<Map<String, String>>() {}))
        .isEqualTo(map);
  }

  @Property
  void aRangeDecodesLikeTheWholeArray(
      @ForAll("people") Person person, @ForAll byte[] before, @ForAll byte[] after) {
    byte[] json = codec.encode(person);
    byte[] framed = new byte[before.length + json.length + after.length];
    System.arraycopy(before, 0, framed, 0, before.length);
    System.arraycopy(json, 0, framed, before.length, json.length);
    System.arraycopy(after, 0, framed, before.length + json.length, after.length);
    assertThat(codec.decode(framed, before.length, json.length, TypeRef.of(Person.class)))
        .isEqualTo(person);
  }

  @Property
  void arbitraryBytesDecodeOrFailWithCodecException(@ForAll byte[] bytes) {
    try {
      codec.decode(bytes, TypeRef.of(Person.class));
    } catch (CodecException expected) {
      // the only failure allowed
    }
  }

  /** Valid Unicode: any code point but lone surrogates, including supplementary planes. */
  @Provide
  static Arbitrary<String> unicode() {
    return Arbitraries.integers()
        .between(0, Character.MAX_CODE_POINT)
        .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE)
        .list()
        .ofMaxSize(40)
        .map(
            codePoints -> {
              StringBuilder text = new StringBuilder();
              codePoints.forEach(text::appendCodePoint);
              return text.toString();
            });
  }

  @Provide
  static Arbitrary<Set<String>> unicodeSets() {
    return unicode().set().ofMaxSize(5);
  }

  @Provide
  static Arbitrary<Map<String, String>> unicodeMaps() {
    return Arbitraries.maps(unicode(), unicode()).ofMaxSize(5);
  }

  @Provide
  static Arbitrary<Person> people() {
    Arbitrary<Instant> instants =
        Arbitraries.longs()
            .between(-62_000_000_000L, 250_000_000_000L)
            .flatMap(
                seconds ->
                    Arbitraries.integers()
                        .between(0, 999_999_999)
                        .map(nanos -> Instant.ofEpochSecond(seconds, nanos)));
    Arbitrary<OffsetDateTime> offsets =
        Combinators.combine(instants, Arbitraries.integers().between(-18 * 3600, 18 * 3600))
            .as((instant, offset) -> instant.atOffset(ZoneOffset.ofTotalSeconds(offset)));
    Arbitrary<LocalDate> dates =
        Arbitraries.longs().between(-700_000, 2_000_000).map(LocalDate::ofEpochDay);
    return Combinators.combine(
            Combinators.combine(
                    unicode(),
                    Arbitraries.integers(),
                    Arbitraries.longs(),
                    Arbitraries.doubles()
                        .withSpecialValue(Double.NaN)
                        .withSpecialValue(Double.POSITIVE_INFINITY)
                        .withSpecialValue(-0.0),
                    Arbitraries.of(true, false),
                    unicode().list().ofMaxSize(4))
                .as(Prefix::new),
            Arbitraries.maps(unicode(), Arbitraries.integers()).ofMaxSize(4),
            unicode().optional(),
            instants,
            dates,
            offsets)
        .as(
            (p, counts, nickname, createdAt, birthday, lastSeen) ->
                new Person(
                    p.name(),
                    p.age(),
                    p.id(),
                    p.score(),
                    p.active(),
                    p.tags(),
                    counts,
                    nickname,
                    createdAt,
                    birthday,
                    lastSeen));
  }

  private record Prefix(
      String name, int age, long id, double score, boolean active, List<String> tags) {}

  @Provide
  static Arbitrary<Map<String, Team>> teams() {
    Arbitrary<Team> team =
        Combinators.combine(
                unicode(),
                people().list().ofMaxSize(3),
                Arbitraries.maps(unicode(), people().list().ofMaxSize(2)).ofMaxSize(2))
            .as(Team::new);
    return Arbitraries.maps(unicode(), team).ofMaxSize(3);
  }
}
