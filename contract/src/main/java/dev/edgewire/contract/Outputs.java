package dev.edgewire.contract;

import java.util.regex.Pattern;

/**
 * The outputs file every tool reads, {@code {"<StackName>": {"<OutputKey>": "<value>"}}}: what
 * {@code cdk deploy --outputs-file} writes for a deployed stack and local mode writes for itself,
 * the key names, and the endpoint facts behind them.
 */
public final class Outputs {

    /** {@code wss://.../<stage>} on AWS; {@code ws://127.0.0.1:<port>} locally. */
    public static final String WEB_SOCKET_URL = "WebSocketUrl";
    /** Base URL of the {@code @connections} management API. */
    public static final String CALLBACK_URL = "CallbackUrl";
    /** IoT data-ATS host name ({@code localhost} locally). */
    public static final String IOT_ENDPOINT = "IotEndpoint";
    public static final String MQTT_PORT = "MqttPort";
    public static final String HTTPS_PORT = "HttpsPort";
    /** The thing (on AWS the first of {@link #THING_NAMES}). */
    public static final String THING_NAME = "ThingName";
    /** The certificate id of {@link #THING_NAME}. */
    public static final String CERTIFICATE_ID = "CertificateId";
    public static final String TABLE_NAME = "TableName";
    /** The Secrets Manager secret that signs WebSocket tokens (AWS only). */
    public static final String TOKEN_SECRET_ARN = "TokenSecretArn";
    /** Readings a topic rule could not send to the readings queue (the rules' error action). */
    public static final String FAILED_DELIVERIES_QUEUE_URL = "FailedDeliveriesQueueUrl";
    /** The queue between the topic rules and the fan-out ({@code Topology.ReadingsQueue}). */
    public static final String READINGS_QUEUE_URL = "ReadingsQueueUrl";
    /** Where the readings queue moves a reading after its last receive. */
    public static final String READINGS_DEAD_LETTERS_QUEUE_URL = "ReadingsDeadLettersQueueUrl";
    /** Continued broadcasts that failed every attempt (Lambda's on-failure destination of the fan-out). */
    public static final String FAILED_INVOCATIONS_QUEUE_URL = "FailedInvocationsQueueUrl";

    /** AWS only: the CloudWatch dashboard of the deployment, in the console of its region. */
    public static final String DASHBOARD_URL = "DashboardUrl";
    /** AWS only: the SNS topic every alarm notifies (subscribe more people to it). */
    public static final String ALARM_TOPIC_ARN = "AlarmTopicArn";

    /** Local only: the local CA's certificate, PEM. */
    public static final String CA_CERTIFICATE_FILE = "CaCertificateFile";
    /** Local only: the thing's certificate, PEM. */
    public static final String CERTIFICATE_FILE = "CertificateFile";
    /** Local only: the thing's private key, PEM. */
    public static final String PRIVATE_KEY_FILE = "PrivateKeyFile";
    /**
     * Every thing of the deployment, comma-separated, {@link #THING_NAME} first: on AWS each CSR's
     * common name, locally each thing local mode made a certificate for.
     */
    public static final String THING_NAMES = "ThingNames";
    /** AWS only: the certificate id of each thing of {@link #THING_NAMES}, comma-separated, in the same order. */
    public static final String CERTIFICATE_IDS = "CertificateIds";
    /** Local only: the folder with {@code <thing>/certificate.pem} and {@code <thing>/private.key} for each of them. */
    public static final String THING_CERTIFICATES_DIR = "ThingCertificatesDir";
    /**
     * Local only: the client id of the observer, the one identity that may subscribe to every device's
     * telemetry and commands topics and may publish nothing (on AWS: the console's MQTT test client).
     */
    public static final String OBSERVER_CLIENT_ID = "ObserverClientId";
    /** Local only: the observer's certificate, PEM. */
    public static final String OBSERVER_CERTIFICATE_FILE = "ObserverCertificateFile";
    /** Local only: the observer's private key, PEM. */
    public static final String OBSERVER_PRIVATE_KEY_FILE = "ObserverPrivateKeyFile";
    /** Local only: the DynamoDB-compatible store's URL. */
    public static final String DYNAMODB_ENDPOINT = "DynamoDbEndpoint";
    /** Local only: the SQS-compatible service's URL. */
    public static final String SQS_ENDPOINT = "SqsEndpoint";
    /** Local only: the AWS shared-credentials file with local mode's own key, under {@link #AWS_PROFILE}. */
    public static final String AWS_SHARED_CREDENTIALS_FILE = "AwsSharedCredentialsFile";
    /** Local only: the AWS config file that gives {@link #AWS_PROFILE} its region. */
    public static final String AWS_CONFIG_FILE = "AwsConfigFile";
    /** Local only: the profile name in those files. */
    public static final String AWS_PROFILE = "AwsProfile";
    /** Local only: a valid WebSocket token. */
    public static final String TOKEN = "Token";

    /** AWS IoT Core's MQTT over TLS port (443 with ALPN {@code x-amzn-mqtt-ca} also works). */
    public static final int AWS_MQTT_PORT = 8883;
    /** AWS IoT Core's HTTPS publish port (443 with ALPN {@code x-amzn-http-ca} also works). */
    public static final int AWS_HTTPS_PORT = 8443;

    /** What AWS IoT accepts as a thing name (AWS IoT API Reference, CreateThing: thingName). */
    public static final Pattern THING_NAME_PATTERN = Pattern.compile("[a-zA-Z0-9:_-]{1,128}");

    private Outputs() {
    }
}
