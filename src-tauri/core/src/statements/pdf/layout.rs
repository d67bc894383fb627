//! Where everything of a statement goes on A4 pages, decided before anything is drawn: the
//! business and the customer head the first page, each currency's table follows with its
//! heading row repeated on every page it continues on, a row is never split across pages, and
//! long texts wrap inside their column (a concept to three lines at most, then "…"). Amounts
//! are never cut: a figure too wide for its column is set smaller instead.

use super::fonts::Faces;
pub(super) use super::text::{fit, fitting_size, wrap};
use crate::books::reading::Reading;
use crate::statements::model::{CurrencyGroup, Statement, StatementLine};
use crate::statements::render::{date, document, group_notes, payment_sentences};
use crate::statements::words::{self, Words};

pub(super) const PAGE_W: f32 = 595.28;
pub(super) const PAGE_H: f32 = 841.89;
pub(super) const LEFT: f32 = 40.0;
pub(super) const RIGHT: f32 = PAGE_W - 40.0;
const TOP: f32 = 44.0;
/// Rows end above this; the footer lives below it.
pub(super) const BOTTOM: f32 = PAGE_H - 56.0;

const TABLE_SIZE: f32 = 8.0;
const LEADING: f32 = 10.0;
const PAD: f32 = 3.0;
const CONCEPT_LINES: usize = 3;
const DOCUMENT_LINES: usize = 2;

/// Something to draw; `y` is a text's baseline, from the top of the page.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        muted: bool,
        text: String,
    },
    Rule {
        x0: f32,
        x1: f32,
        y: f32,
        width: f32,
    },
    /// A light band behind a heading row.
    Band { y: f32, h: f32 },
}

#[derive(Debug, Default)]
pub(super) struct Page {
    pub ops: Vec<Op>,
}

/// The table's columns: where each starts, how wide it is, whether its figures align right.
const COLUMNS: [(f32, bool); 8] = [
    (56.0, false),  // document
    (112.0, false), // concept
    (50.0, false),  // issued
    (54.0, false),  // due
    (40.0, true),   // days overdue
    (67.66, true),  // amount
    (67.66, true),  // paid
    (67.66, true),  // balance
];

fn column(index: usize) -> (f32, f32, bool) {
    let x = LEFT + COLUMNS[..index].iter().map(|(w, _)| w).sum::<f32>();
    let (width, right) = COLUMNS[index];
    (x, width, right)
}

struct Layout<'a> {
    faces: &'a Faces,
    statement: &'a Statement,
    words: Words,
    reading: Reading,
    pages: Vec<Page>,
    y: f32,
}

