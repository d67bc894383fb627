//! The two faces every statement PDF embeds (DejaVu Sans Condensed, regular and bold: every
//! letter Spanish and English need, under a licence that allows embedding — see
//! `assets/fonts/LICENSE`), and how wide a text is in them, so columns can be laid out and long
//! texts wrapped before anything is drawn.

use std::sync::OnceLock;

use krilla::text::Font;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, GlyphId, MetadataProvider};

static REGULAR_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed.ttf");
static BOLD_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

/// Advances of the characters most statements use, looked up once.
const CACHED: usize = 0x0250;

/// One face: what krilla draws with, and its glyph advances in em.
pub(super) struct Face {
    pub font: Font,
    bytes: &'static [u8],
    cached: Vec<f32>,
    notdef: f32,
}

impl Face {
    fn new(bytes: &'static [u8]) -> Option<Face> {
        let font = Font::new(bytes.into(), 0)?;
        let reader = FontRef::new(bytes).ok()?;
        let upem = f32::from(
            reader
                .metrics(Size::unscaled(), LocationRef::default())
                .units_per_em,
        );
        let metrics = reader.glyph_metrics(Size::unscaled(), LocationRef::default());
        let charmap = reader.charmap();
        let advance = |gid: GlyphId| metrics.advance_width(gid).unwrap_or(0.0) / upem;
        let notdef = advance(GlyphId::NOTDEF);
        let cached = (0..CACHED as u32)
            .map(|c| charmap.map(c).map_or(notdef, advance))
            .collect();
        Some(Face {
            font,
            bytes,
            cached,
            notdef,
        })
    }

    /// The width of `text` at `size` points (kerning aside: a little generous, never short).
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let mut ems = 0.0;
        let mut rare: Option<(FontRef<'static>, f32)> = None;
        for c in text.chars() {
            ems += match self.cached.get(c as usize) {
                Some(advance) => *advance,
                None => {
                    let (reader, upem) = match &rare {
                        Some(found) => found,
                        None => {
                            let Ok(reader) = FontRef::new(self.bytes) else {
                                return ems * size;
                            };
                            let upem = f32::from(
                                reader
                                    .metrics(Size::unscaled(), LocationRef::default())
                                    .units_per_em,
                            );
                            rare.insert((reader, upem))
                        }
                    };
                    let metrics = reader.glyph_metrics(Size::unscaled(), LocationRef::default());
                    reader
                        .charmap()
                        .map(c)
                        .and_then(|gid| metrics.advance_width(gid))
                        .map_or(self.notdef, |units| units / upem)
                }
            };
        }
        ems * size
    }
}

pub(super) struct Faces {
    pub regular: Face,
    pub bold: Face,
}

impl Faces {
    pub fn face(&self, bold: bool) -> &Face {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }
}

/// The embedded faces, read once. `None` only if the fonts compiled in are unreadable (a broken
/// build, caught by the tests).
pub(super) fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: Face::new(REGULAR_BYTES)?,
                bold: Face::new(BOLD_BYTES)?,
            })
        })
        .as_ref()
}
