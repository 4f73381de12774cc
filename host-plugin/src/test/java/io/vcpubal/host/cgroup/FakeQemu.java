package io.vcpubal.host.cgroup;

import io.vcpubal.host.backend.LinuxAffinity;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in QEMU run in its own JVM by {@link VmCgroupsRealTest}: a multi-threaded process with two
 * "vCPU" threads, so a test can see one thread move while its siblings stay. Prints "pid tid0 tid1",
 * then waits to be killed.
 */
public final class FakeQemu {
    private FakeQemu() {
    }

    public static void main(String[] args) throws Exception {
        int[] tids = new int[2];
        CountDownLatch started = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            int index = i;
            Thread vcpu = new Thread(() -> {
                tids[index] = LinuxAffinity.currentTid();
                started.countDown();
                try {
                    Thread.sleep(300_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "CPU " + i + "/FAKE");
            vcpu.setDaemon(true);
            vcpu.start();
        }
        started.await();
        System.out.println(ProcessHandle.current().pid() + " " + tids[0] + " " + tids[1]);
        System.out.flush();
        Thread.sleep(300_000);
    }
}