/// The pages of `statement`, every op placed.
pub(super) fn layout(statement: &Statement, faces: &Faces) -> Vec<Page> {
    let mut layout = Layout {
        faces,
        statement,
        words: words::of(statement.language),
        reading: statement.reading(),
        pages: Vec::new(),
        y: TOP,
    };
    layout.first_page();
    for group in &statement.groups {
        layout.group(group);
    }
    layout.payments();
    layout.methods();
    layout.pages
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last].ops
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, muted: bool, text: String) {
        if text.is_empty() {
            return;
        }
        self.ops().push(Op::Text {
            x,
            y,
            size,
            bold,
            muted,
            text,
        });
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: String) {
        let x = right - self.faces.face(bold).width(&text, size);
        self.text(x, y, size, bold, false, text);
    }

    fn rule(&mut self, y: f32, width: f32) {
        self.ops().push(Op::Rule {
            x0: LEFT,
            x1: RIGHT,
            y,
            width,
        });
    }

    /// A new page, headed by a line saying whose statement it continues.
    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = TOP;
        let heading = format!(
            "{} · {} {} {} · {}",
            self.statement.business.name,
            self.words.title,
            self.words.as_of,
            date(&self.reading, &self.statement.date),
            self.statement.customer.name
        );
        let heading = fit(
            &self.faces.regular,
            heading.trim_start_matches(" · "),
            8.0,
            RIGHT - LEFT,
        );
        self.text(LEFT, self.y, 8.0, false, true, heading);
        self.y += 6.0;
        self.rule(self.y, 0.5);
        self.y += 14.0;
    }

    /// Starts a new page unless `height` more fits on this one; true when it did.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height <= BOTTOM {
            return false;
        }
        self.new_page();
        true
    }

    /// Lines of running text across the page, breaking pages between lines.
    fn paragraph(&mut self, text: &str, size: f32, bold: bool, max_lines: usize) {
        let width = RIGHT - LEFT;
        for source in text.lines() {
            let lines = if source.trim().is_empty() {
                vec![String::new()]
            } else {
                wrap(self.faces.face(bold), source, size, width, max_lines)
            };
            for line in lines {
                self.ensure(size + 4.0);
                self.y += size + 3.0;
                self.text(LEFT, self.y, size, bold, false, line);
            }
        }
    }

    fn first_page(&mut self) {
        self.pages.push(Page::default());
        let statement = self.statement;
        let regular = &self.faces.regular;
        let bold = &self.faces.bold;
        let left_width = 300.0;
        // The business, top left.
        let mut left_y = TOP;
        if !statement.business.name.is_empty() {
            for line in wrap(bold, &statement.business.name, 15.0, left_width, 2) {
                left_y += 15.0;
                self.text(LEFT, left_y, 15.0, true, false, line);
                left_y += 3.0;
            }
        }
        let mut details: Vec<String> = Vec::new();
        if let Some(tax_id) = &statement.business.tax_id {
            details.push(tax_id.clone());
        }
        if let Some(address) = &statement.business.address {
            details.extend(wrap(regular, address, 9.0, left_width, 3));
        }
        if let Some(phone) = &statement.business.phone {
            details.push(fit(regular, phone, 9.0, left_width));
        }
        for line in details {
            left_y += 11.0;
            let line = fit(regular, &line, 9.0, left_width);
            self.text(LEFT, left_y, 9.0, false, true, line);
        }
        // The title and date, top right.
        let mut right_y = TOP + 15.0;
        self.text_right(RIGHT, right_y, 14.0, true, self.words.title.to_owned());
        right_y += 14.0;
        let as_of = format!(
            "{} {}",
            self.words.as_of,
            date(&self.reading, &statement.date)
        );
        self.text_right(RIGHT, right_y, 10.0, false, as_of);
        self.y = left_y.max(right_y) + 12.0;
        self.rule(self.y, 1.2);
        self.y += 18.0;
        // The customer.
        self.text(
            LEFT,
            self.y,
            8.0,
            true,
            true,
            self.words.customer.to_uppercase(),
        );
        for line in wrap(bold, &statement.customer.name, 11.0, RIGHT - LEFT, 2) {
            self.y += 14.0;
            self.text(LEFT, self.y, 11.0, true, false, line);
        }
        let mut lines: Vec<String> = Vec::new();
        if let Some(tax_id) = &statement.customer.tax_id {
            lines.push(format!("{}: {tax_id}", self.words.tax_id));
        }
        if let Some(address) = &statement.customer.address {
            lines.extend(wrap(regular, address, 9.0, RIGHT - LEFT, 2));
        }
        for line in lines {
            self.y += 11.0;
            let line = fit(regular, &line, 9.0, RIGHT - LEFT);
            self.text(LEFT, self.y, 9.0, false, false, line);
        }
        self.y += 16.0;
    }

    /// The group's title and the table's heading row (again on every page the table goes on).
    fn table_head(&mut self, group: &CurrencyGroup, continued: bool) {
        let title = if continued {
            format!(
                "{} {} {}",
                self.words.balance_in, group.currency, self.words.continued
            )
        } else {
            format!("{} {}", self.words.balance_in, group.currency)
        };
        self.y += 12.0;
        self.text(LEFT, self.y, 11.0, true, false, title);
        self.y += 6.0;
        let (y, height) = (self.y, 15.0);
        self.ops().push(Op::Band { y, h: height });
        let headings = [
            self.words.document,
            self.words.concept,
            self.words.issued,
            self.words.due,
            self.words.days_overdue,
            self.words.amount,
            self.words.paid,
            self.words.balance,
        ];
        let baseline = self.y + 10.5;
        for (index, heading) in headings.into_iter().enumerate() {
            let (x, width, right) = column(index);
            let size = fitting_size(&self.faces.bold, heading, 7.5, width - 2.0 * PAD);
            if right {
                self.text_right(x + width - PAD, baseline, size, true, heading.to_owned());
            } else {
                self.text(x + PAD, baseline, size, true, false, heading.to_owned());
            }
        }
        self.y += height;
    }

    fn group(&mut self, group: &CurrencyGroup) {
        // The title, the heading row and one row at least stay together.
        self.ensure(60.0);
        self.table_head(group, false);
        for line in &group.lines {
            let row = self.row_cells(group, line);
            let height = row.height();
            if self.ensure(height) {
                self.table_head(group, true);
            }
            self.draw_row(&row, false);
        }
        // The subtotal and its notes stay together, under a heading row if on a new page.
        let notes = group_notes(self.statement, group, &self.reading, &self.words);
        let money = |minor: i64| self.reading.money(minor, &group.currency).plain;
        let total = Row {
            cells: vec![
                (0, vec![format!("{} {}", self.words.total, group.currency)]),
                (5, vec![money(group.totals.amount)]),
                (6, vec![money(group.totals.paid)]),
                (7, vec![money(group.totals.balance)]),
            ],
            lines: 1,
        };
        let notes_height = notes.len() as f32 * (LEADING + 1.0);
        if self.ensure(total.height() + notes_height + 4.0) {
            self.table_head(group, true);
        }
        self.rule(self.y, 0.8);
        self.draw_row(&total, true);
        for note in notes {
            self.y += LEADING + 1.0;
            let note = fit(&self.faces.regular, &note, TABLE_SIZE, RIGHT - LEFT);
            self.text(LEFT + PAD, self.y, TABLE_SIZE, false, true, note);
        }
        self.y += 8.0;
    }

    fn row_cells(&self, group: &CurrencyGroup, line: &StatementLine) -> Row {
        let regular = &self.faces.regular;
        let width = |index: usize| column(index).1 - 2.0 * PAD;
        let money = |minor: i64| self.reading.money(minor, &group.currency).plain;
        let document = wrap(
            regular,
            document(line, &self.words),
            TABLE_SIZE,
            width(0),
            DOCUMENT_LINES,
        );
        let concept = wrap(regular, &line.concept, TABLE_SIZE, width(1), CONCEPT_LINES);
        let lines = document.len().max(concept.len()).max(1);
        Row {
            cells: vec![
                (0, document),
                (1, concept),
                (2, vec![date(&self.reading, &line.issue_date)]),
                (3, vec![date(&self.reading, &line.due_date)]),
                (4, vec![line.days_overdue.to_string()]),
                (5, vec![money(line.totals.amount)]),
                (6, vec![money(line.totals.paid)]),
                (7, vec![money(line.totals.balance)]),
            ],
            lines,
        }
    }

    fn draw_row(&mut self, row: &Row, bold: bool) {
        let top = self.y;
        for (index, lines) in &row.cells {
            let (x, width, right) = column(*index);
            for (n, text) in lines.iter().enumerate() {
                let baseline = top + PAD + 7.0 + n as f32 * LEADING;
                let face = self.faces.face(bold);
                if right {
                    let size = fitting_size(face, text, TABLE_SIZE, width - 2.0 * PAD);
                    self.text_right(x + width - PAD, baseline, size, bold, text.clone());
                } else {
                    let size = if *index == 0 && bold {
                        fitting_size(face, text, TABLE_SIZE, width * 2.0 - 2.0 * PAD)
                    } else {
                        TABLE_SIZE
                    };
                    self.text(x + PAD, baseline, size, bold, false, text.clone());
                }
            }
        }
        self.y = top + row.height();
        if !bold {
            let y = self.y;
            self.ops().push(Op::Rule {
                x0: LEFT,
                x1: RIGHT,
                y,
                width: 0.25,
            });
        }
    }

    /// A section's heading, kept on the page with the start of what follows it.
    fn section_title(&mut self, title: &str) {
        self.ensure(40.0);
        self.y += 14.0;
        self.text(LEFT, self.y, 11.0, true, false, title.to_owned());
        self.y += 2.0;
    }

    fn payments(&mut self) {
        let sentences = payment_sentences(self.statement, &self.reading);
        if sentences.is_empty() {
            return;
        }
        self.section_title(self.words.payments_title);
        for sentence in sentences {
            self.paragraph(&format!("• {sentence}"), 9.0, false, 2);
        }
        self.y += 6.0;
    }

    fn methods(&mut self) {
        if self.statement.payment_instructions.is_empty() {
            return;
        }
        self.section_title(self.words.methods_title);
        for block in &self.statement.payment_instructions {
            self.paragraph(block, 9.0, false, 4);
            self.y += 4.0;
        }
    }
}

/// A table row: the lines of each cell that has any.
struct Row {
    cells: Vec<(usize, Vec<String>)>,
    lines: usize,
}

impl Row {
    fn height(&self) -> f32 {
        self.lines as f32 * LEADING + 2.0 * PAD
    }
}
