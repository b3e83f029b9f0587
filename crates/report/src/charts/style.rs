//! The look every chart shares: canvas size, the bundled font, palette and text styles,
//! axes (linear, log10 or "nines" for percentiles, always with explicit ticks), and the
//! figure layout (title and notes on top, the plot, the legend below the plot so it
//! never covers data).

use std::path::Path;
use std::sync::OnceLock;

use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use waitbench_core::{Series, Variant};

/// Every chart is drawn at this size, in pixels.
pub(crate) const SIZE: (u32, u32) = (1200, 800);
/// Family name the bundled font is registered under.
const FONT: &str = "sans-serif";
/// DejaVu Sans (Bitstream Vera license, see `assets/LICENSE-DejaVu.txt`).
static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the bundled font with plotters once; false if it could not be parsed.
pub(crate) fn ensure_font() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED
        .get_or_init(|| plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok())
}

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text colour (notes, annotations).
pub(crate) const MUTED: RGBColor = RGBColor(90, 96, 104);
/// Colour of reference lines such as the Little's-law bound.
pub(crate) const REFERENCE: RGBColor = RGBColor(60, 60, 60);
/// Series colours (matplotlib's tab10, which stays distinguishable in print).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// A text style in the bundled font.
pub(crate) fn font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// A text style in the bundled font, in the secondary colour.
pub(crate) fn muted_font(size: f64) -> TextStyle<'static> {
    (FONT, size).into_font().color(&MUTED)
}

/// A drawing area on a PNG canvas, in pixels.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;
/// One coordinate axis as the charts use it: f64 in plot space with explicit bold and
/// light tick positions. (plotters' own `WithKeyPoints<RangedCoordf64>` cannot take a
/// label formatter, because f64 ranges opt out of default formatting.)
#[derive(Clone)]
pub(crate) struct AxisCoord {
    inner: RangedCoordf64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for AxisCoord {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}
/// A chart whose coordinates are in plot space (see [`Axis::pos`]).
pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<AxisCoord, AxisCoord>>;

/// A plotters failure, as text (plotters' errors are generic over the backend).
#[derive(Debug)]
pub(crate) struct DrawError(pub(crate) String);

impl<E: std::error::Error> From<E> for DrawError {
    fn from(err: E) -> Self {
        DrawError(err.to_string())
    }
}

/// How an axis maps data to the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Plot position = value.
    Linear,
    /// Plot position = log10(value).
    Log10,
    /// For percentiles 0..100: plot position = log10(1 / (1 − p/100)), so 90, 99, 99.9 … are
    /// evenly spaced (HdrHistogram's percentile distribution plot).
    Nines,
}

/// One axis: description with unit, scale, range and ticks (in plot space), and a label
/// format applied to data values.
pub(crate) struct Axis {
    desc: String,
    scale: Scale,
    range: (f64, f64),
    ticks: Vec<f64>,
    light: Vec<f64>,
    format: fn(f64) -> String,
}

impl Axis {
    /// A linear axis over `lo..=hi` with round ticks and some headroom.
    pub(crate) fn linear(desc: &str, lo: f64, hi: f64, format: fn(f64) -> String) -> Self {
        let (lo, hi) = if hi > lo {
            (lo, hi)
        } else if hi == 0.0 {
            (0.0, 1.0)
        } else {
            (lo.min(0.0), hi.abs() * 1.1 + f64::EPSILON)
        };
        let step = nice_step(hi - lo, 6.0);
        let start = (lo / step).floor() * step;
        let end = ((hi + (hi - lo) * 0.04) / step).ceil() * step;
        let ticks = (0..)
            .map(|i| start + f64::from(i) * step)
            .take_while(|t| *t <= end + step * 1e-6)
            .collect();
        Axis {
            desc: desc.to_string(),
            scale: Scale::Linear,
            range: (start, end),
            ticks,
            light: Vec::new(),
            format,
        }
    }

    /// A log10 axis over `lo..=hi` (both > 0) with 1-2-5 ticks.
    pub(crate) fn log(desc: &str, lo: f64, hi: f64, format: fn(f64) -> String) -> Self {
        let (plo, phi) = padded_log_range(lo, hi);
        let (ticks, light) = log_ticks(10f64.powf(plo), 10f64.powf(phi));
        Axis {
            desc: desc.to_string(),
            scale: Scale::Log10,
            range: (plo, phi),
            ticks: ticks.iter().map(|v| v.log10()).collect(),
            light: light.iter().map(|v| v.log10()).collect(),
            format,
        }
    }

