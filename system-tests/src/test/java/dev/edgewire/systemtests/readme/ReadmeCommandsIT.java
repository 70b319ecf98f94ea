package dev.edgewire.systemtests.readme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgewire.systemtests.clients.Watcher;
import dev.edgewire.systemtests.readme.ReadmeBlocks.Block;
import dev.edgewire.systemtests.readme.Shell.Run;
import dev.edgewire.systemtests.target.Outputs;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The commands a new user copies against local mode, run as they are written: the README's blocks marked
 * {@code <!-- runs-against-local-mode -->}, read from the README itself, and the commands local mode's
 * start-up banner prints, read from its output. Local mode is started with the README's own run command
 * ({@code local/bin/edgewire-local}) in a scratch folder laid out as the checkout (its {@code .local/} fresh),
 * so the relative paths in the commands hold.
 *
 * <p>What the test changes in a command, and only that, is printed with it: the default ports (8080, 8883,
 * 8443, which may be taken on a build machine) become the ones local mode got, {@code <id>} becomes a live
 * connection id, the banner's 30 s simulation runs for {@value #SIMULATE_DURATION}. The launchers' build step
 * is a no-op here ({@code mvnw} in the scratch folder): the build that runs this test has just built what
 * they would build.
 */
class ReadmeCommandsIT {

    private static final String MARKER = "runs-against-local-mode";
    private static final String RUN_COMMAND = "local/bin/edgewire-local";
    /** Port 0: free ports, which the outputs file names; the commands' default ports are rewritten to them. */
    private static final String START_FLAGS = " --mqtt-port 0 --https-port 0 --ws-port 0";
    private static final String SIMULATE_DURATION = "3s";

    /** The sections a user works through in a checkout: each of their shell blocks runs here, or is excluded below. */
    private static final Set<String> LOCAL_SECTIONS = Set.of("The two commands", "Local mode", "Device client",
            "WebSocket clients (wscat, Postman)");
    /** Shell blocks of those sections that this test does not run, by first line, and why. */
    private static final Map<String, String> EXCLUDED = Map.of(
            "./mvnw verify", "the whole build, of which this test is a part",
            "./mvnw -B -pl device-client -am package -DskipTests",
            "builds the device client with Maven, as the build running this test just did; its --help lines need no server",
            "device-client/bin/edgewire-device subscribe --outputs outputs.json --client-id watcher --topic 'devices/+/telemetry' --count 3",
            "written for a plain MQTT broker (the paragraph above it says so): client id 'watcher' and a wildcard filter "
                    + "are outside the things' IoT policy, which local mode enforces as IoT Core does",
            "device-client/bin/edgewire-device ws --outputs outputs.json",
            "the same command against a stand-in server; against local mode it is the one in \"WebSocket clients\", which runs",
            "device-client/bench/compare.sh 100000 2000 3",
            "a benchmark of several minutes with its own Mosquitto broker and nginx, not local mode");
    /** Envelope fields whose value differs on every run: a transcript shows an example, the type must match. */
    private static final Set<String> PER_RUN_FIELDS = Set.of("id", "from", "sentAt", "receivedAt", "traceId", "requestId");
    private static final List<String> TOOLS = List.of("bash", "node", "jq", "aws", "curl", "mosquitto_pub", "mosquitto_sub");
    /** The observer's client id, which local mode names in its outputs ({@code ObserverClientId}). */
    private static final String OBSERVER = "-i edgewire.observer";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path root;
    static Path scratch;
    static List<Block> blocks;
    static Shell shell;
    static Run localMode;
    static final Map<Block, CompletableFuture<List<String>>> otherStarts = new LinkedHashMap<>();
    static Outputs outputs;
    static Map<String, String> rewrites;
    static URI stage;
    static Watcher watcher;

