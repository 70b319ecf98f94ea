package dev.edgewire.infra;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.encoders.DecoderException;
import software.constructs.Node;

/**
 * What one deployment is made of, read from CDK context ({@code cdk synth --context key=value},
 * {@code cdk.json} or {@code cdk.context.json}) and checked before anything is synthesised, so a
 * missing or wrong CSR or jar is reported as such and not as a CloudFormation failure half an hour
 * later.
 *
 * <p>The devices come from {@value #CSR_FILE}, one CSR for the thing {@value #THING_NAME}, or from
 * {@value #CSR_DIR}, a folder of CSRs, one thing per CSR named by its common name. A folder with
 * one CSR deploys what that CSR as {@value #CSR_FILE} does.
 *
 * @param devices the things to provision, in the order the outputs list them
 * @param stageName the WebSocket API stage
 * @param lambdaJar the shaded jar of the handlers
 * @param operations alarms' recipient, the fan-out's reserved concurrency and IoT Core's log level
 */
public record DeploymentSettings(List<DeviceCsr> devices, String stageName, Path lambdaJar, Operations operations) {

    /** Context key of the thing name of {@value #CSR_FILE} (default {@link Topology#DEFAULT_THING_NAME}). */
    public static final String THING_NAME = "thingName";
    /** Context key of the WebSocket stage name (default {@link Topology#DEFAULT_STAGE}). */
    public static final String STAGE = "stage";
    /** Context key of the path of one device's certificate signing request (PEM). This or {@value #CSR_DIR} is required. */
    public static final String CSR_FILE = "csrFile";
    /** Context key of a folder of certificate signing requests ({@code *.csr}, PEM), one per thing. */
    public static final String CSR_DIR = "csrDir";
    /** Context key of the path of the handlers' jar; system property {@value #LAMBDA_JAR_PROPERTY} is the fallback. */
    public static final String LAMBDA_JAR = "lambdaJar";
    /** System property the build sets to the jar it has just built. */
    public static final String LAMBDA_JAR_PROPERTY = "edgewire.lambdaJar";
    /** Context key of an email address that gets the alarms (optional: without it nobody is subscribed). */
    public static final String ALARM_EMAIL = "alarmEmail";
    /**
     * Context key of the fan-out's reserved concurrency: a number, or {@value #NONE} to reserve
     * nothing (default {@link FanOutConcurrency#DESIGNED}).
     */
    public static final String FAN_OUT_CONCURRENCY = "fanOutConcurrency";
    /**
     * Context key of the account's Lambda concurrency quota in the region (default
     * {@value FanOutConcurrency#DEFAULT_ACCOUNT_QUOTA}); the fan-out's reservation must leave
     * {@value FanOutConcurrency#UNRESERVED_MINIMUM} of it unreserved.
     */
    public static final String LAMBDA_CONCURRENCY_QUOTA = "lambdaConcurrencyQuota";
    /** Context key of IoT Core's default log level (default {@link IotLogging#DEFAULT_LEVEL}), or {@value #NONE}. */
    public static final String IOT_LOG_LEVEL = "iotLogLevel";
    /** The value that turns the reservation, or IoT Core's logging configuration, off. */
    public static final String NONE = "none";

    /** AWS IoT thing names: 1-128 of these characters. */
    private static final Pattern THING_NAME_PATTERN = Outputs.THING_NAME_PATTERN;
    private static final String THING_NAME_RULE = "1-128 of a-z A-Z 0-9 : _ -";
    /**
     * The shape of an email address, checked so that a typo fails here and not as a subscription
     * SNS can never confirm: one {@code @}, no spaces, a dot in the domain, at most 254 characters
     * (RFC 5321's limit on a path).
     */
    private static final Pattern EMAIL_PATTERN = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
    private static final int EMAIL_MAX_LENGTH = 254;
    /** API Gateway stage names. */
    private static final Pattern STAGE_NAME_PATTERN = Pattern.compile("[a-zA-Z0-9_-]{1,128}");
    private static final String BUILD_PROPERTIES = "build.properties";
    private static final String CSR_SUFFIX = ".csr";
    /** What the device client writes beside a CSR ({@code keys create}, {@code keys fetch-certificate}); never read here. */
    private static final List<String> DEVICE_FILE_SUFFIXES = List.of(".private.key", ".cert.pem");
    private static final String KEYS_CREATE = "device-client/bin/edgewire-device keys create";