    /// A log10 axis ticked at the measured values (e.g. the concurrency levels swept),
    /// falling back to 1-2-5 ticks when they are too many or too close together.
    pub(crate) fn log_at(desc: &str, values: &[f64], format: fn(f64) -> String) -> Self {
        let mut xs: Vec<f64> = values
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() <= f64::EPSILON * b.abs());
        let (Some(&lo), Some(&hi)) = (xs.first(), xs.last()) else {
            return Axis::log(desc, 1.0, 10.0, format);
        };
        let mut axis = if lo == hi {
            Axis::log(desc, lo / 3.0, hi * 3.0, format)
        } else {
            Axis::log(desc, lo, hi, format)
        };
        let span = axis.range.1 - axis.range.0;
        let well_spaced = xs.windows(2).all(|w| (w[1] / w[0]).log10() > span * 0.055);
        if xs.len() <= 12 && well_spaced {
            axis.ticks = xs.iter().map(|v| v.log10()).collect();
            let (decades, light) = log_ticks(10f64.powf(axis.range.0), 10f64.powf(axis.range.1));
            axis.light = decades
                .into_iter()
                .chain(light)
                .map(f64::log10)
                .filter(|p| axis.ticks.iter().all(|t| (t - p).abs() > 1e-9))
                .collect();
        }
        axis
    }

    /// A linear axis from 0 (or the smallest value, if negative) to the largest value, or a
    /// log axis when every value is positive and they span more than 10×.
    pub(crate) fn auto(
        desc: &str,
        values: impl IntoIterator<Item = f64>,
        format: fn(f64) -> String,
    ) -> Self {
        let Some((lo, hi)) = finite_range(values) else {
            return Axis::linear(desc, 0.0, 1.0, format);
        };
        if lo > 0.0 && hi / lo > 10.0 {
            Axis::log(desc, lo, hi, format)
        } else {
            Axis::linear(desc, lo.min(0.0), hi, format)
        }
    }

    /// An axis for bars: from 0 with headroom for the notes above the bars; or, when every
    /// value is positive and they span more than 10×, log10 reaching well below the
    /// smallest bar so that it stays visible.
    pub(crate) fn for_bars(
        desc: &str,
        values: impl IntoIterator<Item = f64>,
        format: fn(f64) -> String,
    ) -> Self {
        let Some((lo, hi)) = finite_range(values) else {
            return Axis::linear(desc, 0.0, 1.0, format);
        };
        if lo > 0.0 && hi / lo > 10.0 {
            Axis::log(desc, lo / 2.5, hi * 1.8, format)
        } else {
            Axis::linear(desc, lo.min(0.0), hi * 1.12, format)
        }
    }

    /// An axis of percentiles on the "nines" scale, from 0 to at least 99.99 %.
    pub(crate) fn nines(desc: &str, highest_percentile: f64) -> Self {
        let top = nines_pos(highest_percentile).ceil().clamp(4.0, 7.0);
        let ticks = [0.0, 2f64.log10()]
            .into_iter()
            .chain((1..=top as i32).map(f64::from))
            .collect();
        Axis {
            desc: desc.to_string(),
            scale: Scale::Nines,
            range: (0.0, top + 0.1),
            ticks,
            light: Vec::new(),
            format: format_percentile,
        }
    }

    /// A category axis for `n` groups of bars at plot positions 0 … n−1, without ticks.
    pub(crate) fn categories(n: usize) -> Self {
        Axis {
            desc: String::new(),
            scale: Scale::Linear,
            range: (-0.5, n as f64 - 0.5),
            ticks: Vec::new(),
            light: Vec::new(),
            format: |_| String::new(),
        }
    }

    /// Where a data value goes in plot space, clamped to the axis.
    pub(crate) fn pos(&self, value: f64) -> f64 {
        let p = match self.scale {
            Scale::Linear => value,
            Scale::Log10 if value > 0.0 => value.log10(),
            Scale::Log10 => f64::NEG_INFINITY,
            Scale::Nines => nines_pos(value),
        };
        p.clamp(self.range.0, self.range.1)
    }

    /// The lowest plot position (where bars start).
    pub(crate) fn bottom(&self) -> f64 {
        match self.scale {
            Scale::Linear => 0f64.clamp(self.range.0, self.range.1),
            Scale::Log10 | Scale::Nines => self.range.0,
        }
    }

    /// Both ends in plot space.
    pub(crate) fn range(&self) -> (f64, f64) {
        self.range
    }

    /// Whether the axis is logarithmic.
    pub(crate) fn is_log(&self) -> bool {
        self.scale == Scale::Log10
    }

    fn label(&self, p: f64) -> String {
        let value = match self.scale {
            Scale::Linear => p,
            Scale::Log10 => 10f64.powf(p),
            Scale::Nines => 100.0 * (1.0 - 10f64.powf(-p)),
        };
        // Round-trip noise (e.g. 10^log10(300) = 299.99999999999994) must not show.
        let value = if value.abs() > 1e-9 {
            let digits = 12 - value.abs().log10().floor() as i32;
            let scale = 10f64.powi(digits);
            (value * scale).round() / scale
        } else {
            0.0
        };
        (self.format)(value)
    }

    fn coord(&self) -> AxisCoord {
        AxisCoord {
            inner: (self.range.0..self.range.1).into(),
            bold: self.ticks.clone(),
            light: self.light.clone(),
        }
    }
}

