package io.vcpubal.lab.it;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * For ordered tests that are the steps of one scenario on one guest: after a step fails the later steps are
 * skipped, instead of each waiting out its timeouts against a guest in an unknown state.
 */
final class StopAtFirstFailure implements TestWatcher, ExecutionCondition {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(StopAtFirstFailure.class);

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        context.getParent().ifPresent(c -> c.getStore(NS).put("failed", context.getDisplayName()));
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<String> failed = context.getTestMethod().isPresent() && context.getParent().isPresent()
                ? Optional.ofNullable(context.getParent().get().getStore(NS).get("failed", String.class))
                : Optional.empty();
        return failed.map(f -> ConditionEvaluationResult.disabled("an earlier step failed: " + f))
                .orElse(ConditionEvaluationResult.enabled("no step failed so far"));
    }
}
