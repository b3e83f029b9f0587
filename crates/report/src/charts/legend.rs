//! The legend: what each entry shows (a line with its marker, or a bar swatch) and how
//! entries are laid out in centred rows below the plot, where they never cover data.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{Area, DrawError, draw_marker, draw_pixel_bar, draw_pixel_line};
use super::look::{BarFill, Look};
use super::theme::{PALETTE, font};

const LEGEND_SIZE: f64 = 17.0;
const LEGEND_ROW: i32 = 30;
const SWATCH: i32 = 38;

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

/// Draws `legend` in centred rows, each at most `max_width` pixels wide, along the bottom
/// of `root`; returns the height it takes (0 when there is no entry).
pub(crate) fn draw_legend(
    root: &Area<'_>,
    legend: &[LegendEntry],
    max_width: i32,
) -> Result<i32, DrawError> {
    let (width, height) = root.dim_in_pixel();
    let rows = legend_rows(root, legend, max_width)?;
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
            draw_swatch(root, entry.swatch, x, y)?;
            let style = font(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(entry.label.clone(), (x + SWATCH + 8, y), style))?;
            x += entry_width;
        }
    }
    Ok(legend_height)
}

/// Lays legend entries out in rows of at most `max_width` pixels; each entry comes with
/// its width.
fn legend_rows<'e>(
    root: &Area<'_>,
    legend: &'e [LegendEntry],
    max_width: i32,
) -> Result<Vec<Vec<(&'e LegendEntry, i32)>>, DrawError> {
    let mut rows: Vec<Vec<(&LegendEntry, i32)>> = Vec::new();
    let mut used = 0;
    for entry in legend {
        let (text_width, _) = root.estimate_text_size(&entry.label, &font(LEGEND_SIZE))?;
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

/// The swatch of one entry, centred vertically on `y`, starting at `x`.
fn draw_swatch(root: &Area<'_>, swatch: Swatch, x: i32, y: i32) -> Result<(), DrawError> {
    match swatch {
        Swatch::Line(look) => {
            let ends = [(x, y), (x + SWATCH, y)];
            draw_pixel_line(root, &ends, look.color, look.stroke, 3)?;
            draw_marker(root, (x + SWATCH / 2, y), look)?;
        }
        Swatch::Bar(color, fill) => {
            draw_pixel_bar(root, (x + 4, y - 9), (x + SWATCH - 4, y + 9), color, fill)?;
        }
    }
    Ok(())
}