fn nines_pos(percentile: f64) -> f64 {
    if percentile >= 100.0 {
        f64::INFINITY
    } else {
        -(1.0 - percentile / 100.0).log10()
    }
}

fn format_percentile(p: f64) -> String {
    let text = format!("{p:.5}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// A round step (1, 2, 2.5 or 5 × 10^k) giving about `target` intervals over `span`.
fn nice_step(span: f64, target: f64) -> f64 {
    let raw = (span / target).max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let norm = raw / magnitude;
    let m = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * magnitude
}

/// log10 range of `lo..=hi` with a margin so points do not sit on the frame.
fn padded_log_range(lo: f64, hi: f64) -> (f64, f64) {
    let (lo, hi) = (lo.max(f64::MIN_POSITIVE), hi.max(f64::MIN_POSITIVE));
    let (l, h) = (lo.log10(), hi.max(lo).log10());
    let pad = ((h - l) * 0.06).max(0.08);
    (l - pad, h + pad)
}

/// Bold 1-2-5 (or decade) ticks and light 1…9 ticks within `lo..=hi`, in data space.
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = k1 - k0;
    let bold_mantissas: &[u32] = match decades {
        ..=1 => &[1, 2, 3, 5],
        2..=4 => &[1, 2, 5],
        _ => &[1],
    };
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    for k in k0..=k1 {
        for m in 1..=9u32 {
            let v = f64::from(m) * 10f64.powi(k);
            if v < lo * (1.0 - 1e-9) || v > hi * (1.0 + 1e-9) {
                continue;
            }
            if bold_mantissas.contains(&m) {
                bold.push(v);
            } else {
                light.push(v);
            }
        }
    }
    if bold.len() < 2 {
        bold.append(&mut light);
        bold.sort_by(f64::total_cmp);
    }
    (bold, light)
}

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stroke {
    /// A solid line.
    Solid,
    /// A dashed line (library defaults; predictions).
    Dashed,
    /// A dotted line (per-series bounds).
    Dotted,
}

/// The marker at each measured point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// No marker.
    None,
    /// A filled circle.
    Filled,
    /// A hollow circle.
    Hollow,
}

/// Colour, stroke and marker of one line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Look {
    /// Line colour.
    pub(crate) color: RGBColor,
    /// Line stroke.
    pub(crate) stroke: Stroke,
    /// Point marker.
    pub(crate) marker: Marker,
}

/// How a bar is filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BarFill {
    /// Solid colour (a measurement).
    Solid,
    /// A pale fill with a solid border (a measurement with library defaults).
    Light,
    /// A faint fill with a dashed border (a prediction).
    Outline,
}

