//! The two kinds of plot the charts are made of: lines over a numeric x (with min–max
//! whiskers) and groups of bars over categories (with whiskers and value notes).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use waitbench_core::Spread;

use super::Outcome;
use super::axis::Axis;
use super::draw::{Area, DrawError, draw_marker, draw_pixel_bar, draw_pixel_line, wrap_px};
use super::figure::Figure;
use super::frame::{Chart, build_chart};
use super::legend::LegendEntry;
use super::look::{BarFill, Look, Stroke};
use super::theme::{INK, font, muted_font};

/// One measured value on a line, with its range across trials.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LinePoint {
    /// Data x.
    pub(crate) x: f64,
    /// Data y (the median).
    pub(crate) y: f64,
    /// Smallest and largest trial, drawn as a whisker when they differ.
    pub(crate) range: Option<(f64, f64)>,
}

/// A line to draw.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// How it looks.
    pub(crate) look: Look,
    /// Its points, in increasing x.
    pub(crate) points: Vec<LinePoint>,
}

/// Draws lines (in order, so later ones are on top), their markers and whiskers. Whiskers
/// of different lines at the same x are spread a few pixels apart so they stay visible,
/// and a whisker that runs past the axis ends in an arrow there instead of a cap, so a
/// cut range never reads as a measured end.
pub(crate) fn draw_lines(
    root: &Area<'_>,
    chart: &mut Chart<'_, '_>,
    x: &Axis,
    y: &Axis,
    lines: &[Line],
) -> Result<(), DrawError> {
    let n = lines.len() as f64;
    for (i, line) in lines.iter().enumerate() {
        let pixels: Vec<(i32, i32)> = line
            .points
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .map(|p| chart.backend_coord(&(x.pos(p.x), y.pos(p.y))))
            .collect();
        draw_pixel_line(root, &pixels, line.look.color, line.look.stroke, 3)?;
        let dodge = ((i as f64 - (n - 1.0) / 2.0) * 4.0).round() as i32;
        for p in &line.points {
            let Some((lo, hi)) = p.range else { continue };
            let (px, top) = chart.backend_coord(&(x.pos(p.x), y.pos(hi)));
            let (_, bottom) = chart.backend_coord(&(x.pos(p.x), y.pos(lo)));
            let (cut_top, cut_bottom) = (y.beyond(hi), y.beyond(lo));
            // A cut end is drawn however short the whisker, so the cut always shows.
            if bottom - top < 3 && !cut_top && !cut_bottom {
                continue;
            }
            let cx = px + dodge;
            let color = line.look.color;
            root.draw(&PathElement::new(
                vec![(cx, top), (cx, bottom)],
                color.stroke_width(2),
            ))?;
            draw_whisker_end(root, cx, top, cut_top, -1, color)?;
            draw_whisker_end(root, cx, bottom, cut_bottom, 1, color)?;
        }
        for at in &pixels {
            draw_marker(root, *at, line.look)?;
        }
    }
    Ok(())
}

/// One end of a whisker at pixel (`cx`, `at`): a cap, or an arrow pointing out of the plot
/// (`outwards` −1 up, +1 down) when the range was cut by the axis.
fn draw_whisker_end(
    root: &Area<'_>,
    cx: i32,
    at: i32,
    cut: bool,
    outwards: i32,
    color: RGBColor,
) -> Result<(), DrawError> {
    if cut {
        let base = at - outwards * 10;
        root.draw(&Polygon::new(
            vec![(cx - 6, base), (cx + 6, base), (cx, at)],
            color.filled(),
        ))?;
    } else {
        root.draw(&PathElement::new(
            vec![(cx - 5, at), (cx + 5, at)],
            color.stroke_width(2),
        ))?;
    }
    Ok(())
}

/// A horizontal reference line across the whole plot at data value `value`.
pub(crate) fn draw_hline(
    root: &Area<'_>,
    chart: &Chart<'_, '_>,
    x: &Axis,
    y: &Axis,
    value: f64,
    color: RGBColor,
) -> Result<(), DrawError> {
    let (x0, x1) = x.range();
    let a = chart.backend_coord(&(x0, y.pos(value)));
    let b = chart.backend_coord(&(x1, y.pos(value)));
    draw_pixel_line(root, &[a, b], color, Stroke::Dashed, 2)
}

/// One bar.
#[derive(Debug, Clone)]
pub(crate) struct Bar {
    /// Height in data units; `None` draws no bar (its notes sit on the axis).
    pub(crate) value: Option<f64>,
    /// Smallest and largest trial, drawn as a whisker.
    pub(crate) range: Option<(f64, f64)>,
    /// Colour.
    pub(crate) color: RGBColor,
    /// Fill.
    pub(crate) fill: BarFill,
    /// Text above the bar, top line first (value, saving, …).
    pub(crate) notes: Vec<String>,
}

