package io.vcpubal.host.backend.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vcpubal.host.config.VmConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DomainPolicyTest {
    @Test
    void theWeightComesFromTheDefinitionNotFromTheLiveSharesVcpubalItselfWrote() {
        DomainPolicy.Decision d = DomainPolicy.decide(Fixtures.domain("metadata-weight-live.xml"),
                Fixtures.domain("metadata-weight-inactive.xml"), false);
        assertEquals(new VmConfig("lv-a", 512, null, Path.of("/tmp/vcpubal-lvit-1/lv-a/agent.sock"), null, 2, 1), d.vm());
    }

    @Test
    void cputuneSharesAreTheWeightWithoutMetadata() {
        DomainXml openstack = Fixtures.domain("openstack-shares.xml");
        assertEquals(4096, DomainPolicy.decide(openstack, openstack, false).vm().weight());
    }

    @Test
    void withNeitherTheWeightIsLibvirtsDefaultShares() {
        DomainXml d = DomainXml.parse("<domain><name>x</name><devices><channel type='unix'><source mode='bind'"
                + " path='/a'/><target type='virtio' name='io.vcpubal.agent.0'/></channel></devices></domain>");
        assertEquals(DomainPolicy.DEFAULT_WEIGHT, DomainPolicy.decide(d, null, false).vm().weight());
    }

    @Test
    void sharesAboveTheLargestWeightCountAsIt() {
        DomainXml d = DomainXml.parse("<domain><name>x</name><cputune><shares>262144</shares></cputune></domain>");
        assertEquals(VmConfig.MAX_WEIGHT, DomainPolicy.weight(d));
    }

    @Test
    void aDomainWithoutTheChannelIsLeftAloneUnlessManageAll() {
        DomainXml plain = Fixtures.domain("no-channel.xml");
        DomainPolicy.Decision alone = DomainPolicy.decide(plain, plain, false);
        assertNull(alone.vm());
        assertTrue(alone.skipped().contains("io.vcpubal.agent.0"), alone.skipped());
        VmConfig managed = DomainPolicy.decide(plain, plain, true).vm();
        assertEquals("plain", managed.name());
        assertNull(managed.agentSocket(), "pinned by share, no agent");
    }

    @Test
    void aNameVcpubalCannotUseIsSkippedWithTheReason() {
        DomainXml d = DomainXml.parse("<domain><name>web server</name></domain>");
        DomainPolicy.Decision decision = DomainPolicy.decide(d, null, true);
        assertNull(decision.vm());
        assertTrue(decision.skipped().contains("must be 1-64 characters"), decision.skipped());
    }
}
