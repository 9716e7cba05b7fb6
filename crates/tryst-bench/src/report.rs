//! The rows: a text table and JSON.

use std::fmt::Write as _;

/// One line of the report. Ratios are oriented so that above 1.0 means tryst is better.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// What was measured.
    pub metric: String,
    /// Its unit.
    pub unit: String,
    /// tryst's number.
    pub tryst: Option<f64>,
    /// rustls's number.
    pub rustls: Option<f64>,
    /// The crypto floor's number, where there is one.
    pub floor: Option<f64>,
    /// Whether a larger number is better (rates) or a smaller one (memory, allocations).
    pub higher_is_better: bool,
}

impl Row {
    /// A row where larger is better (per second, MB/s).
    pub fn higher(
        metric: &str,
        unit: &str,
        tryst: Option<f64>,
        rustls: Option<f64>,
        floor: Option<f64>,
    ) -> Self {
        Row {
            metric: metric.into(),
            unit: unit.into(),
            tryst,
            rustls,
            floor,
            higher_is_better: true,
        }
    }

    /// A row where smaller is better (bytes, allocations).
    pub fn lower(
        metric: &str,
        unit: &str,
        tryst: Option<f64>,
        rustls: Option<f64>,
        floor: Option<f64>,
    ) -> Self {
        Row {
            higher_is_better: false,
            ..Row::higher(metric, unit, tryst, rustls, floor)
        }
    }

    fn ratio(&self, other: Option<f64>) -> Option<f64> {
        let (t, o) = (self.tryst?, other?);
        // Two zeros (no allocations on either side) are equal; a zero against non-zero
        // has no finite ratio and is reported as none.
        if t == 0.0 && o == 0.0 {
            return Some(1.0);
        }
        let r = if self.higher_is_better { t / o } else { o / t };
        r.is_finite().then_some(r)
    }

    /// tryst relative to rustls (above 1.0: tryst is better).
    pub fn ratio_rustls(&self) -> Option<f64> {
        self.ratio(self.rustls)
    }

    /// tryst relative to the crypto floor (above 1.0: tryst is better; rates stay below).
    pub fn ratio_floor(&self) -> Option<f64> {
        self.ratio(self.floor)
    }
}

fn num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() && x.abs() >= 100.0 => format!("{x:.0}"),
        Some(x) if x.is_finite() => format!("{x:.2}"),
        _ => "-".into(),
    }
}

/// The table `cargo xtask bench` prints.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:>8} {:>10} {:>10} {:>10} {:>12} {:>11}",
        "metric", "unit", "tryst", "rustls", "floor", "tryst/rustls", "tryst/floor"
    );
    let _ = writeln!(out, "{}", "-".repeat(115));
    for r in rows {
        let _ = writeln!(
            out,
            "{:<48} {:>8} {:>10} {:>10} {:>10} {:>12} {:>11}",
            r.metric,
            r.unit,
            num(r.tryst),
            num(r.rustls),
            num(r.floor),
            num(r.ratio_rustls()),
            num(r.ratio_floor()),
        );
    }
    out
}

fn json_num(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => "null".into(),
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Suffix of the rows that run tryst on the graviola provider against rustls on
/// rustls-graviola.
pub const GRAVIOLA: &str = " [graviola]";

/// For a ` [graviola]` row: rustls+ring's number for the same metric (the `rustls` of the
/// row without the suffix).
fn rustls_ring(rows: &[Row], r: &Row) -> Option<f64> {
    let base = r.metric.strip_suffix(GRAVIOLA)?;
    rows.iter().find(|o| o.metric == base)?.rustls
}

/// The rows as a JSON array of objects with the keys `metric`, `unit`, `tryst`, `rustls`,
/// `floor`, `ratio_rustls`, `ratio_floor` (`null` where there is no number). Rows whose
/// metric ends in ` [graviola]` (tryst+graviola against rustls+rustls-graviola) also have
/// `rustls_ring` (rustls+ring's number for the same metric) and `ratio_rustls_ring`
/// (tryst+graviola against it).
pub fn json(rows: &[Row]) -> String {
    let mut out = String::from("[\n");
    for (i, r) in rows.iter().enumerate() {
        let ring = if r.metric.ends_with(GRAVIOLA) {
            let ring = rustls_ring(rows, r);
            format!(
                ", \"rustls_ring\": {}, \"ratio_rustls_ring\": {}",
                json_num(ring),
                json_num(r.ratio(ring)),
            )
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "  {{\"metric\": {}, \"unit\": {}, \"tryst\": {}, \"rustls\": {}, \"floor\": {}, \
             \"ratio_rustls\": {}, \"ratio_floor\": {}{ring}}}",
            json_str(&r.metric),
            json_str(&r.unit),
            json_num(r.tryst),
            json_num(r.rustls),
            json_num(r.floor),
            json_num(r.ratio_rustls()),
            json_num(r.ratio_floor()),
        );
        out.push_str(if i + 1 < rows.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graviola_rows_carry_the_ring_pair() {
        let rows = [
            Row::higher("bulk send", "MB/s", Some(100.0), Some(200.0), Some(120.0)),
            Row::higher(
                "bulk send [graviola]",
                "MB/s",
                Some(150.0),
                Some(140.0),
                None,
            ),
            Row::higher("orphan [graviola]", "MB/s", Some(1.0), Some(1.0), None),
        ];
        let j = json(&rows);
        let lines: Vec<&str> = j.lines().collect();
        assert!(!lines[1].contains("rustls_ring"), "{j}");
        assert!(
            lines[2].contains("\"rustls_ring\": 200, \"ratio_rustls_ring\": 0.75}"),
            "{j}"
        );
        assert!(
            lines[3].contains("\"rustls_ring\": null, \"ratio_rustls_ring\": null}"),
            "{j}"
        );
    }
}
