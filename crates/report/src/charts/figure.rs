//! The figure: one PNG canvas with the title and notes on top, the legend at the bottom
//! and the area left between them for the plot(s), so every chart frames its plots the
//! same way and [`Figure::finish`] is the one place a PNG is written.

use std::path::Path;

use plotters::prelude::*;

use super::draw::{Area, DrawError, wrap_px};
use super::legend::{LegendEntry, draw_legend};
use super::theme::{SIZE, font, muted_font};

const MARGIN: i32 = 24;
const TITLE_SIZE: f64 = 30.0;
const NOTE_SIZE: f64 = 17.0;
const NOTE_LINE: i32 = 23;

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
        let (width, _) = SIZE;
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
        let legend_height = draw_legend(&self.root, legend, text_width)?;
        Ok(self.root.margin(header as u32, legend_height as u32, 8, 8))
    }

    /// Writes the PNG.
    pub(crate) fn finish(self) -> Result<(), DrawError> {
        self.root.present()?;
        Ok(())
    }
}