    public DeploymentSettings {
        java.util.Objects.requireNonNull(operations, "operations");
        devices = List.copyOf(devices);
        require(!devices.isEmpty(), "no device to provision");
        require(devices.size() <= Topology.MAX_THINGS_PER_DEPLOYMENT, devices.size()
                + " things are more than one deployment provisions (" + Topology.MAX_THINGS_PER_DEPLOYMENT
                + "): CloudFormation allows 500 resources in a stack and each thing takes 4");
        Set<String> seen = new HashSet<>();
        for (DeviceCsr device : devices) {
            require(THING_NAME_PATTERN.matcher(device.thingName()).matches(), "thing name '" + device.thingName()
                    + "' is not a valid AWS IoT thing name (" + THING_NAME_RULE + ")");
            require(seen.add(device.thingName()), "thing '" + device.thingName() + "' is listed twice");
        }
        require(STAGE_NAME_PATTERN.matcher(stageName).matches(),
                "stage name '" + stageName + "' is not a valid API Gateway stage name (1-128 of a-z A-Z 0-9 _ -)");
        require(Files.isRegularFile(lambdaJar),
                "the handlers' jar " + lambdaJar + " does not exist; build it first: ./mvnw -B -pl lambdas package"
                        + " (or name another with --context " + LAMBDA_JAR + "=PATH)");
    }

    /** Reads the settings from a construct tree's context (the app's). */
    public static DeploymentSettings fromContext(Node node) {
        return from(key -> {
            Object value = node.tryGetContext(key);
            return value == null ? null : value.toString();
        });
    }

    /** Reads the settings from a context lookup (key to value, or null when absent). */
    static DeploymentSettings from(UnaryOperator<String> context) {
        String thingContext = context.apply(THING_NAME);
        String stageName = orDefault(context.apply(STAGE), Topology.DEFAULT_STAGE);
        String csrFile = orDefault(context.apply(CSR_FILE), null);
        String csrDir = orDefault(context.apply(CSR_DIR), null);
        require(csrFile == null || csrDir == null, "both " + CSR_FILE + " and " + CSR_DIR + " are given; name one"
                + " device's CSR with " + CSR_FILE + ", or a folder of CSRs (a fleet) with " + CSR_DIR);
        List<DeviceCsr> devices;
        if (csrDir != null) {
            require(thingContext == null || thingContext.isBlank(), THING_NAME + " is for " + CSR_FILE + " only; with "
                    + CSR_DIR + " each CSR's common name is its thing name, so leave " + THING_NAME + " out");
            devices = readCsrDir(Path.of(csrDir));
        } else {
            String thingName = orDefault(thingContext, Topology.DEFAULT_THING_NAME);
            require(THING_NAME_PATTERN.matcher(thingName).matches(), "thing name '" + thingName
                    + "' is not a valid AWS IoT thing name (" + THING_NAME_RULE + ")");
            devices = List.of(readCsrFile(csrFile, thingName));
        }
        String jar = orDefault(context.apply(LAMBDA_JAR),
                orDefault(System.getProperty(LAMBDA_JAR_PROPERTY), builtLambdaJar()));
        require(jar != null, "no handlers' jar: name it with --context " + LAMBDA_JAR + "=PATH");
        return new DeploymentSettings(devices, stageName, Path.of(jar), readOperations(context));
    }

    /**
     * What operating the deployment takes, besides the devices.
     *
     * @param alarmEmail who gets the alarms by email, if anyone
     * @param fanOutReservedConcurrency the fan-out's reserved concurrency, or empty to reserve none
     * @param iotLogLevel IoT Core's default log level ({@link IotLogging#LEVELS}), or empty to leave
     *     the account's logging configuration alone
     */
    public record Operations(Optional<String> alarmEmail, OptionalInt fanOutReservedConcurrency,
                             Optional<String> iotLogLevel) {
    }

