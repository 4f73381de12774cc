package io.vcpubal.host.backend.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.lang.reflect.Field;
import org.libvirt.Domain;
import io.vcpubal.host.backend.BackendException;
import org.libvirt.jna.DomainPointer;

/**
 * The libvirt calls the Java binding 0.5.4 lacks, made directly into {@code libvirt.so.0} through JNA: emulator
 * pinning ({@code virDomainPinEmulator}, {@code virDomainGetEmulatorPinInfo}). The binding keeps a domain's C
 * pointer in a package-private field; it is read by reflection (both live in the class path's unnamed module).
 * Errors are libvirt's own message ({@code virGetLastErrorMessage}, per thread).
 */
final class MissingCalls {
    /** {@code VIR_DOMAIN_AFFECT_LIVE}: change the running domain only, never its persistent definition. */
    static final int AFFECT_LIVE = 1;

    private interface Virt extends Library {
        int virDomainPinEmulator(DomainPointer domain, byte[] cpumap, int maplen, int flags);

        int virDomainGetEmulatorPinInfo(DomainPointer domain, byte[] cpumap, int maplen, int flags);

        String virGetLastErrorMessage();
    }

    private static final class Holder {
        static final Virt VIRT = Native.load("virt", Virt.class);
        static final Field POINTER = pointerField();

        private static Field pointerField() {
            try {
                Field f = Domain.class.getDeclaredField("vdp");
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException("this libvirt binding keeps no domain pointer in Domain.vdp", e);
            }
        }
    }

    private MissingCalls() {}

    /** {@code virsh emulatorpin DOM CPUS --live}. */
    static void pinEmulator(Domain d, byte[] cpumap) throws BackendException {
        check(Holder.VIRT.virDomainPinEmulator(pointer(d), cpumap, cpumap.length, AFFECT_LIVE), "virDomainPinEmulator");
    }

    /** The running domain's emulator pin as a cpumap of {@code maplen} bytes. */
    static byte[] emulatorPin(Domain d, int maplen) throws BackendException {
        byte[] map = new byte[maplen];
        check(Holder.VIRT.virDomainGetEmulatorPinInfo(pointer(d), map, maplen, AFFECT_LIVE), "virDomainGetEmulatorPinInfo");
        return map;
    }

    private static DomainPointer pointer(Domain d) {
        try {
            return (DomainPointer) Holder.POINTER.get(d);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void check(int rc, String what) throws BackendException {
        if (rc < 0) {
            throw new BackendException(what + ": " + Holder.VIRT.virGetLastErrorMessage());
        }
    }
}
