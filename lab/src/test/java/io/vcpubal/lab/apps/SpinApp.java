package io.vcpubal.lab.apps;

/**
 * A busy multi-threaded guest process: {@code args[0]} threads spin, the main thread prints
 * {@code cpus=N} (the JDK's {@code availableProcessors()}) every 200 ms, which the fence test reads.
 */
public final class SpinApp {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                long x = 0;
                while (true) {
                    x += System.nanoTime() & 7;
                    if ((x & 0xFFFFF) == 0) {
                        sink = x;
                    }
                }
            }, "spin-" + i);
            t.setDaemon(true);
            t.start();
        }
        while (true) {
            System.out.println("cpus=" + Runtime.getRuntime().availableProcessors());
            Thread.sleep(200);
        }
    }
}
