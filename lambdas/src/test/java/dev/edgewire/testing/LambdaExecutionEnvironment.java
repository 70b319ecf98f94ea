package dev.edgewire.testing;

import dev.edgewire.contract.Topology;
import dev.edgewire.standins.lambda.LambdaJvm;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * One Lambda execution environment on this machine: a function in its own JVM, started the way
 * Lambda's {@code java21} managed runtime starts it, and fed events through its own
 * {@link LambdaRuntimeApi}.
 *
 * <ul>
 *   <li>The shaded jar is unpacked into the task root, as Lambda unpacks a deployment package into
 *       {@code /var/task}; that is the working directory and {@code LAMBDA_TASK_ROOT}, and the
 *       runtime client loads the handler from it with its own class loader. Only the runtime client
 *       and its dependencies are on the JVM's class path, as in {@code /var/runtime/lib}.</li>
 *   <li>The runtime client, {@code com.amazonaws:aws-lambda-java-runtime-interface-client}, runs
 *       the handler string exactly as the stack declares it ({@link Topology.Function#handler()}).</li>
 *   <li>The environment holds only what Lambda sets (see {@link #lambdaVariables}) and what the
 *       caller passes: nothing leaks in from the machine running the tests.</li>
 * </ul>
 *
 * <p>The JVM is the one running the tests (Lambda's is Amazon Corretto 21).
 */
public final class LambdaExecutionEnvironment implements AutoCloseable {

    /** {@code AWS_LAMBDA_INITIALIZATION_TYPE}: how Lambda made the environment. */
    public enum InitType {
        ON_DEMAND("on-demand"),
        /** Restored from a snapshot: the runtime client runs the CRaC hooks around {@code restore/next}. */
        SNAP_START("snap-start");

        private final String value;

        InitType(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    public static final String REGION = "us-east-1";
    static final String ACCOUNT = "123456789012";
    private static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** The runtime client's jar and its dependencies, as its POM declares them. */
    private static final List<String> RUNTIME_CLASS_PATH = List.of("aws-lambda-java-runtime-interface-client",
            "aws-lambda-java-core", "aws-lambda-java-serialization", "utils-lite");
    /** The runtime client's system property for a JNI library it should load instead of unpacking its own to /tmp. */
    private static final String NATIVE_CLIENT_JNI = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    /** Generous: twelve JVMs starting together on a shared two-core machine have taken over 90 s. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofMinutes(3);
    private static final Path ROOT = Path.of("target", "lambda-runtime");

    /**
     * How many JVMs may be in their init at once; the others wait for a turn. On a quiet two-core
     * machine this changes nothing (twelve functions ready in about 20 s either way); on one busy
     * with other builds, twelve JVMs starting together took 71-77 s to be ready where three at a
     * time took 35-57 s, for about the same CPU time.
     */
    public static final int STARTING_AT_ONCE = Runtime.getRuntime().availableProcessors() + 1;
    /** Fair, so JVMs start in the order they were asked for. */
    private static final Semaphore STARTING = new Semaphore(STARTING_AT_ONCE, true);

    private static Layout layout;

    private final Topology.Function function;
    private final InitType initType;
    private final LambdaRuntimeApi runtimeApi;
    private final Path log;
    private final CompletableFuture<Process> process = new CompletableFuture<>();
    private volatile long startedNanos;

    private LambdaExecutionEnvironment(Topology.Function function, InitType initType, LambdaRuntimeApi runtimeApi, Path log) {
        this.function = function;
        this.initType = initType;
        this.runtimeApi = runtimeApi;
        this.log = log;
    }

    /**
     * Starts {@code function} when its turn comes ({@link #STARTING_AT_ONCE}) and returns at once;
     * its init runs while the caller goes on, and an {@link #invoke} waits for it.
     *
     * @param memoryMb the function's memory, which sets its heap as on Lambda
     * @param timeout the function's time limit, for the invocation deadline
     * @param variables the function's own environment (its {@link Topology.Env} variables, endpoint
     *                  overrides) and the credentials Lambda would give it; they take precedence
     */
    public static LambdaExecutionEnvironment start(Topology.Function function, InitType initType, int memoryMb,
                                                   Duration timeout, Map<String, String> variables) throws IOException {
        Layout paths = layout();
        String name = "edgewire-" + function.id();
        var runtimeApi = new LambdaRuntimeApi(
                "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name + ":live", timeout);
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags(memoryMb));
        command.add("-D" + NATIVE_CLIENT_JNI + "=" + paths.jniLibrary());
        command.add("-classpath");
        command.add(paths.runtimeClassPath());
        command.add(RUNTIME_CLIENT);
        command.add(function.handler());
        Path log = paths.logs().resolve(initType.value() + "-" + function.id() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(paths.taskRoot().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().clear();
        builder.environment().putAll(lambdaVariables(function, name, initType, memoryMb, runtimeApi, paths));
        builder.environment().putAll(variables);
        var environment = new LambdaExecutionEnvironment(function, initType, runtimeApi, log);
        Thread.ofVirtual().name("start " + environment).start(() -> environment.launch(builder));
        return environment;
    }

    /** Starts the JVM in its turn, and gives the turn on when its init is done or it has exited. */
    private void launch(ProcessBuilder builder) {
        try {
            STARTING.acquire();
        } catch (InterruptedException e) {
            process.completeExceptionally(e);
            return;
        }
        Process started;
        synchronized (this) {
            if (process.isDone()) {
                STARTING.release(); // closed before its turn came
                return;
            }
            try {
                startedNanos = System.nanoTime();
                started = builder.start();
            } catch (IOException | RuntimeException e) {
                STARTING.release();
                process.completeExceptionally(e);
                return;
            }
            process.complete(started);
        }
        CompletableFuture.anyOf(runtimeApi.firstPoll(), started.onExit()).whenComplete((done, failure) -> STARTING.release());
    }

    /**
     * The JVM flags of Lambda's Java 17 and 21 runtimes. The AWS Lambda Developer Guide, "Customize
     * Java runtime startup behavior for Lambda functions", documents that they stop tiered
     * compilation at level 1 and use the serial collector. The rest is not documented by AWS; it is
     * what the runtime's {@code java} command line shows on Lambda (as captured by wrapper scripts
     * that print it): the heap capped at 85% of the function's memory, class data sharing,
     * {@code --add-opens} for the runtime client, and {@code -Dorg.crac.Core.Compat}, which makes
     * {@code org.crac} register resources with the runtime client's own CRaC context, the one it
     * runs in {@code snap-start} mode. Left out: Lambda's Log4Shell hot-patch agent and its CDS
     * archive of the runtime's classes.
     */
    static List<String> jvmFlags(int memoryMb) {
        return List.of(
                "-XX:MaxHeapSize=" + (memoryMb * 1024L * 85 / 100) + "k",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac",
                "-XX:+ErrorFileToStderr");
    }

    /**
     * The variables Lambda defines for every function (AWS Lambda Developer Guide, "Defined runtime
     * environment variables"), except the credentials, which depend on the init type and come from
     * the caller. Two more keep the machine's own AWS setup out, since Lambda has none: profile
     * files that do not exist, and no instance metadata.
     */
    private static Map<String, String> lambdaVariables(Topology.Function function, String name, InitType initType,
                                                       int memoryMb, LambdaRuntimeApi runtimeApi, Layout paths) {
        Map<String, String> env = new HashMap<>();
        env.put("_HANDLER", function.handler());
        env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", name);
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        // Callers invoke the alias, which points at a published version (SnapStart only applies to those).
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy/MM/dd"))
                + "/[1]" + UUID.randomUUID().toString().replace("-", ""));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", initType.value());
        env.put("AWS_REGION", REGION);
        env.put("AWS_DEFAULT_REGION", REGION);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java21");
        env.put("LAMBDA_TASK_ROOT", paths.taskRoot().toString());
        env.put("LAMBDA_RUNTIME_DIR", paths.runtimeDir().toString());
        env.put("TZ", ":UTC");
        env.put("LANG", "en_US.UTF-8");
        env.put("PATH", "/usr/local/bin:/usr/bin/:/bin");
        env.put("AWS_CONFIG_FILE", paths.runtimeDir().resolve("no-config").toString());
        env.put("AWS_SHARED_CREDENTIALS_FILE", paths.runtimeDir().resolve("no-credentials").toString());
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        return env;
    }

    /**
     * Queues {@code event} and waits for the runtime's answer. Fails at once, with the function's
     * output, when the runtime reports a failed init or restore, or its JVM exits.
     */
    public LambdaRuntimeApi.Outcome invoke(String event) {
        CompletableFuture<LambdaRuntimeApi.Outcome> answer = runtimeApi.invoke(event);
        CompletableFuture<Process> exited = process.thenCompose(Process::onExit);
        try {
            CompletableFuture.anyOf(answer, runtimeApi.startFailure(), exited)
                    .get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(this + " did not answer within " + ANSWER_TIMEOUT + "; its output:\n" + output());
        } catch (ExecutionException e) {
            throw new IllegalStateException(this + " could not be started", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (answer.isDone()) {
            return answer.join();
        }
        if (runtimeApi.startFailure().isDone()) {
            throw new IllegalStateException(this + " reported a failed start: " + runtimeApi.startFailure().join()
                    + "\nits output:\n" + output());
        }
        throw new IllegalStateException(this + " exited with " + exited.join().exitValue() + " before answering; its output:\n" + output());
    }

    /** From the JVM's start to the runtime's first poll for an event, if it has polled yet. */
    public Optional<Duration> initDurationIfDone() {
        Long polled = runtimeApi.firstPoll().getNow(null);
        return Optional.ofNullable(polled).map(at -> Duration.ofNanos(at - startedNanos));
    }

    /** CPU time the JVM has used so far, where the platform reports it; empty before it starts and after it exits. */
    public Optional<Duration> cpuTime() {
        return startedProcess().flatMap(p -> p.info().totalCpuDuration());
    }

    private Optional<Process> startedProcess() {
        return process.isDone() && !process.isCompletedExceptionally() ? Optional.of(process.join()) : Optional.empty();
    }

    /** The file that holds {@link #output()}. */
    public Path logFile() {
        return log;
    }

    /** The Runtime API calls the runtime made, in order ({@link LambdaRuntimeApi#calls()}). */
    public List<String> runtimeApiCalls() {
        return runtimeApi.calls();
    }

    /** What the function and the runtime client wrote to stdout and stderr so far (Lambda's log stream). */
    public String output() {
        if (!Files.exists(log)) {
            return "";
        }
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return function.id() + " (" + initType.value() + ")";
    }

    @Override
    public void close() {
        synchronized (this) {
            process.cancel(false); // when it has not started yet, it never will
        }
        try {
            Optional<Process> started = startedProcess();
            if (started.isPresent()) {
                Process jvm = started.get();
                jvm.destroy();
                if (!jvm.waitFor(5, TimeUnit.SECONDS)) {
                    jvm.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            startedProcess().ifPresent(Process::destroyForcibly);
            Thread.currentThread().interrupt();
        } finally {
            runtimeApi.close();
        }
    }

    /** Where things are on this machine: Lambda's {@code /var/task} and {@code /var/runtime}, and the logs. */
    private record Layout(Path taskRoot, Path runtimeDir, Path jniLibrary, String runtimeClassPath, Path logs) {
    }

    /**
     * Unpacks the shaded jar into the task root, once per test run, unless the task root already
     * holds this very jar; {@link #start} does it when nothing has yet.
     */
    public static void unpackShadedJar() throws IOException {
        layout();
    }

    /** Made once per test run: the shaded jar unpacked, the runtime client's JNI library beside it. */
    private static synchronized Layout layout() throws IOException {
        if (layout == null) {
            Path root = ROOT.toAbsolutePath();
            Path taskRoot = root.resolve("task");
            // Unpacking some 9,000 files takes seconds on a busy machine; the build reshades the jar
            // every time, so its content, not its date, says whether the task root is current.
            Path jar = LambdaJvm.shadedJar(Path.of("target"));
            String digest = sha256(jar);
            Path unpacked = root.resolve("task.sha256");
            if (!Files.isRegularFile(unpacked) || !Files.readString(unpacked).equals(digest)) {
                deleteRecursively(root);
                unpack(jar, Files.createDirectories(taskRoot));
                Files.writeString(unpacked, digest);
            }
            Path runtimeDir = Files.createDirectories(root.resolve("runtime"));
            List<Path> runtimeJars = RUNTIME_CLASS_PATH.stream().map(LambdaJvm::classPathJar).toList();
            Path jni = extractJniLibrary(runtimeJars.getFirst(), runtimeDir);
            String classPath = String.join(File.pathSeparator, runtimeJars.stream().map(Path::toString).toList());
            layout = new Layout(taskRoot, runtimeDir, jni, classPath, Files.createDirectories(root.resolve("logs")));
        }
        return layout;
    }

    private static void unpack(Path jar, Path into) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("entry outside the task root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
    }

    /**
     * The runtime client unpacks its JNI library to the fixed path {@code /tmp/.libaws-lambda-jni.so}
     * in every JVM it starts in, overwriting it, so JVMs starting together (or several checkouts on
     * one machine) would race on that file. Lambda's runtime instead names a library it ships, with
     * the client's {@value #NATIVE_CLIENT_JNI} property; so does this.
     */
    private static Path extractJniLibrary(Path runtimeClientJar, Path into) throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch_64";
            default -> throw new IllegalStateException("the Lambda runtime client has no JNI library for " + System.getProperty("os.arch"));
        };
        boolean musl;
        try (Stream<Path> lib = Files.list(Path.of("/lib"))) {
            musl = lib.anyMatch(p -> p.getFileName().toString().startsWith("ld-musl-"));
        }
        String name = "libaws-lambda-jni." + (musl ? "linux_musl-" : "linux-") + arch + ".so";
        try (ZipFile zip = new ZipFile(runtimeClientJar.toFile())) {
            ZipEntry entry = zip.getEntry("jni/" + name);
            if (entry == null) {
                throw new IllegalStateException(runtimeClientJar + " has no jni/" + name);
            }
            Path library = into.resolve(name);
            try (InputStream in = zip.getInputStream(entry)) {
                Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            }
            return library;
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
