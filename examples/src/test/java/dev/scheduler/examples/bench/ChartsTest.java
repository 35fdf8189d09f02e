package dev.scheduler.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ChartsTest {

    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void a_chart_is_well_formed_svg_with_a_point_per_figure_and_a_line_per_series() throws Exception {
        String svg = Charts.lineChart(
                "Lateness <against> load & more",
                "tasks/s",
                "ms",
                List.of(
                        new Charts.Series("p50", List.of(new double[] {1000, 1.0}, new double[] {7000, 2.5})),
                        new Charts.Series("p99", List.of(new double[] {1000, 11}, new double[] {7000, 47}))),
                false);
        Document doc = parse(svg);
        assertThat(doc.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("circle").getLength()).isEqualTo(4);
        assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
        assertThat(svg).contains("Lateness &lt;against&gt; load &amp; more");
    }

    @Test
    void the_highest_point_stays_inside_the_plot_and_the_y_axis_ends_at_a_round_number() throws Exception {
        Document doc = parse(Charts.lineChart(
                "t",
                "partitions",
                "executions/s",
                List.of(new Charts.Series(
                        "x", List.of(new double[] {16, 13_000}, new double[] {64, 11_000}, new double[] {256, 9_000}))),
                true));
        NodeList circles = doc.getElementsByTagName("circle");
        for (int i = 0; i < circles.getLength(); i++) {
            Element c = (Element) circles.item(i);
            double y = Double.parseDouble(c.getAttribute("cy"));
            double x = Double.parseDouble(c.getAttribute("cx"));
            assertThat(y).isBetween(0.0, 400.0);
            assertThat(x).isBetween(0.0, 640.0);
        }
        assertThat(Charts.niceCeiling(13_000)).isEqualTo(20_000);
        assertThat(Charts.niceCeiling(47)).isEqualTo(50);
        assertThat(Charts.niceCeiling(0.3)).isEqualTo(1);
    }

    @Test
    void a_chart_without_points_or_with_a_zero_on_a_logarithmic_axis_is_refused_with_the_reason() {
        assertThatThrownBy(() -> Charts.lineChart("t", "x", "y", List.of(), false))
                .hasMessageContaining("at least one point");
        assertThatThrownBy(() -> Charts.lineChart(
                        "t", "x", "y", List.of(new Charts.Series("s", List.of(new double[] {0, 1}))), true))
                .hasMessageContaining("positive x");
    }
}
