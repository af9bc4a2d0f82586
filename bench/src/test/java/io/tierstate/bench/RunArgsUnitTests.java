package io.tierstate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunArgsUnitTests {

  @Test
  void readsTheModeTheReportAndTheNamedOptions() {
    RunArgs args = RunArgs.parse(new String[] {"--full", "--out", "x.md", "--only", "tags"}, "only");

    assertThat(args.mode()).isEqualTo(RunMode.FULL);
    assertThat(args.out()).isEqualTo(Path.of("x.md"));
    assertThat(args.options()).isEqualTo(Map.of("only", "tags"));
    assertThat(RunArgs.parse(new String[] {"--quick"}).out()).isNull();
  }

  @Test
  void refusesWhatItDoesNotKnowAndSaysWhatToWrite() {
    assertThatThrownBy(() -> RunArgs.parse(new String[] {"--out", "x.md"}))
        .hasMessageStartingWith("say --quick or --full");
    assertThatThrownBy(() -> RunArgs.parse(new String[] {"--quick", "--only", "tags"}))
        .hasMessageStartingWith("unknown argument '--only'; use --quick or --full [--out FILE]");
    assertThatThrownBy(() -> RunArgs.parse(new String[] {"--quick", "--only"}, "only"))
        .hasMessageStartingWith("--only needs a value");
  }
}
