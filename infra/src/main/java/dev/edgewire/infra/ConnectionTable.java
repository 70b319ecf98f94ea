package dev.edgewire.infra;

import dev.edgewire.contract.Topology;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.constructs.Construct;

/**
 * The DynamoDB table of open WebSocket connections: one item per connection id, expired by TTL
 * after API Gateway's two-hour connection limit so rows of connections that vanished without a
 * {@code $disconnect} do not pile up. On-demand billing: traffic is bursty and mostly zero.
 */
public final class ConnectionTable extends Construct {

    /** Partition key (S), as the handlers declare it. */
    public static final String PARTITION_KEY = Topology.ConnectionTable.PARTITION_KEY;
    /** TTL attribute (N, epoch seconds), as the handlers declare it. */
    public static final String TTL_ATTRIBUTE = Topology.ConnectionTable.EXPIRES_AT;

    /**
     * @param removalPolicy what {@code cdk destroy} does with the table
     */
    public record Props(RemovalPolicy removalPolicy) {
    }

    private final Table table;

    public ConnectionTable(Construct scope, String id, Props props) {
        super(scope, id);
        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true)
                        .build())
                .encryption(TableEncryption.AWS_MANAGED)
                .removalPolicy(props.removalPolicy())
                .build();
    }

    public ITable table() {
        return table;
    }
}