    static Operations readOperations(UnaryOperator<String> context) {
        String email = orDefault(context.apply(ALARM_EMAIL), null);
        if (email != null) {
            email = email.strip();
            require(email.length() <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.matcher(email).matches(), "'" + email
                    + "' (context " + ALARM_EMAIL + ") is not an email address; alarms go to an address such as"
                    + " --context " + ALARM_EMAIL + "=someone@example.com");
        }
        String reserved = orDefault(context.apply(FAN_OUT_CONCURRENCY), Integer.toString(FanOutConcurrency.DESIGNED));
        int quota = positiveNumber(orDefault(context.apply(LAMBDA_CONCURRENCY_QUOTA),
                Integer.toString(FanOutConcurrency.DEFAULT_ACCOUNT_QUOTA)), LAMBDA_CONCURRENCY_QUOTA);
        OptionalInt reservation = NONE.equalsIgnoreCase(reserved.strip())
                ? OptionalInt.empty()
                : OptionalInt.of(FanOutConcurrency.check(positiveNumber(reserved, FAN_OUT_CONCURRENCY), quota));
        String level = orDefault(context.apply(IOT_LOG_LEVEL), IotLogging.DEFAULT_LEVEL).strip();
        Optional<String> iotLogLevel;
        if (NONE.equalsIgnoreCase(level)) {
            iotLogLevel = Optional.empty();
        } else {
            require(IotLogging.LEVELS.contains(level.toUpperCase(java.util.Locale.ROOT)), "'" + level + "' (context "
                    + IOT_LOG_LEVEL + ") is not an IoT Core log level: one of " + String.join(", ", IotLogging.LEVELS)
                    + ", or " + NONE + " to leave the account's IoT logging as it is");
            iotLogLevel = Optional.of(level.toUpperCase(java.util.Locale.ROOT));
        }
        return new Operations(Optional.ofNullable(email), reservation, iotLogLevel);
    }

