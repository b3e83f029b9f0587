//! Drawing in pixel space, below the level of a plot: the canvas area type, the error
//! every drawing step returns, the primitive shapes (lines in each stroke, markers, bars
//! in each fill) and word wrap to a width in pixels. Plots, legends and the figure
//! layout all draw through these, so a stroke or a fill looks the same wherever it is.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::look::{BarFill, Look, Marker, Stroke};

/// A drawing area on a PNG canvas, in pixels.
pub(crate) type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// A plotters failure, as text (plotters' errors are generic over the backend).
#[derive(Debug)]
pub(crate) struct DrawError(pub(crate) String);

impl<E: std::error::Error> From<E> for DrawError {
    fn from(err: E) -> Self {
        DrawError(err.to_string())
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
        BarFill::Striped => {
            area.draw(&Rectangle::new([a, b], color.mix(0.25).filled()))?;
            let (top, bottom) = (a.1.min(b.1), a.1.max(b.1));
            for y in (top..bottom).step_by(6) {
                area.draw(&PathElement::new(
                    [(a.0, y), (b.0, y)],
                    color.stroke_width(2),
                ))?;
            }
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
