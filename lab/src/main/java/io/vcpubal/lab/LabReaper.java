package io.vcpubal.lab;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Closes every open {@link Lab} when the JVM shuts down (Ctrl-C, SIGTERM, System.exit). */
final class LabReaper {
    private static final Set<Lab> OPEN = ConcurrentHashMap.newKeySet();
    private static boolean hookInstalled;

    private LabReaper() {
    }

    static synchronized void register(Lab lab) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(LabReaper::closeAll, "vcpubal-lab-reaper"));
            hookInstalled = true;
        }
        OPEN.add(lab);
    }

    static void unregister(Lab lab) {
        OPEN.remove(lab);
    }

    private static void closeAll() {
        for (Lab lab : OPEN) {
            try {
                lab.close();
            } catch (RuntimeException e) {
                System.err.println("lab: teardown failed: " + e);
            }
        }
    }
}
