package io.vcpubal.host;

public final class HostMain {
    public static void main(String[] args) {
        System.out.println("vcpubal-host");
    }
}
