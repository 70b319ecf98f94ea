package dev.edgewire.infra;

import dev.edgewire.contract.Outputs;
import dev.edgewire.contract.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import software.constructs.Node;

/**
 * What one deployment is made of, read from CDK context ({@code cdk synth --context key=value},
 * {@code cdk.json} or {@code cdk.context.json}) and checked before anything is synthesised, so a
 * missing CSR or jar is reported as such and not as a CloudFormation failure half an hour later.
 *
 * @param thingName the IoT thing; also the common name of the device's certificate
 * @param stageName the WebSocket API stage
 * @param certificateSigningRequest the device's CSR, PEM
 * @param lambdaJar the shaded jar of the handlers
 */
public record DeploymentSettings(String thingName, String stageName, String certificateSigningRequest,
                                 Path lambdaJar) {

    /** Context key of the thing name (default {@link Topology#DEFAULT_THING_NAME}). */
    public static final String THING_NAME = "thingName";
    /** Context key of the WebSocket stage name (default {@link Topology#DEFAULT_STAGE}). */
    public static final String STAGE = "stage";
    /** Context key of the path of the device's certificate signing request (PEM). Required. */
    public static final String CSR_FILE = "csrFile";
    /** Context key of the path of the handlers' jar; system property {@value #LAMBDA_JAR_PROPERTY} is the fallback. */
    public static final String LAMBDA_JAR = "lambdaJar";
    /** System property the build sets to the jar it has just built. */
    public static final String LAMBDA_JAR_PROPERTY = "edgewire.lambdaJar";

    /** AWS IoT thing names: 1-128 of these characters. */
    private static final Pattern THING_NAME_PATTERN = Outputs.THING_NAME_PATTERN;
    /** API Gateway stage names. */
    private static final Pattern STAGE_NAME_PATTERN = Pattern.compile("[a-zA-Z0-9_-]{1,128}");
    private static final String BUILD_PROPERTIES = "build.properties";

    public DeploymentSettings {
        require(THING_NAME_PATTERN.matcher(thingName).matches(),
                "thing name '" + thingName + "' is not a valid AWS IoT thing name (1-128 of a-z A-Z 0-9 : _ -)");
        require(STAGE_NAME_PATTERN.matcher(stageName).matches(),
                "stage name '" + stageName + "' is not a valid API Gateway stage name (1-128 of a-z A-Z 0-9 _ -)");
        require(Files.isRegularFile(lambdaJar),
                "the handlers' jar " + lambdaJar + " does not exist; build it first: ./mvnw -B -pl lambdas package"
                        + " (or name another with --context " + LAMBDA_JAR + "=PATH)");
        String commonName = commonNameOf(certificateSigningRequest);
        require(thingName.equals(commonName),
                "the CSR's common name is '" + commonName + "' but the thing is '" + thingName
                        + "'; the IoT policy lets HTTPS publishers use only topics of their certificate's"
                        + " common name, so create the key and CSR for this thing: device-client/bin/edgewire-device keys create --thing "
                        + thingName + " --dir DIR");
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
        String thingName = orDefault(context.apply(THING_NAME), Topology.DEFAULT_THING_NAME);
        String stageName = orDefault(context.apply(STAGE), Topology.DEFAULT_STAGE);
        String csrFile = context.apply(CSR_FILE);
        require(csrFile != null && !csrFile.isBlank(),
                "no certificate signing request: the thing's certificate is made from the device's CSR, so the"
                        + " private key never leaves the device. Create the key and CSR with the device client,"
                        + " then name the CSR file:\n  device-client/bin/edgewire-device keys create --thing " + thingName
                        + " --dir DIR\n  cdk deploy --context " + CSR_FILE + "=DIR/" + thingName + ".csr");
        Path csrPath = Path.of(csrFile);
        require(Files.isRegularFile(csrPath), "the CSR file " + csrPath.toAbsolutePath() + " (context "
                + CSR_FILE + ") does not exist; create it with: device-client/bin/edgewire-device keys create --thing " + thingName
                + " --dir DIR");
        String csr;
        try {
            csr = Files.readString(csrPath, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the CSR file " + csrPath + ": " + e.getMessage(), e);
        }
        String jar = orDefault(context.apply(LAMBDA_JAR),
                orDefault(System.getProperty(LAMBDA_JAR_PROPERTY), builtLambdaJar()));
        require(jar != null, "no handlers' jar: name it with --context " + LAMBDA_JAR + "=PATH");
        return new DeploymentSettings(thingName, stageName, csr, Path.of(jar));
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
                throw new IllegalArgumentException("the CSR file does not hold a PEM certificate signing request"
                        + " (-----BEGIN CERTIFICATE REQUEST-----)");
            }
            RDN[] commonNames = request.getSubject().getRDNs(BCStyle.CN);
            require(commonNames.length == 1, "the CSR's subject must have exactly one common name (the thing name)");
            return IETFUtils.valueToString(commonNames[0].getFirst().getValue());
        } catch (IOException e) {
            throw new IllegalArgumentException("the CSR file is not a readable PEM certificate signing request: "
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
