package io.vcpubal.lab.experiment.workloads;

import java.util.SplittableRandom;

/** Generated inputs with fixed seeds, so every run in every guest and mode works on the same data. */
final class Inputs {
    static final long SEED = 20130729L; // APSys'13

    private Inputs() {}

    /** {@code pixels} RGB pixels with a skewed, image-like distribution. */
    static byte[] image(int pixels) {
        SplittableRandom r = new SplittableRandom(SEED);
        byte[] rgb = new byte[pixels * 3];
        for (int i = 0; i < rgb.length; i++) {
            int a = r.nextInt(256);
            int b = r.nextInt(256);
            rgb[i] = (byte) ((a * b) >>> 8); // darker values more frequent, like real photos
        }
        return rgb;
    }

    /**
     * About {@code bytes} bytes of space-separated words drawn from a vocabulary of {@code vocabulary}
     * words with a Zipf-like frequency (word k about 1/k as often as the most common).
     */
    static byte[] text(int bytes, int vocabulary) {
        SplittableRandom r = new SplittableRandom(SEED);
        String[] vocab = new String[vocabulary];
        for (int k = 0; k < vocabulary; k++) {
            StringBuilder w = new StringBuilder();
            int len = 2 + r.nextInt(9);
            for (int c = 0; c < len; c++) {
                w.append((char) ('a' + r.nextInt(26)));
            }
            vocab[k] = w.toString() + k; // unique
        }
        double harmonic = Math.log(vocabulary) + 0.5772;
        byte[] out = new byte[bytes];
        int n = 0;
        while (n < bytes) {
            // inverse of the Zipf CDF, approximated by exp of a uniform
            int k = (int) Math.min(vocabulary - 1, Math.exp(r.nextDouble() * harmonic) - 1);
            String w = vocab[Math.max(0, k)];
            for (int c = 0; c < w.length() && n < bytes; c++) {
                out[n++] = (byte) w.charAt(c);
            }
            if (n < bytes) {
                out[n++] = ' ';
            }
        }
        return out;
    }
}
