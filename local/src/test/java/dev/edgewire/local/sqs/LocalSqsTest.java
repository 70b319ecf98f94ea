package dev.edgewire.local.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.junit.jupiter.api.Test;

/** How local mode's SQS service names ElasticMQ's tables and keeps its store running. */
class LocalSqsTest {

    @Test
    void messageTable_isTheNameElasticMqGivesAQueuesTable() {
        // As H2 listed them for local mode's queues (MessageRepository: message_<name, - and . as _>_<hash in hex>).
        assertThat(LocalSqs.messageTable("edgewire-readings-dead-letters")).isEqualTo("MESSAGE_EDGEWIRE_READINGS_DEAD_LETTERS_E3A8657F");
        assertThat(LocalSqs.messageTable("dl")).isEqualTo("MESSAGE_DL_C88");
    }

    /** Counts what it stores and fails on "fail", as the SQL store fails on a statement. */
    static final class CountingStore extends AbstractActor {
        private int stored;

        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .matchEquals("fail", m -> {
                        throw new IllegalStateException("Unique index or primary key violation");
                    })
                    .matchAny(m -> getSender().tell(++stored, getSelf()))
                    .build();
        }
    }

    @Test
    void keepStoring_answersTheEventsAfterAFailedOne_fromTheSameStore() throws Exception {
        ActorSystem actors = ActorSystem.create("keep-storing-test");
        try {
            ActorRef store = actors.actorOf(Props.create(LocalSqs.KeepStoring.class,
                    () -> new LocalSqs.KeepStoring(Props.create(CountingStore.class, CountingStore::new))));
            assertThat(ask(store, "first")).isEqualTo(1);
            store.tell("fail", ActorRef.noSender());

            // Restarted, the store would start again from nothing (1); resumed, it keeps what it had.
            assertThat(ask(store, "after the failure")).isEqualTo(2);
        } finally {
            actors.terminate();
        }
    }

    private static Object ask(ActorRef actor, Object message) throws Exception {
        return Patterns.ask(actor, message, Duration.ofSeconds(5)).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
}
