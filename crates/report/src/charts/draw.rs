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
        Stroke::DashDot => {
            for piece in pattern_pieces(points, &DASH_DOT) {
                area.draw(&PathElement::new(piece, style))?;
            }
        }
    }
    Ok(())
}

/// Dash-dot as on/off lengths in pixels: a 12 px dash, a gap, a 3 px dot, a gap.
const DASH_DOT: [f64; 4] = [12.0, 5.0, 3.0, 5.0];

/// The drawn pieces of a polyline under a repeating on/off `pattern` (pixels), carried
/// across its corners, as plotters' dashed element has no dash-dot.
fn pattern_pieces(points: &[(i32, i32)], pattern: &[f64]) -> Vec<Vec<(i32, i32)>> {
    let mut pieces = Vec::new();
    let mut piece: Vec<(i32, i32)> = Vec::new();
    let (mut step, mut left) = (0, pattern[0]);
    let at = |a: (i32, i32), b: (i32, i32), t: f64| {
        let lerp =
            |p: i32, q: i32| (f64::from(p) + (f64::from(q) - f64::from(p)) * t).round() as i32;
        (lerp(a.0, b.0), lerp(a.1, b.1))
    };
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let length = f64::from(b.0 - a.0).hypot(f64::from(b.1 - a.1));
        let mut done = 0.0;
        while length - done > 1e-9 {
            let run = left.min(length - done);
            let on = step % 2 == 0;
            if on {
                if piece.is_empty() {
                    piece.push(at(a, b, done / length));
                }
                piece.push(at(a, b, (done + run) / length));
            }
            done += run;
            left -= run;
            if left <= 1e-9 {
                if on {
                    pieces.push(std::mem::take(&mut piece));
                }
                step = (step + 1) % pattern.len();
                left = pattern[step];
            }
        }
    }
    if piece.len() > 1 {
        pieces.push(piece);
    }
    pieces
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
        Marker::Square => {
            let corners = [(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)];
            area.draw(&Rectangle::new(corners, look.color.filled()))?;
        }
        Marker::HollowSquare => {
            let corners = [(at.0 - 5, at.1 - 5), (at.0 + 5, at.1 + 5)];
            area.draw(&Rectangle::new(corners, WHITE.filled()))?;
            area.draw(&Rectangle::new(corners, look.color.stroke_width(2)))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_dot_repeats_its_pattern_across_corners() {
        // A 25 px period: 44 px along x, then 22 px down, the dot at x = 42 turning the corner.
        let pieces = pattern_pieces(&[(0, 0), (44, 0), (44, 22)], &DASH_DOT);
        assert_eq!(
            pieces,
            vec![
                vec![(0, 0), (12, 0)],
                vec![(17, 0), (20, 0)],
                vec![(25, 0), (37, 0)],
                vec![(42, 0), (44, 0), (44, 1)],
                vec![(44, 6), (44, 18)],
            ]
        );
        assert!(pattern_pieces(&[(3, 3)], &DASH_DOT).is_empty());
    }
}
