//! Text that crosses into a spreadsheet and back: OWASP's CSV-injection rule on the way out, and
//! its exact inverse on the way in, so an exported file opens in Excel as plain text and still
//! imports back to the same names.
//!
//! Excel (and LibreOffice, Google Sheets) evaluates a cell that starts with `=`, `+`, `-` or `@`
//! as a formula, and treats a leading tab or carriage return the same way once trimmed. A
//! customer named `=HYPERLINK("http://x","y")` would otherwise become a live link in the shop's
//! spreadsheet. OWASP's rule: prefix such a cell with a single quote, which Excel shows as text.
//!
//! Only *text* cells (names, emails, document numbers, concepts) go through [`neutralise`].
//! Numeric cells (amounts, dates, day counts) are written by us from numbers and go through
//! [`numeric`], which leaves a plain number alone — a negative number like `-2` stays numeric in
//! Excel, and a quote would turn it into text — and neutralises anything else, so no cell can
//! slip through either way. The importer applies [`restore`] to every cell: it removes the quote
//! only where [`neutralise`] would have added it (a quote followed by one of the trigger
//! characters), so a name that really starts with a quote and a letter ("'Tito' Pérez") is kept.

/// What makes a spreadsheet read a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_with_trigger(cell: &str) -> bool {
    cell.starts_with(TRIGGERS)
}

/// A text cell as it is safe to write: prefixed with `'` when a spreadsheet would run it.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if starts_with_trigger(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// A cell we formatted from a number: written as is when it is only a number (optional minus,
/// digits and separators), so Excel keeps it numeric; neutralised otherwise.
pub fn numeric(cell: &str) -> std::borrow::Cow<'_, str> {
    let digits = cell.strip_prefix('-').unwrap_or(cell);
    let plain_number = !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '/'));
    if plain_number {
        cell.into()
    } else {
        neutralise(cell)
    }
}

/// A cell read from a file: the quote [`neutralise`] added is taken off again.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if starts_with_trigger(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_restored_exactly() {
        for hostile in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tcmd",
            "\rcmd",
        ] {
            let safe = neutralise(hostile);
            assert!(safe.starts_with('\''), "{hostile:?} → {safe:?}");
            assert_eq!(restore(&safe), hostile);
        }
        for plain in ["Ferretería José Peña", "'Tito' Pérez", "", "1-2-3"] {
            assert_eq!(neutralise(plain), plain);
            assert_eq!(restore(plain), plain);
        }
    }

    #[test]
    fn numbers_stay_numbers_and_anything_else_is_neutralised() {
        for number in ["1500,50", "-2", "0", "31/03/2026", "1,500.50"] {
            assert_eq!(numeric(number), number);
        }
        for not_a_number in ["-", "-=1", "=1", "+1", "-2+3+cmd|' /C calc'!A0"] {
            assert!(numeric(not_a_number).starts_with('\''), "{not_a_number:?}");
        }
    }
}
