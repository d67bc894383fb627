//! Fitting text into the PDF's boxes: cut to a width with "…", broken into lines by words, or
//! set smaller so a figure is never cut. Measured with the embedded faces' own advances.

use super::fonts::Face;

/// `text` cut to `width` with "…" when it does not fit.
pub(super) fn fit(face: &Face, text: &str, size: f32, width: f32) -> String {
    if face.width(text, size) <= width {
        return text.to_owned();
    }
    let mut kept = String::new();
    for c in text.chars() {
        kept.push(c);
        if face.width(&kept, size) + face.width("…", size) > width {
            kept.pop();
            break;
        }
    }
    format!("{}…", kept.trim_end())
}

/// `text` broken into lines of at most `width`, by words (a word wider than a line by
/// characters), at most `max_lines`; what does not fit ends the last line with "…". Only as
/// much of `text` is read as the lines can hold.
pub(super) fn wrap(
    face: &Face,
    text: &str,
    size: f32,
    width: f32,
    max_lines: usize,
) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    'words: for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if face.width(&candidate, size) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
            if lines.len() == max_lines {
                truncated = true;
                break;
            }
        }
        // The word alone: as many characters per line as fit.
        for c in word.chars() {
            current.push(c);
            if face.width(&current, size) > width {
                current.pop();
                lines.push(std::mem::replace(&mut current, c.to_string()));
                if lines.len() == max_lines {
                    truncated = true;
                    break 'words;
                }
            }
        }
    }
    if !truncated && !current.is_empty() {
        if lines.len() == max_lines {
            truncated = true;
        } else {
            lines.push(current);
        }
    }
    if truncated {
        if let Some(last) = lines.last_mut() {
            *last = fit(face, &format!("{last} …"), size, width);
            if !last.ends_with('…') {
                last.push('…');
            }
        }
    }
    lines
}

/// The size at which `text` fits `width`, from `size` down to a legible minimum.
pub(super) fn fitting_size(face: &Face, text: &str, size: f32, width: f32) -> f32 {
    let wide = face.width(text, size);
    if wide <= width {
        size
    } else {
        (size * width / wide).max(4.5)
    }
}
