package dev.edgewire.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

/** Grouped bar charts as PNG, the one chart shape the report needs. */
final class Charts {

    private Charts() {
    }

    /**
     * @param values series name to (category to value); rows are drawn in insertion order
     * @param log    a logarithmic value axis, for values that span orders of magnitude
     */
    static void bars(Path png, String title, String valueAxis, Map<String, Map<String, Double>> values, boolean log)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        values.forEach((series, byCategory) -> byCategory.forEach((category, v) -> data.addValue(v, series, category)));
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueAxis, data, PlotOrientation.VERTICAL,
                true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (log) {
            LogAxis axis = new LogAxis(valueAxis);
            axis.setSmallestValue(0.1);
            // Ticks at whole powers of ten, printed as plain numbers (1, 10, 100 ms), not as exponents.
            axis.setTickUnit(new NumberTickUnit(1));
            axis.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
            plot.setRangeAxis(axis);
        }
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        Color[] palette = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
            new Color(0x9467bd), new Color(0x8c564b)};
        for (int i = 0; i < palette.length; i++) {
            renderer.setSeriesPaint(i, palette[i]);
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 480);
    }
}
