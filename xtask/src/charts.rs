//! `cargo xtask charts`: the book's charts, drawn from the committed
//! benchmark results (`bench/results/*.jsonl`), never by hand.
//! `cargo xtask charts --check` draws them again and fails if a committed
//! SVG differs: a result changed without its chart, or the other way round.
//!
//! Each chart is a median over a series' passes, with the smallest and the
//! largest pass as a thin line, so that the spread shows beside the value.
//! plotters writes SVG text as `<text>` elements, which the browser lays
//! out, so the output depends on nothing but the numbers: the same on every
//! machine.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde_json::Value;

/// Where the charts go, under the book's sources.
const OUT: &str = "book/src/charts";

/// A chart: its file, the series it is drawn from, and how.
struct Chart {
    file: &'static str,
    series: &'static str,
    draw: fn(&Series, &mut String) -> Result<(), String>,
}

const CHARTS: &[Chart] = &[
    Chart {
        file: "cpu-per-request.svg",
        series: "bench/results/hotpath-20261203c.jsonl",
        draw: cpu_per_request,
    },
    Chart {
        file: "latency-c512.svg",
        series: "bench/results/hotpath-20261203c.jsonl",
        draw: latency_c512,
    },
    Chart {
        file: "bench-cpu.svg",
        series: "bench/results/bench-20261204.jsonl",
        draw: cpu_per_request,
    },
    Chart {
        file: "bench-latency-c512.svg",
        series: "bench/results/bench-20261204.jsonl",
        draw: latency_c512,
    },
    Chart {
        file: "bench-latency-c64.svg",
        series: "bench/results/bench-20261204.jsonl",
        draw: latency_c64,
    },
    Chart {
        file: "bench-idle.svg",
        series: "bench/results/bench-20261204.jsonl",
        draw: idle_bytes,
    },
    Chart {
        file: "million.svg",
        series: "bench/results/bench-20261204-million.jsonl",
        draw: million_memory,
    },
    Chart {
        file: "proxy.svg",
        series: "bench/results/bench-20261204-proxy.jsonl",
        draw: proxy_load,
    },
    Chart {
        file: "files.svg",
        series: "bench/results/files-20261204c.jsonl",
        draw: files_cpu,
    },
];

/// The rows of a series file, and its servers in the order it ran them.
struct Series {
    rows: Vec<Value>,
    servers: Vec<String>,
}

impl Series {
    fn read(path: &Path) -> io::Result<Series> {
        let text = fs::read_to_string(path)?;
        let mut rows = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: Value = serde_json::from_str(line).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })?;
            rows.push(row);
        }
        let mut servers: Vec<String> = Vec::new();
        for row in &rows {
            if let Some(server) = row["server"].as_str() {
                if !servers.iter().any(|s| s == server) {
                    servers.push(server.to_string());
                }
            }
        }
        // Ours first, in the first colours; the peers in the order run.
        servers.sort_by_key(|s| (s != "eventcore", !s.starts_with("eventcore")));
        Ok(Series { rows, servers })
    }

    /// The median, smallest and largest of `value` over the rows of `kind`
    /// for `server` that `filter` keeps.
    fn stat(
        &self,
        kind: &str,
        server: &str,
        filter: impl Fn(&Value) -> bool,
        value: impl Fn(&Value) -> Option<f64>,
    ) -> Option<Stat> {
        let values = (self.rows.iter())
            .filter(|r| r["kind"] == kind && r["server"] == server && filter(r))
            .filter_map(value)
            .collect();
        Stat::of(values)
    }

    /// A bar for each of `groups` groups and each server: the [`stat`]
    /// of `value` over the rows of `kind` that `in_group` puts in that
    /// group. A server with no such rows gets no bar there.
    ///
    /// [`stat`]: Series::stat
    fn grouped(
        &self,
        kind: &str,
        groups: usize,
        in_group: impl Fn(usize, &Value) -> bool,
        value: impl Fn(usize, &Value) -> Option<f64>,
    ) -> Vec<Bar> {
        let mut all = Vec::new();
        for group in 0..groups {
            for (member, server) in self.servers.iter().enumerate() {
                let stat = self.stat(kind, server, |r| in_group(group, r), |r| value(group, r));
                if let Some(stat) = stat {
                    all.push(Bar {
                        group,
                        member,
                        stat,
                        inner: None,
                    });
                }
            }
        }
        all
    }
}

#[derive(Debug, Clone, Copy)]
struct Stat {
    median: f64,
    low: f64,
    high: f64,
}

