//! The plot frame every chart draws in: a plotters chart on two [`Axis`]es, with the
//! same margins, grid, tick labels and axis descriptions whatever is plotted in it, so
//! line plots and bar plots side by side line up.

use plotters::prelude::*;

use super::axis::{Axis, AxisCoord};
use super::draw::{Area, DrawError};
use super::theme::{INK, font};

/// A chart whose coordinates are in plot space (see [`Axis::pos`]).
pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<AxisCoord, AxisCoord>>;

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
    if !x.desc().is_empty() {
        mesh.x_desc(x.desc());
    }
    if !y.desc().is_empty() {
        mesh.y_desc(y.desc());
    }
    mesh.draw()?;
    Ok(chart)
}
