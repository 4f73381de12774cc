package io.vcpubal.host.backend.libvirt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainXmlTest {
    @Test
    void readsTheVcpubalChannelMetadataAndSharesOfALiveDomain() {
        DomainXml d = Fixtures.domain("metadata-weight-live.xml");
        assertEquals("lv-a", d.name());
        assertEquals("0b3c1d5e-8c11-4f5e-a1d4-4a5e6f7a8b9c", d.uuid());
        assertEquals(2, d.vcpus());
        assertEquals(Path.of("/tmp/vcpubal-lvit-1/lv-a/agent.sock"), d.agentChannel(), "the agent's channel, not the lab's");
        assertEquals(new DomainXml.Metadata(512, 1, 2), d.meta());
        assertEquals(683, d.shares());
    }

    @Test
    void findsTheChannelAmongOthersInAnOpenStackDomain() {
        DomainXml d = Fixtures.domain("openstack-shares.xml");
        assertEquals(Path.of("/var/lib/libvirt/qemu/channel/target/domain-7-instance-0000002a/io.vcpubal.agent.0"),
                d.agentChannel());
        assertNull(d.meta(), "nova's metadata is not ours");
        assertEquals(4096, d.shares());
        assertEquals(4, d.vcpus());
    }

    @Test
    void aChannelThatIsNotAUnixSocketInBindModeIsNoAgentLink() {
        DomainXml d = Fixtures.domain("no-channel.xml");
        assertNull(d.agentChannel());
        assertEquals(-1, d.shares());
        assertNull(d.meta());
    }

    @Test
    void externalEntitiesAndDoctypesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> Fixtures.domain("external-entity.xml"));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "<domain><vcpu>two</vcpu><name>x</name></domain>                  | <vcpu> 'two' is not a whole number",
            "<domain><name>x</name><vcpu>0</vcpu></domain>                    | <vcpu> 0 is outside 1..8192",
            "<domain><name>x</name><cputune><shares>300000</shares></cputune></domain> | <cputune><shares> 300000 is outside 0..262144",
            "<domain><vcpu>1</vcpu></domain>                                  | domain XML has no <name>",
            "<network><name>x</name></network>                                | not a domain XML: root element <network>",
            "<domain><name>x</name                                            | domain XML does not parse",
            "<domain><name>x</name><metadata><v:vm xmlns:v='http://vcpubal.io/xmlns/libvirt/1' weight='0'/></metadata></domain> | vcpubal metadata weight 0 is outside 1..65535",
            "<domain><name>x</name><metadata><v:vm xmlns:v='http://vcpubal.io/xmlns/libvirt/1' weight='-5'/></metadata></domain> | vcpubal metadata weight '-5' is not a whole number"})
    void malformedValuesAreErrorsThatSayWhich(String xml, String expected) {
        var e = assertThrows(IllegalArgumentException.class, () -> DomainXml.parse(xml));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void aHugeDocumentIsRefusedUnparsed() {
        String huge = "<domain><name>x</name><description>" + "a".repeat(DomainXml.MAX_XML_CHARS) + "</description></domain>";
        assertThrows(IllegalArgumentException.class, () -> DomainXml.parse(huge));
    }

    @Test
    void metadataWrittenBySetWeightKeepsTheOtherAttributesAndParsesBack() {
        DomainXml.Metadata m = new DomainXml.Metadata(512, 1, 2).withWeight(1024);
        assertEquals("<vm weight=\"1024\" min-vcpus=\"1\" max-vcpus=\"2\"/>", m.toXml());
        String domain = "<domain><name>x</name><metadata>" + m.toXml().replace("<vm", "<vcpubal:vm xmlns:vcpubal=\""
                + DomainXml.NAMESPACE + "\"") + "</metadata></domain>";
        assertEquals(m, DomainXml.parse(domain).meta());
        assertEquals("<vm weight=\"7\"/>", new DomainXml.Metadata(7, 0, 0).toXml());
    }
}
