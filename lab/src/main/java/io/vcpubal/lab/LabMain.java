package io.vcpubal.lab;

public final class LabMain {
    public static void main(String[] args) {
        System.out.println("vcpubal-lab");
    }
}
