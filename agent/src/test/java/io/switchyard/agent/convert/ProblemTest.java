package io.switchyard.agent.convert;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A problem is one line naming its object, however hostile the object's names are. */
class ProblemTest {

    @Test
    void plainNamesAreShownAsTheyAre() {
        assertThat(Problem.describe("Service", "demo", "web")).isEqualTo("Service demo/web");
        assertThat(Problem.describe("Node", null, "node-a.example")).isEqualTo("Node node-a.example");
        assertThat(Problem.describe("Service", "demo", null)).isEqualTo("Service demo/(unnamed)");
    }

    @Test
    void namesThatAreNotPlainAreQuotedAndEscaped() {
        assertThat(Problem.describe("Service", "de mo", "x\n-A INPUT -j DROP\n#"))
                .isEqualTo("Service \"de mo\"/\"x\\n-A INPUT -j DROP\\n#\"");
        assertThat(Problem.describe("Service", "demo", "Web")).isEqualTo("Service demo/\"Web\"");
        assertThat(Problem.describe("Service", "demo", "w".repeat(300)))
                .isEqualTo("Service demo/\"" + "w".repeat(64) + "\"... (300 characters)");
    }

    @Test
    void aProblemBuiltFromRawTextIsStillOneLine() {
        Problem problem = new Problem("/tmp/odd\nname.yaml", "cannot parse YAML: line 1\r\nline 2\u2028");

        assertThat(problem.toString()).isEqualTo("/tmp/odd\\nname.yaml: cannot parse YAML: line 1\\r\\nline 2\\u2028");
    }
}
