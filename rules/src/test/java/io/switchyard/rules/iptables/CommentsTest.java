package io.switchyard.rules.iptables;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever text a comment carries, iptables-restore reads {@code -m comment --comment <it>} as
 * exactly those three words and the rest of the line untouched. The tokenizer below follows
 * iptables-restore's (split at blanks outside double quotes, a backslash escapes inside them, a
 * closing quote ends the argument, a newline or NUL ends the line).
 */
class CommentsTest {

    private static final String[] HOSTILE = {
            "plain", "two words", "x\n-A INPUT -j DROP\n#", "\" -j DROP \"", "back\\slash\\", "tab\there",
            "nul\0byte", "wéb\u2028", "\uD800", "COMMIT", "*nat", "-A", "'single'", "", "!", "x".repeat(5000),
            "ends with backslash \\",
    };

    @Test
    void aQuotedCommentIsOneArgumentWhateverItHolds() {
        for (String text : HOSTILE) {
            String line = "-A KUBE-SERVICES " + Comments.quoted(text) + " -j ACCEPT";

            List<String> argv = tokenize(line);

            assertThat(argv).as("comment %s", text).hasSize(8);
            assertThat(argv.subList(0, 4)).containsExactly("-A", "KUBE-SERVICES", "-m", "comment");
            assertThat(argv.get(4)).isEqualTo("--comment");
            assertThat(argv.get(5)).hasSizeLessThanOrEqualTo(Comments.MAX_LENGTH)
                    .matches("[ -~]*").doesNotContain("\"", "\\");
            assertThat(argv.subList(6, 8)).containsExactly("-j", "ACCEPT");
        }
    }

    @Test
    void aCommentKubeProxyWouldWriteComesOutUnchanged() {
        assertThat(Comments.quoted("ns1/svc1:p80 cluster IP")).isEqualTo("-m comment --comment \"ns1/svc1:p80 cluster IP\"");
        assertThat(Comments.quoted("ns1/svc1:p80 -> [fd00::1]:8080"))
                .isEqualTo("-m comment --comment \"ns1/svc1:p80 -> [fd00::1]:8080\"");
        assertThat(Comments.word("ns1/svc1:p80")).isEqualTo("-m comment --comment ns1/svc1:p80");
    }

    @ParameterizedTest
    @ValueSource(strings = {"two words", "x\n-A INPUT -j DROP\n#", "quote\"", "", "!", "tab\t", "wéb"})
    void aBareWordThatIsNotOneIsQuoted(String text) {
        assertThat(Comments.word(text)).isEqualTo(Comments.quoted(text));
    }

    @Test
    void unsafeCharactersBecomeQuestionMarksAndLongTextIsCut() {
        assertThat(Comments.safe("a\"b\\c\nd\u00e9")).isEqualTo("a?b?c?d?");
        assertThat(Comments.safe("x".repeat(300))).hasSize(Comments.MAX_LENGTH);
    }

    /** iptables-restore's argument splitting (xtables' add_param_to_argv), for one line. */
    private static List<String> tokenize(String line) {
        int end = line.length();
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '\n' || line.charAt(i) == '\0') {
                end = i;
                break;
            }
        }
        List<String> argv = new ArrayList<>();
        StringBuilder param = new StringBuilder();
        boolean quoted = false;
        boolean escaped = false;
        for (int i = 0; i < end; i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (escaped) {
                    param.append(c);
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    // A closing quote ends the argument, even an empty one.
                    quoted = false;
                    argv.add(param.toString());
                    param.setLength(0);
                } else {
                    param.append(c);
                }
                continue;
            }
            if (c == '"') {
                quoted = true;
            } else if (c == ' ' || c == '\t') {
                if (!param.isEmpty()) {
                    argv.add(param.toString());
                    param.setLength(0);
                }
            } else {
                param.append(c);
            }
        }
        if (!param.isEmpty()) {
            argv.add(param.toString());
        }
        return argv;
    }
}
