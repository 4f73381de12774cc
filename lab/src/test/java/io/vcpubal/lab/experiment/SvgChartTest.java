package io.vcpubal.lab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SvgChartTest {
    @Test
    void wellFormedSvgWithOneBarPerWorkloadAndModeInEachPanel() throws Exception {
        ExperimentResults r = Fixture.results();
        Document doc = parse(SvgChart.render(r));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        NodeList rects = doc.getElementsByTagName("rect");
        Set<String> seen = new HashSet<>();
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (!e.getAttribute("class").equals("bar")) {
                continue;
            }
            bars++;
            assertTrue(seen.add(e.getAttribute("data-panel") + "/" + e.getAttribute("data-workload") + "/"
                    + e.getAttribute("data-mode")), "one bar per panel, workload and mode");
            assertTrue(Double.parseDouble(e.getAttribute("height")) > 0);
        }
        assertEquals(2 * 2 * 4, bars, "exec and sys panels x 2 workloads x 4 modes");
        assertTrue(seen.contains("exec/lock/vcpubal"));
        assertTrue(seen.contains("sys/parallel/ideal"));
    }

    @Test
    void theDefaultBarIsOneAndTheVcpubalBarIsShorter() throws Exception {
        Document doc = parse(SvgChart.render(Fixture.results()));
        NodeList rects = doc.getElementsByTagName("rect");
        double defaultH = 0;
        double vcpubalH = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            Element e = (Element) rects.item(i);
            if (e.getAttribute("data-panel").equals("exec") && e.getAttribute("data-workload").equals("lock")) {
                if (e.getAttribute("data-mode").equals("default")) {
                    assertEquals("1.00", e.getAttribute("data-value"));
                    defaultH = Double.parseDouble(e.getAttribute("height"));
                } else if (e.getAttribute("data-mode").equals("vcpubal")) {
                    vcpubalH = Double.parseDouble(e.getAttribute("height"));
                }
            }
        }
        assertTrue(vcpubalH > 0 && vcpubalH < defaultH * 0.6, vcpubalH + " vs " + defaultH);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }
}