    private static int positiveNumber(String value, String key) {
        try {
            int number = Integer.parseInt(value.strip());
            require(number > 0, "");
            return number;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' (context " + key + ") is not a positive whole number"
                    + (FAN_OUT_CONCURRENCY.equals(key) ? ", nor " + NONE : ""), e);
        }
    }

    private static DeviceCsr readCsrFile(String csrFile, String thingName) {
        require(csrFile != null,
                "no certificate signing request: each thing's certificate is made from its device's CSR, so the"
                        + " private key never leaves the device. Create the key and CSR with the device client,"
                        + " then name the CSR file, or for a fleet the folder of CSRs:\n  " + KEYS_CREATE + " --thing "
                        + thingName + " --dir DIR\n  cdk deploy --context " + CSR_FILE + "=DIR/" + thingName + CSR_SUFFIX
                        + "\n  " + KEYS_CREATE + " --devices N --dir DIR\n  cdk deploy --context " + CSR_DIR + "=DIR");
        Path csrPath = Path.of(csrFile);
        require(Files.isRegularFile(csrPath), "the CSR file " + csrPath.toAbsolutePath() + " (context "
                + CSR_FILE + ") does not exist; create it with: " + KEYS_CREATE + " --thing " + thingName
                + " --dir DIR");
        String pem = read(csrPath);
        String commonName;
        try {
            commonName = commonNameOf(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the CSR file " + csrPath + ": " + e.getMessage(), e);
        }
        require(thingName.equals(commonName),
                "the CSR's common name is '" + commonName + "' but the thing is '" + thingName
                        + "'; the IoT policy lets HTTPS publishers use only topics of their certificate's"
                        + " common name, so create the key and CSR for this thing: " + KEYS_CREATE + " --thing "
                        + thingName + " --dir DIR");
        return new DeviceCsr(thingName, pem);
    }

    /**
     * Every {@code *.csr} of the folder, one thing each, named by the CSR's common name and listed
     * in natural order (thing-2 before thing-10). Every problem of the folder is reported at once.
     */
    static List<DeviceCsr> readCsrDir(Path dir) {
        require(Files.isDirectory(dir), "the CSR folder " + dir.toAbsolutePath() + " (context " + CSR_DIR
                + ") does not exist or is not a folder; create the keys and CSRs of N devices with: "
                + KEYS_CREATE + " --devices N --dir DIR");
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(Files::isRegularFile)
                    .filter(f -> !f.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list the CSR folder " + dir + ": " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        List<String> strays = files.stream().map(f -> f.getFileName().toString())
                .filter(name -> !name.endsWith(CSR_SUFFIX) && DEVICE_FILE_SUFFIXES.stream().noneMatch(name::endsWith))
                .toList();
        if (!strays.isEmpty()) {
            problems.add("not a CSR (*" + CSR_SUFFIX + ") nor a key or certificate the device client writes beside"
                    + " one (*" + String.join(", *", DEVICE_FILE_SUFFIXES) + "): " + String.join(", ", strays)
                    + "; move it out of the folder");
        }
        Map<String, String> fileOfThing = new HashMap<>();
        List<DeviceCsr> devices = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!name.endsWith(CSR_SUFFIX)) {
                continue;
            }
            String pem;
            String commonName;
            try {
                pem = read(file);
                commonName = commonNameOf(pem);
            } catch (IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
                continue;
            }
            if (!THING_NAME_PATTERN.matcher(commonName).matches()) {
                problems.add(name + ": the common name '" + commonName + "' is not a valid AWS IoT thing name ("
                        + THING_NAME_RULE + ")");
            } else if (fileOfThing.containsKey(commonName)) {
                problems.add(fileOfThing.get(commonName) + " and " + name + " both have the common name '"
                        + commonName + "'; each thing needs its own key and CSR");
            } else {
                fileOfThing.put(commonName, name);
                devices.add(new DeviceCsr(commonName, pem));
            }
        }
        if (devices.isEmpty() && problems.isEmpty()) {
            problems.add("it holds no *" + CSR_SUFFIX + " file; create the keys and CSRs of N devices there with: "
                    + KEYS_CREATE + " --devices N --dir " + dir);
        }
        if (devices.size() > Topology.MAX_THINGS_PER_DEPLOYMENT) {
            problems.add("it holds " + devices.size() + " CSRs, more than one deployment provisions ("
                    + Topology.MAX_THINGS_PER_DEPLOYMENT + "): CloudFormation allows 500 resources in a stack and each"
                    + " thing takes 4; split the fleet over several folders and deployments");
        }
        require(problems.isEmpty(), "the CSR folder " + dir.toAbsolutePath() + " (context " + CSR_DIR
                + ") cannot be deployed:\n  - " + String.join("\n  - ", problems));
        return devices.stream().sorted(Comparator.comparing(DeviceCsr::thingName, DeploymentSettings::naturalOrder))
                .toList();
    }

    /** Names by their text without trailing digits, then by the number those digits make: thing-2 before thing-10. */
    static int naturalOrder(String a, String b) {
        String stemA = a.replaceFirst("[0-9]+$", "");
        String stemB = b.replaceFirst("[0-9]+$", "");
        int byStem = stemA.compareTo(stemB);
        if (byStem != 0) {
            return byStem;
        }
        BigInteger numberA = stemA.length() < a.length() ? new BigInteger(a.substring(stemA.length())) : BigInteger.ONE.negate();
        BigInteger numberB = stemB.length() < b.length() ? new BigInteger(b.substring(stemB.length())) : BigInteger.ONE.negate();
        int byNumber = numberA.compareTo(numberB);
        return byNumber != 0 ? byNumber : a.compareTo(b);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The jar the Maven build of this checkout produces (written into the class path at build time). */
    private static String builtLambdaJar() {
        try (InputStream in = DeploymentSettings.class.getResourceAsStream(BUILD_PROPERTIES)) {
            if (in == null) {
                return null;
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("lambda.jar");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + BUILD_PROPERTIES, e);
        }
    }

    private static String commonNameOf(String pem) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object parsed = parser.readObject();
            if (!(parsed instanceof PKCS10CertificationRequest request)) {
                throw new IllegalArgumentException("not a PEM certificate signing request"
                        + " (-----BEGIN CERTIFICATE REQUEST-----)");
            }
            RDN[] commonNames = request.getSubject().getRDNs(BCStyle.CN);
            require(commonNames.length == 1, "the CSR's subject must have exactly one common name (the thing name)");
            return IETFUtils.valueToString(commonNames[0].getFirst().getValue());
        } catch (IOException | DecoderException e) {
            throw new IllegalArgumentException("not a readable PEM certificate signing request: "
                    + e.getMessage(), e);
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
