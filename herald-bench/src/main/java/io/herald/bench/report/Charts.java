package io.herald.bench.report;

import io.herald.bench.broker.BrokerKind;
import io.herald.bench.load.Workload;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts of the results, drawn with XChart (headless). */
public final class Charts {
    private static final Color HERALD = new Color(0xE0, 0x7B, 0x00);
    private static final Color KAFKA = new Color(0x23, 0x1F, 0x20);
    /** Latency curves stop here: beyond it a handful of samples decide the shape. */
    private static final double MAX_PERCENTILE = 99.99;

    private Charts() {
    }

    /** Grouped bars, Herald vs Kafka, of one throughput metric's median per workload. */
    public static void throughput(List<? extends Workload> workloads, List<RunResult> runs, boolean megabytes,
                                  Path file) throws IOException {
        Metric metric = megabytes ? Metric.MB_PER_SEC : Metric.RECORDS_PER_SEC;
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(520)
                .title("Throughput, median (" + metric.unit() + ", higher is better)")
                .xAxisTitle("workload").yAxisTitle(metric.unit()).build();
        CategoryStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNE);
        styler.setLabelsVisible(true);
        styler.setXAxisLabelRotation(15);
        styler.setYAxisDecimalPattern("#,###");
        styler.setSeriesColors(new Color[] {HERALD, KAFKA});
        List<String> names = workloads.stream().map(Workload::name).toList();
        for (BrokerKind broker : BrokerKind.values()) {
            List<Double> values = workloads.stream()
                    .map(w -> Report.median(runs, w, broker, metric).orElse(0.0)).toList();
            chart.addSeries(broker.displayName(), names, values);
        }
        BitmapEncoder.saveBitmap(chart, withoutPng(file), BitmapEncoder.BitmapFormat.PNG);
    }

    /**
     * End-to-end latency by percentile, Herald vs Kafka, over all successful runs of the workload (histograms
     * merged). The x axis is stretched like HdrHistogram's plots: 90%, 99%, 99.9% are evenly spaced.
     */
    public static void latency(Workload.EndToEndLatency workload, double rate, List<RunResult> runs, Path file)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(520)
                .title(String.format("End-to-end latency by percentile: %s @ %,.0f records/s (lower is better)",
                        workload.name(), rate))
                .xAxisTitle("percentile").yAxisTitle("latency (ms)").build();
        XYStyler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setxAxisTickLabelsFormattingFunction(Charts::percentileLabel);
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(Math.log10(100 / (100 - MAX_PERCENTILE)));
        for (BrokerKind broker : BrokerKind.values()) {
            Optional<Histogram> merged = runs.stream()
                    .filter(r -> r.workload().equals(workload) && r.broker() == broker && r.ok())
                    .flatMap(r -> r.latency().stream()).map(l -> l.micros())
                    .reduce((a, b) -> {
                        Histogram sum = a.copy();
                        sum.add(b);
                        return sum;
                    });
            if (merged.isEmpty() || merged.get().getTotalCount() == 0) {
                continue;
            }
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (HistogramIterationValue v : merged.get().percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo();
                if (p > MAX_PERCENTILE) {
                    break;
                }
                x.add(Math.log10(100 / (100 - p)));
                y.add(v.getValueIteratedTo() / 1000.0);
            }
            if (!x.isEmpty()) {
                XYSeries series = chart.addSeries(broker.displayName(), x, y);
                series.setMarker(SeriesMarkers.NONE);
                series.setLineColor(broker == BrokerKind.HERALD ? HERALD : KAFKA);
            }
        }
        BitmapEncoder.saveBitmap(chart, withoutPng(file), BitmapEncoder.BitmapFormat.PNG);
    }

    /** x = log10(100 / (100 - p)) back to "p%": 0 → 0%, 1 → 90%, 2 → 99%, 3 → 99.9%; no label between. */
    private static String percentileLabel(Double x) {
        if (Math.abs(x - Math.rint(x)) > 1e-6) {
            return "";
        }
        double p = 100 - 100 / Math.pow(10, x);
        String s = String.format("%.4f", p).replaceAll("0+$", "").replaceAll("\\.$", "");
        return s + "%";
    }

    /** BitmapEncoder appends the extension itself. */
    private static String withoutPng(Path file) {
        String s = file.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
