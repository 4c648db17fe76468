package dev.zerogate.policy;

import dev.zerogate.testkit.PostgresTestResource;
import dev.zerogate.testkit.identity.TestIdentity;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The test runs against a real, freshly created PostgreSQL database for policy-svc, with
 * access tokens signed by testkit's {@link TestIdentity} (served over loopback HTTP).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@WithTestResource(value = PostgresTestResource.class,
        initArgs = @ResourceArg(name = "database", value = "zerogate_policy"))
@WithTestResource(TestIdentity.Resource.class)
public @interface PolicyDatabase {
}
