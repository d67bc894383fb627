//! A statement as a PDF ("Estado de cuenta – <cliente> – <fecha>.pdf"), made in Rust with krilla
//! (the PDF writer Typst uses): text shaped, the fonts subset and embedded, so it reads the same
//! on any device and its text can be searched and copied. Laid out first (`layout`), then drawn
//! page by page with a footer numbering them.

mod fonts;
mod layout;
mod text;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::TextDirection;
use krilla::Document;

use self::layout::{Op, BOTTOM, LEFT, PAGE_H, PAGE_W, RIGHT};
use super::model::Statement;
use super::words;
use super::StatementError;
use crate::wire;

const INK: (u8, u8, u8) = (0x1f, 0x2a, 0x28);
const MUTED: (u8, u8, u8) = (0x5b, 0x6b, 0x67);
const BAND: (u8, u8, u8) = (0xf0, 0xed, 0xe4);

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Fill::default()
    }
}

/// The statement's PDF bytes.
pub fn render(statement: &Statement) -> Result<Vec<u8>, StatementError> {
    let faces = fonts::faces().ok_or(StatementError::Pdf("the embedded fonts are unreadable"))?;
    let pages = layout::layout(statement, faces);
    let count = pages.len();
    let words = words::of(statement.language);
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!(
                "{} – {} – {}",
                words.title, statement.customer.name, statement.date
            ))
            .language(wire::code(&statement.language))
            .creator("Cachicamo".to_owned()),
    );
    let size = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or(StatementError::Pdf("page size"))?;
    for (index, page_ops) in pages.into_iter().enumerate() {
        let mut page = document.start_page_with(size.clone());
        let mut surface = page.surface();
        for op in page_ops.ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    bold,
                    muted,
                    text,
                } => {
                    surface.set_fill(Some(fill(if muted { MUTED } else { INK })));
                    surface.draw_text(
                        Point::from_xy(x, y),
                        faces.face(bold).font.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rule { x0, x1, y, width } => {
                    let mut path = PathBuilder::new();
                    path.move_to(x0, y);
                    path.line_to(x1, y);
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(0xc9, 0xc3, 0xb4).into(),
                            width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                    }
                }
                Op::Band { y, h } => {
                    let mut path = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(LEFT, y, RIGHT - LEFT, h) {
                        path.push_rect(rect);
                    }
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(BAND)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        // The footer: whose statement, and which page of how many.
        let footer_y = BOTTOM + 30.0;
        surface.set_fill(Some(fill(MUTED)));
        let number = words::page_of(statement.language, index + 1, count);
        let number_width = faces.regular.width(&number, 8.0);
        surface.draw_text(
            Point::from_xy(RIGHT - number_width, footer_y),
            faces.regular.font.clone(),
            8.0,
            &number,
            false,
            TextDirection::Auto,
        );
        let who = layout::fit(
            &faces.regular,
            &format!("{} – {}", words.title, statement.customer.name),
            8.0,
            RIGHT - LEFT - number_width - 20.0,
        );
        surface.draw_text(
            Point::from_xy(LEFT, footer_y),
            faces.regular.font.clone(),
            8.0,
            &who,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|_| StatementError::Pdf("the PDF could not be written"))
}

/// How many pages a statement takes (for the preview, and tests of the layout).
pub fn page_count(statement: &Statement) -> usize {
    fonts::faces().map_or(0, |faces| layout::layout(statement, faces).len())
}
