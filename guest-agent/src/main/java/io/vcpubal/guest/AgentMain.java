package io.vcpubal.guest;

public final class AgentMain {
    public static void main(String[] args) {
        System.out.println("vcpubal-agent");
    }
}