/// The look of each series, stable across charts: one colour per strategy, dashed and
/// hollow for library defaults, solid for right-sized; one colour per series instead when
/// two series would otherwise look the same.
pub(crate) fn series_looks(series: &[Series]) -> Vec<Look> {
    let mut strategies: Vec<&str> = Vec::new();
    for s in series {
        if !strategies.contains(&s.strategy.as_str()) {
            strategies.push(&s.strategy);
        }
    }
    let mut keys: Vec<(&str, Variant)> = series
        .iter()
        .map(|s| (s.strategy.as_str(), s.variant))
        .collect();
    keys.sort_by_key(|(name, variant)| (*name, *variant as u8));
    keys.dedup();
    let by_strategy = keys.len() == series.len();
    series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let color_index = if by_strategy {
                strategies
                    .iter()
                    .position(|name| *name == s.strategy)
                    .unwrap_or(i)
            } else {
                i
            };
            let defaults = s.variant == Variant::Defaults;
            Look {
                color: PALETTE[color_index % PALETTE.len()],
                stroke: if defaults && by_strategy {
                    Stroke::Dashed
                } else {
                    Stroke::Solid
                },
                marker: if defaults {
                    Marker::Hollow
                } else {
                    Marker::Filled
                },
            }
        })
        .collect()
}

/// The fill a series' bars get: pale for library defaults, solid otherwise.
pub(crate) fn bar_fill(series: &Series) -> BarFill {
    if series.variant == Variant::Defaults {
        BarFill::Light
    } else {
        BarFill::Solid
    }
}

/// What a legend entry shows beside its label.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Swatch {
    /// A short line with its marker.
    Line(Look),
    /// A small bar.
    Bar(RGBColor, BarFill),
}

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendEntry {
    /// The text.
    pub(crate) label: String,
    /// What to draw beside it.
    pub(crate) swatch: Swatch,
}

/// A legend of solid bar swatches for charts with one bar colour per metric: each name
/// beside its `PALETTE` colour.
pub(crate) fn metric_legend<'a>(
    names: impl IntoIterator<Item = &'a str>,
    colors: &[usize],
) -> Vec<LegendEntry> {
    names
        .into_iter()
        .zip(colors)
        .map(|(name, &color)| LegendEntry {
            label: name.to_string(),
            swatch: Swatch::Bar(PALETTE[color], BarFill::Solid),
        })
        .collect()
}

const MARGIN: i32 = 24;
const TITLE_SIZE: f64 = 30.0;
const NOTE_SIZE: f64 = 17.0;
const NOTE_LINE: i32 = 23;
const LEGEND_SIZE: f64 = 17.0;
const LEGEND_ROW: i32 = 30;
const SWATCH: i32 = 38;

/// A PNG being drawn; [`Figure::finish`] writes it.
pub(crate) struct Figure<'a> {
    root: Area<'a>,
}

impl<'a> Figure<'a> {
    /// A white canvas of [`SIZE`] that will be written to `path`.
    pub(crate) fn new(path: &'a Path) -> Result<Self, DrawError> {
        let root = BitMapBackend::new(path, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        Ok(Figure { root })
    }

    /// The whole canvas, in pixels (for drawing at coordinates from `backend_coord`).
    pub(crate) fn root(&self) -> &Area<'a> {
        &self.root
    }

    /// Draws the title, the notes under it and the legend at the bottom, and returns the
    /// area left for the plot(s).
    pub(crate) fn layout(
        &self,
        title: &str,
        notes: &[String],
        legend: &[LegendEntry],
    ) -> Result<Area<'a>, DrawError> {
        let (width, height) = SIZE;
        let text_width = width as i32 - 2 * MARGIN;
        self.root.draw(&Text::new(
            title.to_string(),
            (MARGIN, 18),
            font(TITLE_SIZE),
        ))?;
        let mut y = 18 + TITLE_SIZE as i32 + 12;
        for note in notes {
            // ab_glyph's width estimate runs a little short of the drawn text: keep a margin.
            let wrap_width = text_width * 92 / 100;
            for line in wrap_px(&self.root, note, &muted_font(NOTE_SIZE), wrap_width, 3)? {
                self.root
                    .draw(&Text::new(line, (MARGIN, y), muted_font(NOTE_SIZE)))?;
                y += NOTE_LINE;
            }
        }
        let header = y + 6;

