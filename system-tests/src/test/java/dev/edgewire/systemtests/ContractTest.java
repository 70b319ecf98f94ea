package dev.edgewire.systemtests;

import dev.edgewire.systemtests.target.DeploymentExtension;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A class of the contract suite: its tests take the run's {@link dev.edgewire.systemtests.target.Deployment}
 * as a parameter, and check only what a user of the system sees from outside.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(DeploymentExtension.class)
public @interface ContractTest {
}
