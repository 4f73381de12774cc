package io.vcpubal.lab.experiment;

import java.util.Arrays;
import java.util.function.Function;

/** Looks up the experiment's enums ({@link Mode}, {@link Workload}) by the ids users type. */
final class EnumIds {
    private EnumIds() {}

    /** The value whose id is {@code wanted}; throws IllegalArgumentException naming the known ids. */
    static <E extends Enum<E>> E byId(E[] values, Function<E, String> id, String kind, String wanted) {
        for (E v : values) {
            if (id.apply(v).equals(wanted)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown " + kind + " '" + wanted + "' (known: "
                + String.join(", ", Arrays.stream(values).map(id).toList()) + ")");
    }
}