        let rows = self.legend_rows(legend, text_width)?;
        let legend_height = if rows.is_empty() {
            0
        } else {
            rows.len() as i32 * LEGEND_ROW + 18
        };
        let top_of_legend = height as i32 - legend_height;
        for (r, row) in rows.iter().enumerate() {
            let row_width: i32 = row.iter().map(|(_, w)| w).sum();
            let mut x = (width as i32 - row_width) / 2;
            let y = top_of_legend + 6 + r as i32 * LEGEND_ROW + LEGEND_ROW / 2;
            for (entry, entry_width) in row {
                self.draw_swatch(entry.swatch, x, y)?;
                let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
                self.root
                    .draw(&Text::new(entry.label.clone(), (x + SWATCH + 8, y), style))?;
                x += entry_width;
            }
        }
        Ok(self.root.margin(header as u32, legend_height as u32, 8, 8))
    }

    /// Lays legend entries out in centred rows; each entry comes with its width.
    fn legend_rows<'e>(
        &self,
        legend: &'e [LegendEntry],
        max_width: i32,
    ) -> Result<Vec<Vec<(&'e LegendEntry, i32)>>, DrawError> {
        let mut rows: Vec<Vec<(&LegendEntry, i32)>> = Vec::new();
        let mut used = 0;
        for entry in legend {
            let (text_width, _) = self
                .root
                .estimate_text_size(&entry.label, &font(LEGEND_SIZE))?;
            let entry_width = SWATCH + 8 + text_width as i32 + 30;
            match rows.last_mut() {
                Some(row) if used + entry_width <= max_width => row.push((entry, entry_width)),
                _ => {
                    rows.push(vec![(entry, entry_width)]);
                    used = 0;
                }
            }
            used += entry_width;
        }
        Ok(rows)
    }

    fn draw_swatch(&self, swatch: Swatch, x: i32, y: i32) -> Result<(), DrawError> {
        match swatch {
            Swatch::Line(look) => {
                let ends = [(x, y), (x + SWATCH, y)];
                draw_pixel_line(&self.root, &ends, look.color, look.stroke, 3)?;
                draw_marker(&self.root, (x + SWATCH / 2, y), look)?;
            }
            Swatch::Bar(color, fill) => {
                draw_pixel_bar(
                    &self.root,
                    (x + 4, y - 9),
                    (x + SWATCH - 4, y + 9),
                    color,
                    fill,
                )?;
            }
        }
        Ok(())
    }

    /// Writes the PNG.
    pub(crate) fn finish(self) -> Result<(), DrawError> {
        self.root.present()?;
        Ok(())
    }
}

/// A polyline in pixel coordinates with the given stroke.
pub(crate) fn draw_pixel_line(
    area: &Area<'_>,
    points: &[(i32, i32)],
    color: RGBColor,
    stroke: Stroke,
    width: u32,
) -> Result<(), DrawError> {
    let style = color.stroke_width(width);
    match stroke {
        Stroke::Solid => area.draw(&PathElement::new(points.to_vec(), style))?,
        Stroke::Dashed => {
            area.draw(&DashedPathElement::new(
                points.iter().copied(),
                10,
                6,
                style,
            ))?;
        }
        Stroke::Dotted => {
            area.draw(&DashedPathElement::new(points.iter().copied(), 3, 5, style))?;
        }
    }
    Ok(())
}

/// A point marker at a pixel position.
pub(crate) fn draw_marker(area: &Area<'_>, at: (i32, i32), look: Look) -> Result<(), DrawError> {
    match look.marker {
        Marker::None => {}
        Marker::Filled => area.draw(&Circle::new(at, 5, look.color.filled()))?,
        Marker::Hollow => {
            area.draw(&Circle::new(at, 5, WHITE.filled()))?;
            area.draw(&Circle::new(at, 5, look.color.stroke_width(2)))?;
        }
    }
    Ok(())
}

/// A bar between two pixel corners.
pub(crate) fn draw_pixel_bar(
    area: &Area<'_>,
    a: (i32, i32),
    b: (i32, i32),
    color: RGBColor,
    fill: BarFill,
) -> Result<(), DrawError> {
    match fill {
        BarFill::Solid => area.draw(&Rectangle::new([a, b], color.filled()))?,
        BarFill::Light => {
            area.draw(&Rectangle::new([a, b], color.mix(0.35).filled()))?;
            area.draw(&Rectangle::new([a, b], color.stroke_width(2)))?;
        }
        BarFill::Outline => {
            area.draw(&Rectangle::new([a, b], color.mix(0.10).filled()))?;
            let outline = [(a.0, a.1), (b.0, a.1), (b.0, b.1), (a.0, b.1), (a.0, a.1)];
            area.draw(&DashedPathElement::new(
                outline,
                8,
                5,
                color.stroke_width(2),
            ))?;
        }
    }
    Ok(())
}