impl Stat {
    /// The median, smallest and largest of `values`; `None` for none.
    fn of(mut values: Vec<f64>) -> Option<Stat> {
        values.sort_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return None;
        }
        let median = if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Some(Stat {
            median,
            low: values[0],
            high: values[n - 1],
        })
    }
}

/// One bar of a grouped bar chart: its group, its series (a colour), the
/// value, and a part of it drawn darker (the user-space share of a CPU time).
struct Bar {
    group: usize,
    member: usize,
    stat: Stat,
    inner: Option<f64>,
}

/// The colours of a chart's members, in order; ours first, in the book's blue.
const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 100, 180),
    RGBColor(120, 170, 220),
    RGBColor(230, 120, 30),
    RGBColor(60, 160, 80),
    RGBColor(200, 60, 60),
    RGBColor(140, 100, 180),
    RGBColor(150, 150, 150),
    RGBColor(190, 160, 60),
];

/// A grouped bar chart into `out`: groups along x, a bar per member in
/// each, the value on y.
fn bars(
    out: &mut String,
    title: &str,
    y_label: &str,
    groups: &[String],
    members: &[String],
    bars: &[Bar],
) -> Result<(), String> {
    // Room above the tallest bar for the legend.
    let top = bars.iter().map(|b| b.stat.high).fold(0.0, f64::max) * 1.45;
    let slots = (members.len() + 1) as f64;
    let width = groups.len() as f64;
    let area = SVGBackend::with_string(out, (760, 420)).into_drawing_area();
    let error = |e: &dyn std::fmt::Display| e.to_string();
    area.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..width, 0.0..top.max(f64::MIN_POSITIVE))
        .map_err(|e| error(&e))?;
    let names = groups.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 1)
        .x_label_formatter(&move |x| {
            let at = x - x.floor();
            match names.get(x.floor() as usize) {
                Some(name) if (at - 0.5).abs() < 1e-6 => name.clone(),
                _ => String::new(),
            }
        })
        .y_desc(y_label)
        .draw()
        .map_err(|e| error(&e))?;
    for bar in bars {
        let colour = COLOURS[bar.member % COLOURS.len()];
        let left = bar.group as f64 + (bar.member as f64 + 0.5) / slots;
        let right = left + 1.0 / slots * 0.9;
        let middle = (left + right) / 2.0;
        chart
            .draw_series([Rectangle::new(
                [(left, 0.0), (right, bar.stat.median)],
                colour.mix(0.55).filled(),
            )])
            .map_err(|e| error(&e))?;
        if let Some(inner) = bar.inner {
            chart
                .draw_series([Rectangle::new(
                    [(left, 0.0), (right, inner)],
                    colour.filled(),
                )])
                .map_err(|e| error(&e))?;
        }
        chart
            .draw_series([PathElement::new(
                [(middle, bar.stat.low), (middle, bar.stat.high)],
                BLACK.stroke_width(1),
            )])
            .map_err(|e| error(&e))?;
        // The median, written above the bar's range: a short bar beside a
        // tall one still says what it is.
        let style = ("sans-serif", 10)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series([Text::new(
                figure(bar.stat.median),
                (middle, bar.stat.high),
                style,
            )])
            .map_err(|e| error(&e))?;
    }
    // The legend: one entry per member.
    for (i, member) in members.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series([Rectangle::new([(0.0, 0.0), (0.0, 0.0)], colour.filled())])
            .map_err(|e| error(&e))?
            .label(member.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled()));
    }
    finish(chart, area, SeriesLabelPosition::UpperLeft)
}

/// The legend, then the file: how every chart ends.
fn finish<'a>(
    mut chart: ChartContext<'a, SVGBackend<'a>, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    area: DrawingArea<SVGBackend<'a>, plotters::coord::Shift>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    let error = |e: &dyn std::fmt::Display| e.to_string();
    chart
        .configure_series_labels()
        .border_style(BLACK.mix(0.3))
        .background_style(WHITE.mix(0.9))
        .position(position)
        .draw()
        .map_err(|e| error(&e))?;
    drop(chart);
    area.present().map_err(|e| error(&e))
}

