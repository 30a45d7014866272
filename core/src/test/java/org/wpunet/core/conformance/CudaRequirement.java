package org.wpunet.core.conformance;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.wpunet.core.Backends;
import org.wpunet.core.Device;

/**
 * What {@link RequiresCuda} does. Where cuda:0 is usable, nothing. Where it is not:
 * <ul>
 *   <li>with {@code -Dwpunet.requireGpu=true} (the GPU machine's test script sets it) the class fails
 *       before its first test, naming why CUDA is unavailable: a GPU run whose probe fails cannot look
 *       green;</li>
 *   <li>otherwise every test of the class is reported as skipped, one by one, with that reason (a
 *       class-level abort would show "Tests run: 0" instead).</li>
 * </ul>
 */
public final class CudaRequirement implements ExecutionCondition, BeforeAllCallback {
    /** The system property that turns "CUDA unavailable" into a failure. */
    public static final String REQUIRE_GPU = "wpunet.requireGpu";

    static final Device CUDA = Device.cuda(0);

    /** Null when cuda:0 is usable, else why not. */
    static String unavailable() {
        if (Backends.isAvailable(CUDA)) return null;
        return "CUDA unavailable: " + Backends.status().stream().filter(s -> s.type().equals("cuda"))
                .map(Backends.Status::detail).findFirst().orElse("no cuda backend registered");
    }

    static boolean required() { return Boolean.getBoolean(REQUIRE_GPU); }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = unavailable();
        // the class itself stays enabled so that each test is reported (skipped) or the class fails in beforeAll
        if (why == null || required() || context.getTestMethod().isEmpty()) return ConditionEvaluationResult.enabled("cuda:0 usable");
        return ConditionEvaluationResult.disabled(why + " (set -D" + REQUIRE_GPU + "=true to fail instead)");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String why = unavailable();
        if (why != null && required()) {
            throw new AssertionError(context.getDisplayName() + ": " + why + ", and -D" + REQUIRE_GPU + "=true demands a GPU");
        }
    }
}