/// Builds a chart on `area` and draws its frame, grid, tick labels and axis descriptions.
pub(crate) fn build_chart<'a, 'b>(
    area: &'a Area<'b>,
    caption: Option<&str>,
    x: &Axis,
    y: &Axis,
    x_label_area: u32,
) -> Result<Chart<'a, 'b>, DrawError> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin_left(6)
        .margin_right(40)
        .margin_top(10)
        .margin_bottom(4)
        .x_label_area_size(x_label_area)
        .y_label_area_size(100);
    if let Some(caption) = caption {
        builder.caption(caption, font(20.0));
    }
    let mut chart = builder.build_cartesian_2d(x.coord(), y.coord())?;
    let x_format = |p: &f64| x.label(*p);
    let y_format = |p: &f64| y.label(*p);
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(&x_format)
        .y_label_formatter(&y_format)
        .label_style(font(16.0))
        .axis_desc_style(font(19.0))
        .bold_line_style(BLACK.mix(0.14))
        .light_line_style(BLACK.mix(0.05))
        .axis_style(INK.stroke_width(1));
    if !x.desc.is_empty() {
        mesh.x_desc(x.desc.as_str());
    }
    if !y.desc.is_empty() {
        mesh.y_desc(y.desc.as_str());
    }
    mesh.draw()?;
    Ok(chart)
}

/// Greedy word wrap to `max_px` pixels in `style`, at most `max_lines` lines (the last one
/// ends in "…" when text is cut).
pub(crate) fn wrap_px(
    area: &Area<'_>,
    text: &str,
    style: &TextStyle<'_>,
    max_px: i32,
    max_lines: usize,
) -> Result<Vec<String>, DrawError> {
    let fits = |s: &str| -> Result<bool, DrawError> {
        Ok(area.estimate_text_size(s, style)?.0 as i32 <= max_px)
    };
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if fits(&candidate)? || line.is_empty() {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        let last = lines.last_mut().expect("max_lines lines were kept");
        last.push('…');
    }
    // A single word wider than the line is cut to fit.
    for line in &mut lines {
        while !fits(line)? && line.chars().count() > 2 {
            line.pop();
            line.pop();
            line.push('…');
        }
    }
    Ok(lines)
}

/// The smallest and largest finite values, or `None` when there are none.
fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_axis_ticks_follow_one_two_five() {
        let (bold, light) = log_ticks(1.0, 1000.0);
        assert_eq!(
            bold,
            [1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]
        );
        assert!(light.contains(&3.0));
    }

    #[test]
    fn measured_concurrency_levels_become_the_ticks() {
        let axis = Axis::log_at("c", &[1.0, 10.0, 100.0, 1000.0, 5000.0], |v| v.to_string());
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["1", "10", "100", "1000", "5000"]);
    }

    #[test]
    fn nines_axis_labels_the_classic_percentiles() {
        let axis = Axis::nines("p", 99.99);
        let labels: Vec<String> = axis.ticks.iter().map(|t| axis.label(*t)).collect();
        assert_eq!(labels, ["0%", "50%", "90%", "99%", "99.9%", "99.99%"]);
    }

    #[test]
    fn auto_axis_goes_log_only_beyond_ten_times() {
        assert!(Axis::auto("y", [1.0, 50.0], |v| v.to_string()).is_log());
        assert!(!Axis::auto("y", [1.0, 5.0], |v| v.to_string()).is_log());
        assert!(!Axis::auto("y", [0.0, 50.0], |v| v.to_string()).is_log());
    }

    #[test]
    fn linear_axis_ticks_are_round() {
        let axis = Axis::linear("y", 0.0, 87.0, |v| v.to_string());
        assert_eq!(axis.ticks.first(), Some(&0.0));
        assert!(axis.range.1 >= 87.0);
        assert!(
            axis.ticks
                .windows(2)
                .all(|w| ((w[1] - w[0]) - 20.0).abs() < 1e-9)
        );
    }
}
