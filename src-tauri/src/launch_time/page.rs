//! The line that times the first render, split by what the page saw: when it began loading and
//! when its own script first ran. The page measures both on its own clock (milliseconds since its
//! navigation started, `performance.now()`) and sends them with the first render; they are placed
//! on the process's clock from the moment the report arrives. So the log tells the native start
//! (the process, Tauri, the window, WebKit's processes) from loading the page and from the page's
//! own work. Plain `std`, because the start-up bench's empty window compiles this very file: both
//! sides of the comparison are split by the same code and read by the same parser.

/// Milliseconds, on the process's clock, of each stage of the page's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStart {
    /// The page's navigation began: everything before was native.
    pub began_loading: u64,
    /// The page's script first ran: loading and parsing it came before.
    pub script_ran: u64,
    /// The first screen was painted and reported.
    pub first_render: u64,
}

impl PageStart {
    /// Places the page's own times (`script_ran` and `painted`, ms since its navigation began) on
    /// the process's clock, `first_render` being the process's age when the report arrived.
    /// Values out of order (a clock that cannot be trusted) are pulled into order, never past
    /// the first render.
    pub fn place(first_render: u64, script_ran: f64, painted: f64) -> Self {
        let painted = finite_millis(painted).min(first_render);
        let began_loading = first_render - painted;
        let script_ran = (began_loading + finite_millis(script_ran)).min(first_render);
        Self {
            began_loading,
            script_ran,
            first_render,
        }
    }

    /// The log line; `read` takes it back.
    pub fn line(&self) -> String {
        format!(
            "first render {} ms after process start; the page began loading at {} ms, its script ran at {} ms",
            self.first_render, self.began_loading, self.script_ran
        )
    }

    /// Reads a line written by `line`: the first render alone when the rest is missing (an older
    /// build), `None` when the line is not the first render's.
    #[allow(dead_code)] // The bench reads the line back; the programs only write it.
    pub fn read(line: &str) -> Option<(u64, Option<Self>)> {
        let first_render = number_after(line, "first render ")?;
        let stages = number_after(line, "began loading at ")
            .zip(number_after(line, "script ran at "))
            .map(|(began_loading, script_ran)| Self {
                began_loading,
                script_ran,
                first_render,
            });
        Some((first_render, stages))
    }
}

fn finite_millis(millis: f64) -> u64 {
    if millis.is_finite() && millis > 0.0 {
        // Saturates: `as` from a float clamps to the integer's range.
        millis.round() as u64
    } else {
        0
    }
}

fn number_after(line: &str, label: &str) -> Option<u64> {
    let rest = &line[line.find(label)? + label.len()..];
    rest.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_s_times_are_placed_on_the_process_s_clock_and_read_back() {
        let start = PageStart::place(800, 190.4, 420.0);
        assert_eq!(
            start,
            PageStart {
                began_loading: 380,
                script_ran: 570,
                first_render: 800,
            }
        );
        assert_eq!(PageStart::read(&start.line()), Some((800, Some(start))));
    }

    #[test]
    fn times_that_cannot_be_true_stay_within_the_first_render() {
        let start = PageStart::place(300, 900.0, 1_000.0);
        assert_eq!((start.began_loading, start.script_ran), (0, 300));
        let start = PageStart::place(300, f64::NAN, -5.0);
        assert_eq!((start.began_loading, start.script_ran), (300, 300));
    }

    #[test]
    fn an_older_line_still_gives_the_first_render_and_others_give_nothing() {
        assert_eq!(
            PageStart::read("first render 812 ms after process start"),
            Some((812, None))
        );
        assert_eq!(PageStart::read("database open"), None);
    }
}