/// Three significant digits or so, and thousands apart: `0.81`, `9.3`, `526`, `20,295`.
fn figure(value: f64) -> String {
    let digits = match value.abs() {
        v if v >= 100.0 => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    let text = format!("{value:.digits$}");
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 && c.is_ascii_digit() {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match fraction {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    }
}

const HTTP_SCENARIOS: [(&str, &str); 3] = [
    ("plaintext-c64", "keep-alive, 64 connections"),
    ("plaintext-c512", "keep-alive, 512 connections"),
    ("pipelined16-c256", "pipelined 16, 256 connections"),
];

fn cpu_per_request(series: &Series, out: &mut String) -> Result<(), String> {
    let in_group = |group: usize, r: &Value| r["scenario"] == HTTP_SCENARIOS[group].0;
    let mut all = series.grouped("http", HTTP_SCENARIOS.len(), in_group, |_, r| {
        r["cpu_us_per_request"].as_f64()
    });
    for bar in &mut all {
        let server = &series.servers[bar.member];
        bar.inner = (series.stat(
            "http",
            server,
            |r| in_group(bar.group, r),
            |r| r["user_us_per_request"].as_f64(),
        ))
        .map(|s| s.median);
    }
    let groups: Vec<String> = HTTP_SCENARIOS.iter().map(|(_, g)| g.to_string()).collect();
    bars(
        out,
        "Server CPU per request (darker: user space)",
        "µs per request",
        &groups,
        &series.servers,
        &all,
    )
}

fn latency_c64(series: &Series, out: &mut String) -> Result<(), String> {
    latency(series, out, 64)
}

fn latency_c512(series: &Series, out: &mut String) -> Result<(), String> {
    latency(series, out, 512)
}

/// p50, p99 and p99.9 of the keep-alive scenario at `conns` connections.
fn latency(series: &Series, out: &mut String, conns: usize) -> Result<(), String> {
    let scenario = format!("plaintext-c{conns}");
    let percentiles = [("p50", "p50"), ("p99", "p99"), ("p999", "p99.9")];
    let all = series.grouped(
        "http",
        percentiles.len(),
        |_, r| r["scenario"] == scenario.as_str(),
        |group, r| {
            let key = percentiles[group].0;
            r["latency_us"][key].as_f64().map(|us| us / 1e3)
        },
    );
    let groups: Vec<String> = percentiles.iter().map(|(_, g)| g.to_string()).collect();
    bars(
        out,
        &format!("Latency at {conns} keep-alive connections"),
        "ms",
        &groups,
        &series.servers,
        &all,
    )
}

fn files_cpu(series: &Series, out: &mut String) -> Result<(), String> {
    let scenarios = [
        (
            "small",
            "1 KiB, c64: µs per request",
            "cpu_us_per_request",
            1.0,
        ),
        // Per GB, both cores: on loopback the kernel does part of a
        // sender's work on the receiver's core, so the server's own CPU
        // says where the work was charged, not what it cost.
        (
            "medium",
            "1 MiB, c8: ms per GB, both cores",
            "machine_cpu_ms_per_gb",
            1.0,
        ),
        (
            "large",
            "100 MiB x100: ms per GB, both cores",
            "machine_cpu_ms_per_gb",
            1.0,
        ),
    ];
    let mut all = series.grouped(
        "files",
        scenarios.len(),
        |group, r| r["scenario"] == scenarios[group].0,
        |group, r| {
            let (_, _, key, scale) = scenarios[group];
            r[key].as_f64().map(|v| v * scale)
        },
    );
    // One scale for three units would hide the small ones: each group is
    // drawn relative to the first server's median in it (ours = 100).
    let mut base = BTreeMap::new();
    for bar in &all {
        base.entry(bar.group).or_insert(bar.stat.median);
    }
    for bar in &mut all {
        let b = base[&bar.group].max(f64::MIN_POSITIVE);
        bar.stat = Stat {
            median: bar.stat.median / b * 100.0,
            low: bar.stat.low / b * 100.0,
            high: bar.stat.high / b * 100.0,
        };
    }
    let groups: Vec<String> = scenarios.iter().map(|(_, g, _, _)| g.to_string()).collect();
    bars(
        out,
        "Static files: CPU per unit of work (eventcore = 100)",
        "relative CPU",
        &groups,
        &series.servers,
        &all,
    )
}

fn idle_bytes(series: &Series, out: &mut String) -> Result<(), String> {
    let all = series.grouped(
        "idle",
        1,
        |_, _| true,
        |_, r| r["user_bytes_per_connection"].as_f64(),
    );
    let held = (series.rows.iter())
        .find(|r| r["kind"] == "idle")
        .and_then(|r| r["connections"].as_u64())
        .unwrap_or(0);
    let groups = vec![format!(
        "{} idle keep-alive connections",
        figure(held as f64)
    )];
    bars(
        out,
        "Server memory per idle connection (user space)",
        "bytes",
        &groups,
        &series.servers,
        &all,
    )
}

fn proxy_load(series: &Series, out: &mut String) -> Result<(), String> {
    let scenarios = [
        ("plaintext-c64", "keep-alive, 64 connections"),
        ("pipelined16-c256", "pipelined 16, 256 connections"),
    ];
    let mut setups: Vec<String> = Vec::new();
    for row in series.rows.iter().filter(|r| r["kind"] == "load") {
        if let Some(setup) = row["setup"].as_str() {
            if !setups.iter().any(|s| s == setup) {
                setups.push(setup.to_string());
            }
        }
    }
    let mut all = Vec::new();
    for (group, (scenario, _)) in scenarios.iter().enumerate() {
        for (member, setup) in setups.iter().enumerate() {
            let values: Vec<f64> = (series.rows.iter())
                .filter(|r| {
                    r["kind"] == "load"
                        && r["setup"] == setup.as_str()
                        && r["scenario"] == *scenario
                })
                .filter_map(|r| r["cpu_us_per_request"].as_f64())
                .collect();
            if let Some(stat) = Stat::of(values) {
                all.push(Bar {
                    group,
                    member,
                    stat,
                    inner: None,
                });
            }
        }
    }
    let groups: Vec<String> = scenarios.iter().map(|(_, g)| g.to_string()).collect();
    bars(
        out,
        "Behind nginx: server CPU per request, all server processes",
        "µs per request",
        &groups,
        &setups,
        &all,
    )
}

fn million_memory(series: &Series, out: &mut String) -> Result<(), String> {
    let steps: Vec<&Value> = series.rows.iter().filter(|r| r["kind"] == "step").collect();
    let points = |key: &str| -> Vec<(f64, f64)> {
        steps
            .iter()
            .filter_map(|r| Some((r["held"].as_f64()? / 1e3, r[key].as_f64()?)))
            .collect()
    };
    let kernel = points("kernel_slab_bytes_per_pair");
    let user = points("server_user_bytes_per_connection");
    let right = kernel.iter().chain(&user).map(|p| p.0).fold(0.0, f64::max) * 1.05;
    let top = kernel.iter().chain(&user).map(|p| p.1).fold(0.0, f64::max) * 1.3;
    let error = |e: &dyn std::fmt::Display| e.to_string();
    let area = SVGBackend::with_string(out, (760, 420)).into_drawing_area();
    area.fill(&WHITE).map_err(|e| error(&e))?;
    let mut chart = ChartBuilder::on(&area)
        .caption(
            "Memory per connection as connections are added",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..right.max(1.0), 0.0..top.max(1.0))
        .map_err(|e| error(&e))?;
    chart
        .configure_mesh()
        .x_desc("connections held, thousands")
        .y_desc("bytes")
        .draw()
        .map_err(|e| error(&e))?;
    for (points, label, colour) in [
        (&kernel, "kernel slab, per connection pair", COLOURS[2]),
        (
            &user,
            "eventcore's processes, user space, per connection",
            COLOURS[0],
        ),
    ] {
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                colour.stroke_width(2),
            ))
            .map_err(|e| error(&e))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(|e| error(&e))?;
        let style = ("sans-serif", 10)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&(x, y)| Text::new(figure(y), (x, y * 1.02), style.clone())),
            )
            .map_err(|e| error(&e))?;
    }
    finish(chart, area, SeriesLabelPosition::UpperRight)
}

/// Draws every chart; with `check`, compares instead of writing. Returns
/// the problems found.
pub fn run(root: &Path, check: bool) -> io::Result<Vec<String>> {
    let mut problems = Vec::new();
    fs::create_dir_all(root.join(OUT))?;
    for chart in CHARTS {
        let series = Series::read(&root.join(chart.series))?;
        let mut svg = String::new();
        if let Err(e) = (chart.draw)(&series, &mut svg) {
            problems.push(format!("{}: {e}", chart.file));
            continue;
        }
        svg.push('\n');
        let path = root.join(OUT).join(chart.file);
        if check {
            match fs::read_to_string(&path) {
                Ok(committed) if committed == svg => {}
                Ok(_) => problems.push(format!(
                    "{OUT}/{} differs from what {} gives: run `cargo xtask charts`",
                    chart.file, chart.series
                )),
                Err(e) => problems.push(format!("{OUT}/{}: {e}", chart.file)),
            }
        } else {
            fs::write(&path, svg)?;
            println!("{OUT}/{} from {}", chart.file, chart.series);
        }
    }
    Ok(problems)
}
