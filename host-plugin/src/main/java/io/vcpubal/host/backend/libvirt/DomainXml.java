package io.vcpubal.host.backend.libvirt;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * What vcpubal reads from a libvirt domain XML (pure: a string in, a value out). The XML comes from the admin
 * through libvirt and is trusted, but it is parsed defensively all the same: no DTDs, no external entities,
 * bounded size, numbers range-checked.
 *
 * <pre>{@code
 * <domain type='qemu'>
 *   <name>web</name> <uuid>...</uuid> <vcpu>4</vcpu>
 *   <metadata><vcpubal:vm xmlns:vcpubal="http://vcpubal.io/xmlns/libvirt/1" weight="512" min-vcpus="1" max-vcpus="8"/></metadata>
 *   <cputune><shares>2048</shares></cputune>
 *   <devices><channel type='unix'><source mode='bind' path='/run/web.agent'/>
 *            <target type='virtio' name='io.vcpubal.agent.0'/></channel></devices>
 * </domain>
 * }</pre>
 *
 * @param agentChannel the host side of the vcpubal channel (a {@code unix} channel in bind mode whose virtio
 *                     target is {@value #AGENT_PORT}), null when the domain has none
 * @param meta         vcpubal's own metadata element, null when absent
 * @param shares       {@code <cputune><shares>}, -1 when absent
 */
public record DomainXml(String name, String uuid, int vcpus, Path agentChannel, Metadata meta, long shares) {
    /** The virtio-serial port name the agent opens in the guest. */
    public static final String AGENT_PORT = "io.vcpubal.agent.0";
    /** Namespace of vcpubal's metadata element ({@code <vcpubal:vm .../>}); also the key for virDomainSetMetadata. */
    public static final String NAMESPACE = "http://vcpubal.io/xmlns/libvirt/1";
    public static final String PREFIX = "vcpubal";
    /** A domain XML is a few KB; a megabyte is far beyond any real one. */
    static final int MAX_XML_CHARS = 1 << 20;
    /** libvirt's own ceiling for cpu_shares. */
    static final long MAX_SHARES = 262_144;
    static final int MAX_VCPUS = 8192;

    /** vcpubal's metadata element: each attribute absent = 0 (weight: not set). */
    public record Metadata(int weight, int minVcpus, int maxVcpus) {
        /** The element as virDomainSetMetadata wants it (namespace and prefix are passed separately). */
        public String toXml() {
            StringBuilder b = new StringBuilder("<vm");
            if (weight > 0) {
                b.append(" weight=\"").append(weight).append('"');
            }
            if (minVcpus > 0) {
                b.append(" min-vcpus=\"").append(minVcpus).append('"');
            }
            if (maxVcpus > 0) {
                b.append(" max-vcpus=\"").append(maxVcpus).append('"');
            }
            return b.append("/>").toString();
        }

        public Metadata withWeight(int w) {
            return new Metadata(w, minVcpus, maxVcpus);
        }
    }

    /** @throws IllegalArgumentException when the text is not a domain XML vcpubal can read, saying why */
    public static DomainXml parse(String xml) {
        if (xml == null || xml.length() > MAX_XML_CHARS) {
            throw new IllegalArgumentException("domain XML missing or longer than " + MAX_XML_CHARS + " characters");
        }
        Element domain = parseDocument(xml).getDocumentElement();
        if (!"domain".equals(domain.getLocalName())) {
            throw new IllegalArgumentException("not a domain XML: root element <" + domain.getLocalName() + ">");
        }
        String name = text(child(domain, "name"));
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("domain XML has no <name>");
        }
        Element vcpu = child(domain, "vcpu");
        int vcpus = vcpu == null ? 1 : (int) number(text(vcpu), 1, MAX_VCPUS, "<vcpu>");
        Element cputune = child(domain, "cputune");
        Element sharesElement = cputune == null ? null : child(cputune, "shares");
        long shares = sharesElement == null ? -1 : number(text(sharesElement), 0, MAX_SHARES, "<cputune><shares>");
        return new DomainXml(name, text(child(domain, "uuid")), vcpus, agentChannel(domain), metadata(domain), shares);
    }

    private static Path agentChannel(Element domain) {
        Element devices = child(domain, "devices");
        if (devices == null) {
            return null;
        }
        for (Element channel : children(devices, "channel")) {
            Element target = child(channel, "target");
            Element source = child(channel, "source");
            if (!"unix".equals(channel.getAttribute("type")) || target == null || source == null
                    || !"virtio".equals(target.getAttribute("type")) || !AGENT_PORT.equals(target.getAttribute("name"))) {
                continue;
            }
            String mode = source.getAttribute("mode");
            String path = source.getAttribute("path");
            // bind = QEMU listens and vcpubal connects; "connect" would need vcpubal to listen
            if ((mode.isEmpty() || mode.equals("bind")) && !path.isEmpty()) {
                return Path.of(path);
            }
        }
        return null;
    }

    private static Metadata metadata(Element domain) {
        Element metadata = child(domain, "metadata");
        if (metadata == null) {
            return null;
        }
        NodeList vm = metadata.getElementsByTagNameNS(NAMESPACE, "vm");
        if (vm.getLength() == 0) {
            return null;
        }
        Element e = (Element) vm.item(0);
        return new Metadata((int) attribute(e, "weight", 1, io.vcpubal.host.config.VmConfig.MAX_WEIGHT),
                (int) attribute(e, "min-vcpus", 0, MAX_VCPUS), (int) attribute(e, "max-vcpus", 1, MAX_VCPUS));
    }

    private static long attribute(Element e, String name, long min, long max) {
        return e.hasAttribute(name) ? number(e.getAttribute(name), min, max, "vcpubal metadata " + name) : 0;
    }

    private static long number(String text, long min, long max, String what) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty() || t.length() > 12 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + " '" + t + "' is not a whole number");
        }
        long v = Long.parseLong(t);
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " " + v + " is outside " + min + ".." + max);
        }
        return v;
    }

    private static Document parseDocument(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null); // no stderr noise: the exception says what is wrong
            return b.parse(new InputSource(new StringReader(xml)));
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no secure XML parser in this JDK", e);
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("domain XML does not parse: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static java.util.List<Element> children(Element parent, String name) {
        java.util.List<Element> out = new java.util.ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && name.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element e) {
        return e == null ? null : e.getTextContent().trim();
    }
}
