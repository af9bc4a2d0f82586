package io.tierstate.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CompressionUnitTests {

  @Property
  void roundTrips(
      @ForAll @Size(max = 4096) byte[] data, @ForAll @IntRange(min = -5, max = 9) int level) {
    byte[] compressed = Compression.compress(data, level);
    assertThat(Compression.decompress(compressed, data.length)).isEqualTo(data);
  }

  @Property
  void decompressesARangeInsideALargerArray(@ForAll @Size(max = 512) byte[] data) {
    byte[] compressed = Compression.compress(data);
    byte[] framed = new byte[compressed.length + 10];
    System.arraycopy(compressed, 0, framed, 3, compressed.length);
    assertThat(Compression.decompress(framed, 3, compressed.length, data.length)).isEqualTo(data);
  }

  @Property
  void anyCorruptionOrTruncationFailsWithCodecExceptionNeverAWrongValue(
      @ForAll @Size(min = 1, max = 300) byte[] data, @ForAll int bitSeed, @ForAll int cutSeed) {
    byte[] compressed = Compression.compress(data);
    byte[] flipped = compressed.clone();
    int bit = Math.floorMod(bitSeed, compressed.length * 8);
    flipped[bit / 8] ^= (byte) (1 << (bit % 8));
    assertRejectedOrEqual(flipped, data);
    byte[] truncated = Arrays.copyOf(compressed, Math.floorMod(cutSeed, compressed.length));
    assertRejectedOrEqual(truncated, data);
  }

  private static void assertRejectedOrEqual(byte[] bytes, byte[] original) {
    try {
      assertThat(Compression.decompress(bytes, 1 << 20)).isEqualTo(original);
    } catch (CodecException expected) {
      // rejected: the only other outcome allowed
    }
  }

  @Test
  void compressesRepetitiveJsonWell() {
    byte[] json = "{\"name\":\"value\",\"n\":1},".repeat(200).getBytes(UTF_8);
    assertThat(Compression.compress(json).length).isLessThan(json.length / 10);
  }

  @Test
  void rejectsAFrameDeclaringMoreThanTheLimitBeforeDecompressingIt() {
    byte[] bomb = Compression.compress(new byte[64 << 20]); // 64 MiB of zeros in a few KiB
    assertThat(bomb.length).isLessThan(16 << 10);
    assertThatThrownBy(() -> Compression.decompress(bomb, 1 << 20))
        .isInstanceOf(CodecException.class)
        .hasMessage(
            "zstd frame declares 67108864 bytes, more than the limit of 1048576;"
                + " refusing to decompress it");
  }

  @Test
  void acceptsAFrameOfExactlyTheLimit() {
    byte[] data = new byte[1000];
    assertThat(Compression.decompress(Compression.compress(data), 1000)).isEqualTo(data);
  }

  @Test
  void rejectsAFrameThatDoesNotDeclareItsSize() {
    byte[] unsized;
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setContentSize(false);
      unsized = ctx.compress(new byte[100]);
    }
    assertThat(Zstd.getFrameContentSize(unsized)).isEqualTo(-1);
    assertThatThrownBy(() -> Compression.decompress(unsized, 1 << 20))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("zstd frame does not declare its content size");
  }

  @Test
  void rejectsAFrameThatExpandsBeyondWhatItDeclares() {
    byte[] two = Compression.compress(new byte[100]);
    byte[] concatenated = new byte[two.length * 2];
    System.arraycopy(two, 0, concatenated, 0, two.length);
    System.arraycopy(two, 0, concatenated, two.length, two.length);
    assertThatThrownBy(() -> Compression.decompress(concatenated, 1 << 20))
        .isInstanceOf(CodecException.class)
        .hasMessageStartingWith("zstd frame of " + concatenated.length + " bytes is corrupt: ");
  }

  @Test
  void rejectsBytesThatAreNotZstd() {
    assertThatThrownBy(() -> Compression.decompress("{\"json\":1}".getBytes(UTF_8), 100))
        .isInstanceOf(CodecException.class)
        .hasMessage("not a zstd frame: 10 bytes without a valid zstd frame header");
    assertThatThrownBy(() -> Compression.decompress(new byte[0], 100))
        .isInstanceOf(CodecException.class);
  }

  @Test
  void rejectsAnUnsupportedLevel() {
    assertThatThrownBy(() -> Compression.compress(new byte[1], 23))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("zstd level 23 is outside the supported range [");
  }

  @Test
  void rejectsANegativeLimitAndABadRange() {
    byte[] compressed = Compression.compress(new byte[1]);
    assertThatThrownBy(() -> Compression.decompress(compressed, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must not be negative, was -1");
    assertThatThrownBy(() -> Compression.decompress(compressed, 1, compressed.length, 10))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
