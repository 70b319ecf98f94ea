package dev.edgewire.infra;

import dev.edgewire.contract.Topology;

/**
 * How many executions the fan-out keeps for itself (reserved concurrency), so that a flood of other
 * invocations in the account (a route hammered by clients, another application) cannot take the
 * capacity it delivers readings with; and, since a reservation is also a ceiling, what it may use.
 *
 * <p>The design bounds what the fan-out runs at once:
 * <ul>
 *   <li>{@link #COORDINATORS}: the readings queue's event source mapping invokes at most
 *       {@link Topology.ReadingsQueue#MAX_CONCURRENCY} at a time;</li>
 *   <li>{@link #WORKERS}: each of them runs at most {@link Topology.Defaults#WORKERS_IN_FLIGHT}
 *       synchronous worker invocations of the same function at once ({@code LambdaWorkers});</li>
 *   <li>{@link #CONTINUATION_ROOM}: continuations (asynchronous invocations of the same alias) run
 *       beside them. They need no exact room: a throttled asynchronous invocation stays in Lambda's
 *       queue and is retried for up to its maximum event age (one hour here), so the room only sets
 *       how fast a backlog of continuations drains.</li>
 * </ul>
 * {@link #DESIGNED} = 2 + 2 x 50 + 18 = 120. Fewer would throttle workers of a large audience (a
 * throttled worker is tried once more, then handed over as continuations: slower, not lost); more
 * would only let continuations take capacity from the rest of the account.
 *
 * <p>Lambda refuses a reservation that leaves fewer than {@value #UNRESERVED_MINIMUM} executions of
 * the account's quota unreserved (Lambda Developer Guide, "Configuring reserved concurrency for a
 * function"). The default quota is {@value #DEFAULT_ACCOUNT_QUOTA} per region, but new accounts may
 * start far lower (Lambda Developer Guide, "Lambda quotas"); such an account deploys with
 * {@code --context fanOutConcurrency=none}, or names its quota ({@code lambdaConcurrencyQuota}) so
 * that an impossible choice fails here, at synthesis, and not half-way through a deployment.
 */
final class FanOutConcurrency {

    /** Fan-out invocations the readings queue's event source mapping runs at once. */
    static final int COORDINATORS = Topology.ReadingsQueue.MAX_CONCURRENCY;
    /** Worker invocations those coordinators run at once. */
    static final int WORKERS = COORDINATORS * Topology.Defaults.WORKERS_IN_FLIGHT;
    /** Continuations running beside them; more wait in Lambda's asynchronous queue. */
    static final int CONTINUATION_ROOM = 18;
    /** The reservation the design needs. */
    static final int DESIGNED = COORDINATORS + WORKERS + CONTINUATION_ROOM;
    /** What Lambda keeps unreserved in every account and region. */
    static final int UNRESERVED_MINIMUM = 100;
    /** Lambda's default concurrency quota per account and region. */
    static final int DEFAULT_ACCOUNT_QUOTA = 1_000;

    private FanOutConcurrency() {
    }

    /** {@code reserved}, if Lambda can grant it in an account with {@code accountQuota}; else a message that says what to do. */
    static int check(int reserved, int accountQuota) {
        if (reserved < COORDINATORS) {
            throw new IllegalArgumentException("a reserved concurrency of " + reserved + " for the fan-out is less than"
                    + " the " + COORDINATORS + " invocations the readings queue's event source mapping runs at once;"
                    + " reserve at least " + COORDINATORS + " (" + DESIGNED + " as designed), or none: --context "
                    + DeploymentSettings.FAN_OUT_CONCURRENCY + "=" + DeploymentSettings.NONE);
        }
        int reservable = accountQuota - UNRESERVED_MINIMUM;
        if (reserved > reservable) {
            throw new IllegalArgumentException("the fan-out's reserved concurrency of " + reserved + " would leave "
                    + (accountQuota - reserved) + " of the account's Lambda concurrency quota of " + accountQuota
                    + " (context " + DeploymentSettings.LAMBDA_CONCURRENCY_QUOTA + ") unreserved, and Lambda keeps at"
                    + " least " + UNRESERVED_MINIMUM + " unreserved. Ask for a higher quota (Service Quotas, AWS Lambda,"
                    + " \"Concurrent executions\"), or deploy with --context " + DeploymentSettings.FAN_OUT_CONCURRENCY
                    + "=" + DeploymentSettings.NONE + " (the fan-out then shares the account's pool)"
                    + (reservable >= COORDINATORS ? " or at most " + reservable : ""));
        }
        return reserved;
    }
}
