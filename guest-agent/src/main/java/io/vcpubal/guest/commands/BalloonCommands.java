package io.vcpubal.guest.commands;

import io.vcpubal.guest.balloon.BalloonMode;
import io.vcpubal.guest.balloon.BalloonRequest;
import io.vcpubal.guest.balloon.BalloonResult;
import io.vcpubal.guest.balloon.CpuUsage;
import io.vcpubal.guest.lease.BalloonLease;
import io.vcpubal.protocol.CpuSet;
import io.vcpubal.protocol.Bounds;
import io.vcpubal.protocol.v1.Command;
import io.vcpubal.protocol.v1.CommandResult;
import io.vcpubal.protocol.v1.CpuError;
import io.vcpubal.protocol.v1.Envelope;
import io.vcpubal.protocol.v1.Error;
import io.vcpubal.protocol.v1.SetOnlineVcpus;
import io.vcpubal.protocol.v1.SetOnlineVcpusResult;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The balloon commands (SetOnlineVcpus, RenewLease, GetOnlineVcpus), all through the one {@link BalloonLease}
 * so a change and the lease guarding it move together. {@code onChange} is told the usable set (online, not
 * fenced) after each change (the notify socket for applications listens there).
 */
public final class BalloonCommands {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BalloonCommands.class);
    private final BalloonLease lease;
    private final Supplier<CpuUsage> usage;
    private final Consumer<CpuSet> onChange;

    public BalloonCommands(BalloonLease lease, Supplier<CpuUsage> usage, Consumer<CpuSet> onChange) {
        this.lease = lease;
        this.usage = usage;
        this.onChange = onChange;
    }

    /** Registers the three handlers. */
    public CommandRegistry registerInto(CommandRegistry registry) {
        return registry
                .register(Command.KindCase.SET_ONLINE_VCPUS, this::setOnline)
                .register(Command.KindCase.RENEW_LEASE, this::renew)
                .register(Command.KindCase.GET_ONLINE_VCPUS, this::get);
    }

    Envelope.Builder setOnline(Command c) {
        SetOnlineVcpus req = c.getSetOnlineVcpus();
        long id = c.getRequestId();
        // uint32 on the wire: a value above 2^31 must read as too long, not as negative.
        long leaseMs = Integer.toUnsignedLong(req.getLeaseMs());
        BalloonRequest request;
        BalloonMode mode;
        switch (req.getMode()) {
            case BALLOON_MODE_UNSPECIFIED, BALLOON_MODE_HOTPLUG -> mode = BalloonMode.HOTPLUG;
            case BALLOON_MODE_FENCE -> mode = BalloonMode.FENCE;
            default -> {
                return CommandRegistry.error(Error.Code.MALFORMED, "unknown balloon mode " + req.getModeValue(), id);
            }
        }
        try {
            request = switch (req.getTargetCase()) {
                case COUNT -> BalloonRequest.count(req.getCount(), leaseMs);
                case CPUS -> {
                    if (req.getCpus().length() > Bounds.MAX_CPULIST_CHARS) {
                        throw new IllegalArgumentException("cpulist longer than " + Bounds.MAX_CPULIST_CHARS);
                    }
                    yield BalloonRequest.cpus(CpuSet.parse(req.getCpus()), leaseMs);
                }
                case TARGET_NOT_SET -> throw new IllegalArgumentException("set_online_vcpus needs count or cpus");
            };
        } catch (IllegalArgumentException e) {
            return CommandRegistry.error(Error.Code.MALFORMED, e.getMessage(), id);
        }
        BalloonResult r = lease.apply(request.in(mode));
        if (r.status() == BalloonResult.Status.REFUSED) {
            return CommandRegistry.error(Error.Code.REFUSED, r.message() + " (usable stays " + r.usable() + ")", id);
        }
        if (!r.usable().equals(r.before())) {
            LOG.info("balloon ({}): {}", mode.name().toLowerCase(java.util.Locale.ROOT), r);
            onChange.accept(r.usable());
        }
        return answer(id, r);
    }

    Envelope.Builder renew(Command c) {
        long id = c.getRequestId();
        try {
            if (!lease.renew(Integer.toUnsignedLong(c.getRenewLease().getLeaseMs()))) {
                return CommandRegistry.error(Error.Code.REFUSED, "no balloon lease is held; nothing to renew", id);
            }
        } catch (IllegalArgumentException e) {
            // Out of the lease bounds: refused like a shrink with such a lease, and the lease is untouched.
            return CommandRegistry.error(Error.Code.REFUSED, e.getMessage(), id);
        }
        return current(id);
    }

    Envelope.Builder get(Command c) {
        return current(c.getRequestId());
    }

    private Envelope.Builder current(long id) {
        CpuUsage now = usage.get();
        return Envelope.newBuilder().setResult(CommandResult.newBuilder()
                .setRequestId(id)
                .setOnlineVcpus(SetOnlineVcpusResult.newBuilder()
                        .setOnlineCpus(now.online().toString())
                        .setFencedCpus(now.fenced().toString())
                        .setLeaseRemainingMs(leaseRemaining())));
    }

    private Envelope.Builder answer(long id, BalloonResult r) {
        SetOnlineVcpusResult.Builder b = SetOnlineVcpusResult.newBuilder()
                .setOnlineCpus(r.online().toString())
                .setFencedCpus(r.fenced().toString())
                .setRolledBack(r.status() == BalloonResult.Status.ROLLED_BACK)
                .setElapsedUs(r.elapsedMicros())
                .setLeaseRemainingMs(leaseRemaining());
        for (Map.Entry<Integer, String> e : r.cpuErrors().entrySet()) {
            b.addErrors(CpuError.newBuilder()
                    .setCpu(e.getKey())
                    .setWantedOnline(!r.before().contains(e.getKey()))
                    .setError(Bounds.clip(e.getValue(), 256)));
        }
        return Envelope.newBuilder().setResult(CommandResult.newBuilder().setRequestId(id).setOnlineVcpus(b));
    }

    private int leaseRemaining() {
        return (int) Math.min(Integer.MAX_VALUE, lease.millisUntilExpiry().orElse(0));
    }
}
