package io.vcpubal.guest.commands;

import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.Envelope;

/** Carries out one kind of host command; returns the answer (a CommandResult or an Error envelope). */
@FunctionalInterface
public interface CommandHandler {
    Envelope.Builder handle(Command command);
}
