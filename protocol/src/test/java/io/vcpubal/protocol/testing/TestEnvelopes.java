package io.vcpubal.protocol.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.vcpubal.protocol.v1.Envelope;

/**
 * Distinct Envelopes that do not depend on the schema's fields (it is still being written): the number and
 * padding travel as an unknown field, which protobuf keeps through parse and serialize and compares in equals.
 */
public final class TestEnvelopes {
    /** Highest legal field number, unlikely to ever be declared. */
    private static final int FIELD = 536_870_911;

    private TestEnvelopes() {
    }

    /** An Envelope carrying {@code n}. */
    public static Envelope envelope(long n) {
        return envelope(n, 0);
    }

    /** An Envelope carrying {@code n} and {@code padding} filler bytes, to control its serialized size. */
    public static Envelope envelope(long n, int padding) {
        UnknownFieldSet.Field.Builder field = UnknownFieldSet.Field.newBuilder().addVarint(n);
        if (padding > 0) {
            field.addLengthDelimited(ByteString.copyFrom(Frames.payload(padding, (int) n)));
        }
        return Envelope.newBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder().addField(FIELD, field.build()).build())
                .build();
    }

    /** The number an Envelope made by {@link #envelope(long)} carries. */
    public static long numberOf(Envelope e) {
        return e.getUnknownFields().getField(FIELD).getVarintList().get(0);
    }
}