    @BeforeAll
    static void startLocalModeAsTheReadmeSays() throws Exception {
        Assumptions.assumeTrue("local".equals(System.getProperty("edgewire.target", "local")),
                "the README's local-mode commands run against local mode; -Paws targets a deployed stack");
        List<String> missing = TOOLS.stream().filter(t -> !onPath(t)).toList();
        if (System.getenv("CI") == null) {
            Assumptions.assumeTrue(missing.isEmpty(), "not installed: " + missing + " (the README's commands use them)");
        }
        assertThat(missing).as("CI installs jq, the AWS CLI, curl and mosquitto-clients").isEmpty();

        root = Path.of(System.getProperty("edgewire.root", "..")).toAbsolutePath().normalize();
        blocks = ReadmeBlocks.parse(Files.readString(root.resolve("README.md")));
        Path work = Path.of("target", "readme-commands").toAbsolutePath();
        scratch = checkout(work.resolve("checkout"));
        shell = new Shell(scratch, environment(scratch));

        Block start = blocks.stream().filter(b -> b.marked(MARKER) && b.script().equals(RUN_COMMAND)).findFirst()
                .orElseThrow(() -> new AssertionError("README.md has no block '" + RUN_COMMAND + "' marked <!-- " + MARKER + " -->"));
        localMode = shell.start("local mode", announce(start, start.script() + START_FLAGS));
        // Further starts (other flags) run beside it, each in a checkout of its own, and are checked below.
        for (Block other : blocks.stream().filter(b -> b.marked(MARKER) && b != start
                && b.script().startsWith(RUN_COMMAND)).toList()) {
            Path dir = checkout(work.resolve("start-line-" + other.line()));
            Run run = new Shell(dir, environment(dir)).start("local mode, README line " + other.line(),
                    announce(other, other.script() + START_FLAGS));
            // Up, then Ctrl-C, while the tests below run: what it printed is checked at the end.
            otherStarts.put(other, CompletableFuture.supplyAsync(() -> {
                try (run) {
                    run.awaitLine("the banner", l -> l.startsWith("Ctrl-C stops everything"), START_TIMEOUT);
                    run.stop();
                    return run.lines();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }));
        }
        localMode.awaitLine("the banner", l -> l.startsWith("Ctrl-C stops everything"), START_TIMEOUT);

        outputs = Outputs.read(scratch.resolve(".local/outputs.json"));
        URI callback = URI.create(outputs.require("CallbackUrl"));
        rewrites = new LinkedHashMap<>();
        rewrites.put("127.0.0.1:8080", callback.getAuthority());
        rewrites.put("localhost:8443", "localhost:" + outputs.require("HttpsPort"));
        rewrites.put("localhost:8883", "localhost:" + outputs.require("MqttPort"));
        rewrites.put("-p 8883 ", "-p " + outputs.require("MqttPort") + " ");
        stage = URI.create(outputs.require("WebSocketUrl") + callback.getPath() + "?token=" + outputs.require("Token"));
        watcher = Watcher.connect(stage, Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        for (CompletableFuture<List<String>> start : otherStarts.values()) {
            try {
                start.get(START_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException failed) {
                // The test of the other starts reports it.
            }
        }
        if (localMode != null) {
            localMode.close();
        }
    }

    @Test
    void everyShellBlockOfTheLocalSections_runsHereOrIsExcludedWithAReason() {
        List<String> problems = new ArrayList<>();
        for (Block block : blocks) {
            boolean marked = block.marked(MARKER);
            boolean excluded = EXCLUDED.containsKey(block.firstLine());
            if (marked && excluded) {
                problems.add(block + ": marked to run and excluded");
            } else if (!marked && !excluded && block.language().equals("sh") && LOCAL_SECTIONS.contains(block.section())) {
                problems.add(block + ": neither marked <!-- " + MARKER + " --> nor excluded in " + getClass().getSimpleName());
            }
        }
        EXCLUDED.keySet().stream().filter(first -> blocks.stream().noneMatch(b -> b.firstLine().equals(first)))
                .forEach(first -> problems.add("excluded, but in no block of the README any more: " + first));
        assertThat(problems).isEmpty();
    }

    @Test
    void readmeBlocks_runAgainstLocalMode_andDoWhatTheReadmeShows() throws Exception {
        List<Block> marked = blocks.stream().filter(b -> b.marked(MARKER) && !b.script().startsWith(RUN_COMMAND)).toList();
        assertThat(marked).as("marked blocks besides the run command").isNotEmpty();
        List<String> failures = new ArrayList<>();
        for (Block block : marked) {
            try {
                runReadmeBlock(block);
            } catch (AssertionError | Exception e) {
                failures.add(block + "\n" + e.getMessage());
            }
        }
        assertThat(failures).as("README blocks that did not do what the README shows").isEmpty();
    }

    @Test
    void otherLocalModeStarts_sayWhatTheirFlagsDo_andStopOnCtrlC() throws Exception {
        for (Map.Entry<Block, CompletableFuture<List<String>>> start : otherStarts.entrySet()) {
            String script = start.getKey().script();
            List<String> lines = start.getValue().get(START_TIMEOUT.toSeconds() + 60, TimeUnit.SECONDS);
            assertThat(lines).as("what %s printed", start.getKey()).contains("Stopped.");
            flag(script, "--shard-size").ifPresent(n -> assertThat(lines)
                    .anyMatch(l -> l.startsWith("Fan-out: shards of " + n + " connections")));
            flag(script, "--fail-workers").ifPresent(n -> assertThat(lines)
                    .anyMatch(l -> l.startsWith("FAULT INJECTION (--fail-workers " + n + ")")));
        }
    }

    @Test
    void bannerCommands_runAgainstLocalMode_andReachEachOther() throws Exception {
        List<String> banner = localMode.lines();
        int tryIt = banner.indexOf("Try it (each in its own terminal):");
        assertThat(tryIt).as("the banner's 'Try it' list in:\n%s", localMode.output()).isNotNegative();
        List<String> commands = new ArrayList<>();
        String typed = null;
        for (String line : banner.subList(tryIt + 1, banner.size())) {
            if (line.startsWith("then, in wscat:")) {
                typed = line.substring("then, in wscat:".length()).trim();
                break;
            }
            commands.add(line.trim());
        }
        assertThat(typed).as("what the banner says to type in wscat").isNotNull();
        int aws = IntStream.range(0, banner.size()).filter(i -> banner.get(i).contains("AWS SDKs, CLI")).findFirst().orElse(-1);
        assertThat(aws).as("the banner's AWS CLI lines").isNotNegative();
        List<String> awsLines = banner.subList(aws + 1, banner.size()).stream().takeWhile(l -> l.startsWith("    "))
                .map(String::trim).toList();
        assertThat(awsLines).as("the banner's AWS CLI lines").isNotEmpty();

        String wscat = one(commands, c -> c.startsWith("node_modules/.bin/wscat "));
        String subscribe = one(commands, c -> c.startsWith("device-client/bin/edgewire-device subscribe "));
        String mosquittoSub = one(commands, c -> c.startsWith("mosquitto_sub ") && !c.contains(OBSERVER));
        String observerSub = one(commands, c -> c.startsWith("mosquitto_sub ") && c.contains(OBSERVER));
        String simulate = one(commands, c -> c.startsWith("device-client/bin/edgewire-device simulate "));
        List<String> publishers = commands.stream().filter(c -> c.startsWith("device-client/bin/edgewire-device publish ")
                || c.startsWith("mosquitto_pub ") || c.startsWith("curl ")).toList();
        List<String> unknown = commands.stream().filter(c -> !publishers.contains(c)
                && !List.of(wscat, subscribe, mosquittoSub, observerSub, simulate).contains(c)).toList();
        assertThat(unknown).as("banner commands this test does not know how to run and check: add them").isEmpty();
        assertThat(publishers).hasSize(3);

        try (Run ws = shell.start("banner: wscat", announce("banner", wscat));
             Run sub = shell.start("banner: edgewire-device subscribe", announce("banner", subscribe));
             Run mqttSub = shell.start("banner: mosquitto_sub", announce("banner", mosquittoSub));
             Run observer = shell.start("banner: mosquitto_sub as the observer", announce("banner", observerSub))) {
            sub.awaitLine("its subscription", l -> l.startsWith("subscribed to "), COMMAND_TIMEOUT);
            // wscat and mosquitto_sub say nothing when they are in: type until everyone has the message.
            String message = JSON.readTree(typed).path("message").asText();
            String line = typed;
            await("'" + typed + "' typed in wscat, at wscat and both MQTT subscribers").atMost(COMMAND_TIMEOUT)
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        if (envelopes(ws).stream().noneMatch(e -> message.equals(e.path("message").asText()))) {
                            ws.type(line);
                            return false;
                        }
                        return sub.output().contains(message) && mqttSub.output().contains(message);
                    });
            String connectionId = envelopes(ws).stream().filter(e -> message.equals(e.path("message").asText()))
                    .findFirst().orElseThrow().path("from").asText();

            Map<String, Integer> expected = new HashMap<>();
            for (String publisher : publishers) {
                Run run = shell.run("banner: " + publisher.split(" ")[0], announce("banner", publisher), COMMAND_TIMEOUT);
                if (publisher.startsWith("curl ")) {
                    assertThat(run.output()).as("curl's answer").contains("\"message\":\"OK\"");
                }
                expected.merge(publishingThing(publisher), 1, Integer::sum);
            }
            await("the banner's readings at wscat: " + expected).atMost(COMMAND_TIMEOUT).untilAsserted(() ->
                    expected.forEach((thing, count) -> assertThat(telemetryFrom(envelopes(ws), thing))
                            .as("readings of %s at wscat, which got:\n%s", thing, ws.output()).isGreaterThanOrEqualTo(count)));
            await("the banner's readings at the observer's mosquitto_sub: " + expected).atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> expected.forEach((thing, count) -> assertThat(observer.lines().stream()
                            .filter(l -> l.startsWith("devices/" + thing + "/telemetry ")).count())
                            .as("readings of %s at the observer, which got:\n%s", thing, observer.output())
                            .isGreaterThanOrEqualTo(count)));

            Run cli = shell.run("banner: AWS CLI", announce("banner",
                    String.join("\n", awsLines).replace("<id>", connectionId)), COMMAND_TIMEOUT);
            assertThat(cli.output()).as("get-connection of wscat's connection").contains("\"ConnectedAt\"");
            await("the AWS CLI's publish to general/outbound at both MQTT subscribers").atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertThat(List.of(sub.output(), mqttSub.output()))
                            .allSatisfy(out -> assertThat(out).contains("{\"hello\":1}")));

            // Everything at once, as the banner's "each in its own terminal" means: the simulation and a publisher
            // beside both subscribers. Each has a client id of its own, so no one takes another's session.
            int before = envelopes(ws).size();
            String shorter = simulate.replace("--duration 30s", "--duration " + SIMULATE_DURATION);
            assertThat(shorter).as("the banner's simulation, shortened").isNotEqualTo(simulate);
            Run sim = shell.start("banner: simulate", announce("banner", shorter));
            String publisher = one(publishers, c -> c.startsWith("device-client/bin/edgewire-device publish "));
            shell.run("banner: publish beside simulate", announce("banner", publisher), COMMAND_TIMEOUT);
            sim.awaitSuccess(COMMAND_TIMEOUT);
            assertAllAcknowledged(sim, 1);
            assertThat(List.of(sub, mqttSub)).as("both subscribers still connected after the simulation")
                    .allSatisfy(run -> assertThat(run.isAlive()).isTrue());
            assertThat(sub.output()).as("the device client's subscriber").doesNotContain("Session taken over");
            int devices = Integer.parseInt(flag(simulate, "--devices").orElse("1"));
            await("the simulated devices' readings at wscat").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<JsonNode> all = envelopes(ws);
                List<JsonNode> after = all.subList(before, all.size());
                for (int i = 1; i <= devices; i++) {
                    assertThat(telemetryFrom(after, "thing-" + i)).as("readings of thing-%d", i).isPositive();
                }
            });
        }
    }

    private void runReadmeBlock(Block block) throws Exception {
        String script = block.script();
        for (Map.Entry<String, String> port : rewrites.entrySet()) {
            script = script.replace(port.getKey(), port.getValue());
        }
        if (script.contains("apigatewaymanagementapi get-connection")) {
            script = script.replace("<id>", watcher.connectionId());
            Run run = shell.run("README line " + block.line(), announce(block, script), COMMAND_TIMEOUT);
            assertThat(run.output()).as("get-connection's answer").contains("\"ConnectedAt\"");
        } else if (script.contains("aws sqs list-queues")) {
            Run run = shell.run("README line " + block.line(), announce(block, script), COMMAND_TIMEOUT);
            assertThat(run.output()).as("the queues and the readings queue's attributes").contains(
                    outputs.require("ReadingsQueueUrl"), outputs.require("ReadingsDeadLettersQueueUrl"),
                    outputs.require("FailedDeliveriesQueueUrl"), outputs.require("FailedInvocationsQueueUrl"),
                    "\"ApproximateNumberOfMessages\"");
        } else if (script.contains("edgewire-device keys create")) {
            shell.run("README line " + block.line(), announce(block, script), COMMAND_TIMEOUT);
            String thing = flag(script, "--thing").orElseThrow();
            Path dir = scratch.resolve(flag(script, "--dir").orElseThrow());
            assertThat(dir.resolve(thing + ".private.key")).exists();
            assertThat(dir.resolve(thing + ".csr")).content().startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        } else if (script.contains("edgewire-device simulate")) {
            int before = watcher.envelopes().size();
            Run run = shell.run("README line " + block.line(), announce(block, script), Duration.ofSeconds(90));
            assertAllAcknowledged(run, (int) script.lines().filter(l -> l.contains("simulate")).count());
            int devices = script.lines().map(l -> flag(l, "--devices").map(Integer::parseInt).orElse(1))
                    .max(Integer::compare).orElse(1);
            await("the simulated devices' readings at a WebSocket client").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<JsonNode> all = watcher.envelopes();
                List<JsonNode> after = all.subList(before, all.size());
                for (int i = 1; i <= devices; i++) {
                    assertThat(telemetryFrom(after, "thing-" + i)).as("readings of thing-%d", i).isPositive();
                }
            });
        } else if (script.startsWith("mosquitto_sub ") && script.contains(OBSERVER)) {
            // It says nothing when it is in: a thing publishes until the observer has printed its reading.
            String reading = "{\"deviceId\":\"thing-1\",\"seq\":" + block.line() + "}";
            String publish = "mosquitto_pub -h localhost -p " + outputs.require("MqttPort")
                    + " --cafile .local/certs/ca.pem --cert .local/certs/things/thing-1/certificate.pem"
                    + " --key .local/certs/things/thing-1/private.key -i thing-1 -q 1 -t devices/thing-1/telemetry -m '"
                    + reading + "'";
            try (Run run = shell.start("README line " + block.line(), announce(block, script))) {
                await("a reading of thing-1 at the observer, README line " + block.line()).atMost(COMMAND_TIMEOUT)
                        .pollInterval(Duration.ofSeconds(2)).until(() -> {
                            if (run.lines().contains("devices/thing-1/telemetry " + reading)) {
                                return true;
                            }
                            shell.run("a reading for README line " + block.line(), announce(block, publish), COMMAND_TIMEOUT);
                            return false;
                        });
            }
        } else if (script.contains("wscat") && !block.typed().isEmpty()) {
            runTranscript(block, script);
        } else if (script.contains("edgewire-device ws ")) {
            try (Run run = shell.start("README line " + block.line(), announce(block, script))) {
                run.awaitLine("its connection", l -> l.startsWith("connected to "), COMMAND_TIMEOUT);
                String message = "hello from README line " + block.line();
                run.type(message);
                run.awaitLine("the message echoed as an envelope",
                        l -> l.contains("\"type\":\"message\"") && l.contains("\"message\":\"" + message + "\""), COMMAND_TIMEOUT);
                run.closeInput();
                run.awaitSuccess(COMMAND_TIMEOUT);
            }
        } else if (script.contains("edgewire-device token")) {
            Run run = shell.run("README line " + block.line(), announce(block, script), COMMAND_TIMEOUT);
            String token = run.lines().getLast().trim();
            String subject = flag(script, "--subject").orElseThrow();
            assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
                    .as("the subject of %s", token).isEqualTo(subject);
            assertThat(Watcher.refusal(URI.create(stage.toString().replaceFirst("token=.*", "token=" + token)),
                    Duration.ofSeconds(15))).as("the stage's answer to the minted token").isEmpty();
        } else {
            fail("no check for this block in " + getClass().getSimpleName() + ": add one that says what the README promises");
        }
    }

    /** Types the transcript's {@code > } lines until each {@code < } line's envelope has arrived, then Ctrl-D. */
    private void runTranscript(Block block, String script) throws Exception {
        List<JsonNode> shown = new ArrayList<>();
        for (String received : block.received()) {
            shown.add(JSON.readTree(received));
        }
        assertThat(shown).as("the transcript's received lines").isNotEmpty();
        try (Run run = shell.start("README line " + block.line(), announce(block, script))) {
            // wscat says nothing when it is in without a terminal, and drops what was typed before.
            await("the transcript's '< ' lines from README line " + block.line()).atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                        List<JsonNode> got = envelopes(run);
                        if (!shown.stream().allMatch(s -> got.stream().anyMatch(g -> sameShape(s, g)))) {
                            for (String line : block.typed()) {
                                run.type(line);
                            }
                            fail("envelopes of the shape of %s; the command printed:%n%s", block.received(), run.output());
                        }
                    });
            run.closeInput();
            run.awaitSuccess(COMMAND_TIMEOUT);
        }
    }

    /** The same fields; the same values but for those that differ on every run, which have the same type. */
    static boolean sameShape(JsonNode shown, JsonNode got) {
        Set<String> names = new TreeSet<>();
        shown.fieldNames().forEachRemaining(names::add);
        Set<String> gotNames = new TreeSet<>();
        got.fieldNames().forEachRemaining(gotNames::add);
        return names.equals(gotNames) && names.stream().allMatch(n -> PER_RUN_FIELDS.contains(n)
                ? shown.get(n).getNodeType() == got.get(n).getNodeType()
                : shown.get(n).equals(got.get(n)));
    }

    private static void assertAllAcknowledged(Run run, int summaries) {
        Pattern text = Pattern.compile("generated (\\d+), resumed (\\d+), sent \\d+, acked (\\d+), failed (\\d+), .*pending (\\d+),");
        int found = 0;
        for (String line : run.lines()) {
            Matcher m = text.matcher(line);
            long generated;
            long resumed;
            long acked;
            long failed;
            long pending;
            if (m.find()) {
                generated = Long.parseLong(m.group(1));
                resumed = Long.parseLong(m.group(2));
                acked = Long.parseLong(m.group(3));
                failed = Long.parseLong(m.group(4));
                pending = Long.parseLong(m.group(5));
            } else if (line.startsWith("{") && line.contains("\"acked\"")) {
                JsonNode summary = parse(line).orElseThrow();
                generated = summary.path("generated").asLong();
                resumed = summary.path("resumed").asLong();
                acked = summary.path("acked").asLong();
                failed = summary.path("failed").asLong();
                pending = summary.path("pending").asLong();
            } else {
                continue;
            }
            found++;
            assertThat(acked).as("acknowledged readings in: %s", line).isPositive().isEqualTo(generated + resumed);
            assertThat(failed + pending).as("failed and pending readings in: %s", line).isZero();
        }
        assertThat(found).as("simulation summaries in:\n%s", run.output()).isEqualTo(summaries);
    }

    /** The envelopes a client printed (wscat prefixes them with its prompt); a batch counts as its items. */
    private static List<JsonNode> envelopes(Run run) {
        List<JsonNode> envelopes = new ArrayList<>();
        for (String line : run.lines()) {
            int brace = line.indexOf('{');
            Optional<JsonNode> envelope = brace < 0 ? Optional.empty() : parse(line.substring(brace));
            envelope.ifPresent(e -> {
                if ("batch".equals(e.path("type").asText())) {
                    e.path("items").forEach(envelopes::add);
                } else {
                    envelopes.add(e);
                }
            });
        }
        return envelopes;
    }

    private static long telemetryFrom(List<JsonNode> envelopes, String thing) {
        return envelopes.stream().filter(e -> "telemetry".equals(e.path("type").asText())
                && thing.equals(e.path("deviceId").asText())).count();
    }

    /** The thing a banner publisher publishes as: its topic's, or the device client's --thing. */
    private static String publishingThing(String command) {
        Matcher topic = Pattern.compile("devices(?:/|%2F)([^/%\\s]+)(?:/|%2F)telemetry").matcher(command);
        if (topic.find()) {
            return topic.group(1);
        }
        return flag(command, "--thing").orElseThrow(() -> new AssertionError("no thing in: " + command));
    }

    private static Optional<JsonNode> parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static Optional<String> flag(String command, String name) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(name) + "[ =](\\S+)").matcher(command);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String one(List<String> commands, Predicate<String> matching) {
        List<String> found = commands.stream().filter(matching).toList();
        assertThat(found).as("one such banner command among %s", commands).hasSize(1);
        return found.getFirst();
    }

    /** Prints what runs, as run: the README's or the banner's text with this test's rewrites applied. */
    private static String announce(Object source, String script) {
        System.out.println("[readme-commands] " + source + "\n  as run: " + script.replace("\n", "\n          "));
        return script;
    }

    /**
     * A folder laid out as the checkout, as the README's commands expect it: the launchers, the device client,
     * local mode and node_modules linked from the checkout; {@code .local/} and everything the commands write
     * stay in it. Its {@code mvnw} does nothing: the build running this test has built what the launchers build.
     */
    private static Path checkout(Path dir) throws IOException {
        deleteTree(dir);
        Files.createDirectories(dir.resolve("home"));
        for (String name : List.of("bin", "local", "device-client", "node_modules", "package.json", "package-lock.json")) {
            Files.createSymbolicLink(dir.resolve(name), root.resolve(name));
        }
        Path mvnw = dir.resolve("mvnw");
        Files.writeString(mvnw, "#!/bin/sh\n# The build that runs ReadmeCommandsIT has built local mode and the device client.\n"
                + "echo \"mvnw $*\" >> \"$(dirname \"$0\")/mvnw.calls\"\n");
        mvnw.toFile().setExecutable(true);
        return dir;
    }

    /**
     * A new user's environment: no AWS or edgewire settings of the machine's, a home of its own (the device
     * client's outbox, the AWS CLI's files), the JDK this test runs on for the launchers.
     */
    private static Map<String, String> environment(Path dir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("EDGEWIRE_"));
        env.put("HOME", dir.resolve("home").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // A pyenv-installed AWS CLI finds itself through the real home unless told where it is.
        Path pyenv = Path.of(System.getProperty("user.home"), ".pyenv");
        if (!env.containsKey("PYENV_ROOT") && Files.isDirectory(pyenv)) {
            env.put("PYENV_ROOT", pyenv.toString());
        }
        return env;
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    /** Deletes a folder without following its links into the checkout. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