impl Bar {
    /// A measured bar: the median of `spread` with its min–max whisker and `note` of the
    /// median above it; without a spread, no bar and the note `missing` on the axis.
    pub(crate) fn measured(
        spread: Option<Spread>,
        color: RGBColor,
        fill: BarFill,
        note: impl Fn(f64) -> String,
        missing: &str,
    ) -> Bar {
        Bar {
            value: spread.map(|s| s.median),
            range: spread.map(|s| (s.min, s.max)),
            color,
            fill,
            notes: vec![spread.map_or_else(|| missing.to_string(), |s| note(s.median))],
        }
    }
}

/// Bars side by side over one category label.
#[derive(Debug, Clone)]
pub(crate) struct BarGroup {
    /// Category label, wrapped under the axis.
    pub(crate) label: String,
    /// The bars, left to right.
    pub(crate) bars: Vec<Bar>,
}

const GROUP_LABEL_SIZE: f64 = 15.0;
const GROUP_LABEL_LINE: i32 = 19;
const NOTE_SIZE: f64 = 14.0;

/// A whole one-panel bar chart at `path`: the figure with its title, notes and legend,
/// then the bar groups on `y`.
pub(crate) fn bar_figure(
    path: &std::path::Path,
    title: &str,
    notes: &[String],
    legend: &[LegendEntry],
    y: &Axis,
    groups: &[BarGroup],
) -> Result<Outcome, DrawError> {
    let figure = Figure::new(path)?;
    let area = figure.layout(title, notes, legend)?;
    draw_bars(figure.root(), &area, None, y, groups)?;
    figure.finish()?;
    Ok(Outcome::Drawn)
}

/// Draws groups of bars on `area` against `y`, with category labels under the axis.
pub(crate) fn draw_bars(
    root: &Area<'_>,
    area: &Area<'_>,
    caption: Option<&str>,
    y: &Axis,
    groups: &[BarGroup],
) -> Result<(), DrawError> {
    let x = Axis::categories(groups.len());
    let plot_width = area.dim_in_pixel().0 as i32 - 132;
    let group_px = plot_width / groups.len().max(1) as i32;
    let label_style = font(GROUP_LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    let labels: Vec<Vec<String>> = groups
        .iter()
        .map(|g| wrap_px(area, &g.label, &label_style, group_px - 10, 3))
        .collect::<Result<_, _>>()?;
    let label_lines = labels.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let chart = build_chart(
        area,
        caption,
        &x,
        y,
        (16 + label_lines * GROUP_LABEL_LINE) as u32,
    )?;

    let bottom = y.bottom();
    for (g, group) in groups.iter().enumerate() {
        let k = group.bars.len().max(1) as f64;
        let slot = 0.8 / k;
        for (i, bar) in group.bars.iter().enumerate() {
            let left = g as f64 - 0.4 + i as f64 * slot;
            let (x0, x1) = (left + slot * 0.08, left + slot * 0.92);
            let (px0, base) = chart.backend_coord(&(x0, bottom));
            let (px1, _) = chart.backend_coord(&(x1, bottom));
            let mut top = base;
            if let Some(value) = bar.value.filter(|v| v.is_finite()) {
                let (_, py) = chart.backend_coord(&(x0, y.pos(value)));
                if py < base {
                    draw_pixel_bar(root, (px0, py), (px1, base), bar.color, bar.fill)?;
                }
                top = py.min(base);
            }
            let cx = (px0 + px1) / 2;
            if let Some((lo, hi)) = bar.range {
                let (_, pt) = chart.backend_coord(&(x0, y.pos(hi)));
                let (_, pb) = chart.backend_coord(&(x0, y.pos(lo)));
                if pb - pt >= 3 {
                    let style = INK.stroke_width(2);
                    root.draw(&PathElement::new(vec![(cx, pt), (cx, pb)], style))?;
                    root.draw(&PathElement::new(vec![(cx - 6, pt), (cx + 6, pt)], style))?;
                    root.draw(&PathElement::new(vec![(cx - 6, pb), (cx + 6, pb)], style))?;
                }
                top = top.min(pt);
            }
            draw_notes(root, &bar.notes, cx, top - 4, (px1 - px0) + 14)?;
        }
        let (gx, gy) = chart.backend_coord(&(g as f64, bottom));
        for (l, line) in labels[g].iter().enumerate() {
            let at = (gx, gy + 10 + l as i32 * GROUP_LABEL_LINE);
            root.draw(&Text::new(line.clone(), at, label_style.clone()))?;
        }
    }
    // Keep the chart borrowed until here so its drawing area outlives the pixel drawing.
    drop(chart);
    Ok(())
}

/// Stacks `notes` upwards from `bottom`, centred on `cx`; a note wider than `max_px` is
/// left out rather than drawn over its neighbours.
fn draw_notes(
    root: &Area<'_>,
    notes: &[String],
    cx: i32,
    bottom: i32,
    max_px: i32,
) -> Result<(), DrawError> {
    let style = muted_font(NOTE_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    let mut y = bottom;
    for note in notes.iter().rev() {
        let (w, _) = root.estimate_text_size(note, &style)?;
        if w as i32 > max_px {
            continue;
        }
        root.draw(&Text::new(note.clone(), (cx, y), style.clone()))?;
        y -= 18;
    }
    Ok(())
}
