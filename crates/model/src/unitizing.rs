//! Krippendorff's unitizing alpha (αu) for one label, as defined in
//! Krippendorff (1995) "On the reliability of unitizing continuous data" and
//! Content Analysis (2004, §11.6): the continuum is split by each annotator into
//! units (their spans of the label) and gaps, and disagreement is measured on
//! the positions of units, so one span against two adjacent ones disagrees.
//! This is the definition DKPro Agreement and INCEpTION implement.
//!
//! Everything is kept as integer sufficient statistics ([`UnitizingTable`]) so a
//! corpus can be measured in shards and the shards added exactly.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::agree::{Measure, Undefined};

/// Half-open range of unit positions (grapheme clusters).
pub type Segment = (u64, u64);

/// Additive statistics of αu for one label over any number of documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitizingTable {
    /// Annotators compared (m).
    pub annotators: usize,
    /// Length of the continuum (L): grapheme clusters of all documents.
    pub length: u64,
    /// Σ over annotator pairs of Σ δ² between their overlapping segments.
    pub observed: u128,
    /// Unit length → how many units of that length (all annotators).
    pub units: BTreeMap<u64, u64>,
    /// Gap length → how many gaps of that length (all annotators). A gap never
    /// runs across two documents.
    pub gaps: BTreeMap<u64, u64>,
}

impl UnitizingTable {
    pub fn new(annotators: usize) -> UnitizingTable {
        UnitizingTable {
            annotators,
            ..UnitizingTable::default()
        }
    }

    /// Adds one document of `len` positions: per annotator, its units sorted,
    /// non-overlapping and inside `0..len` (see [`units_of`]).
    pub fn add(&mut self, len: u64, coders: &[Vec<Segment>]) {
        self.length += len;
        for units in coders {
            let mut pos = 0;
            for &(s, e) in units {
                if s > pos {
                    *self.gaps.entry(s - pos).or_insert(0) += 1;
                }
                *self.units.entry(e - s).or_insert(0) += 1;
                pos = e;
            }
            if len > pos {
                *self.gaps.entry(len - pos).or_insert(0) += 1;
            }
        }
        for (i, a) in coders.iter().enumerate() {
            for b in coders.iter().skip(i + 1) {
                self.observed += pair_disagreement(len, a, b);
            }
        }
    }

    /// Adds another table of the same label (another shard of the corpus).
    pub fn merge(&mut self, other: &UnitizingTable) {
        self.length += other.length;
        self.observed += other.observed;
        for (l, c) in &other.units {
            *self.units.entry(*l).or_insert(0) += c;
        }
        for (l, c) in &other.gaps {
            *self.gaps.entry(*l).or_insert(0) += c;
        }
    }

    /// `uD_o = 2·Σδ² / (m(m−1)L²)`.
    pub fn observed_disagreement(&self) -> Option<f64> {
        let (m, l) = (self.annotators as f64, self.length as f64);
        (self.annotators >= 2 && self.length > 0)
            .then(|| 2.0 * self.observed as f64 / (m * (m - 1.0) * l * l))
    }

    /// `uD_e = (2/L)·E / (mL(mL−1) − Σ l(l−1))` with
    /// `E = Σ_units [(N−1)(2l³−3l²+l)/3 + l²·Σ_{gaps g ≥ l}(g−l+1)]`.
    pub fn expected_disagreement(&self) -> Option<f64> {
        let (e, d) = self.expected_parts()?;
        Some(2.0 / self.length as f64 * e as f64 / d as f64)
    }

    /// `E` and the denominator `mL(mL−1) − Σ l(l−1)`, exactly.
    fn expected_parts(&self) -> Option<(u128, u128)> {
        if self.annotators < 2 || self.length == 0 {
            return None;
        }
        let n: u128 = self.units.values().map(|&c| u128::from(c)).sum();
        // Gaps longest first with running Σ count and Σ count·(g+1), so the sum
        // over gaps at least as long as a unit is one lookup.
        let mut longer: Vec<(u64, u128, u128)> = Vec::with_capacity(self.gaps.len());
        let (mut count, mut plus_one) = (0u128, 0u128);
        for (&g, &c) in self.gaps.iter().rev() {
            count += u128::from(c);
            plus_one += u128::from(c) * (u128::from(g) + 1);
            longer.push((g, count, plus_one));
        }
        let mut e = 0u128;
        let mut squares = 0u128;
        for (&l, &c) in &self.units {
            let (l, c) = (u128::from(l), u128::from(c));
            squares += c * l * l.saturating_sub(1);
            // l(l−1)(2l−1) is 6·Σk², so dividing by 3 is exact.
            let within =
                n.saturating_sub(1) * (l * l.saturating_sub(1) * (2 * l).saturating_sub(1) / 3);
            // Gaps g ≥ l: Σ(g + 1) − l·count.
            let k = longer.partition_point(|&(g, _, _)| u128::from(g) >= l);
            let gaps = match k.checked_sub(1).and_then(|i| longer.get(i)) {
                Some(&(_, cnt, sum)) => sum - l * cnt,
                None => 0,
            };
            e += c * (within + l * l * gaps);
        }
        let ml = self.annotators as u128 * u128::from(self.length);
        let d = (ml * (ml - 1)).saturating_sub(squares);
        Some((e, d))
    }

    /// `αu = 1 − uD_o / uD_e`, computed from the integer statistics as
    /// `1 − Σδ²·(mL(mL−1) − Σl(l−1)) / (m(m−1)·L·E)`.
    pub fn alpha(&self) -> Measure {
        if self.annotators < 2 {
            return Err(Undefined::TooFewAnnotators);
        }
        if self.length == 0 {
            return Err(Undefined::NoUnits);
        }
        if self.units.is_empty() {
            return Err(Undefined::NoSpans);
        }
        let (e, d) = self.expected_parts().ok_or(Undefined::NoUnits)?;
        if e == 0 || d == 0 {
            return Err(Undefined::SingleValue);
        }
        let m = self.annotators as f64;
        let ratio =
            (self.observed as f64 * d as f64) / (m * (m - 1.0) * self.length as f64 * e as f64);
        Ok(1.0 - ratio)
    }
}

/// Σ δ² between two annotators' segmentations of one document: every unit
/// against every overlapping unit (squared differences of starts and ends),
/// and every unit lying wholly inside the other's gap (its length squared).
fn pair_disagreement(len: u64, a: &[Segment], b: &[Segment]) -> u128 {
    let pa = partition(len, a);
    let pb = partition(len, b);
    let (mut i, mut j, mut sum) = (0, 0, 0u128);
    while let (Some(&x), Some(&y)) = (pa.get(i), pb.get(j)) {
        sum += delta(x, y);
        // The one that ends first has met every segment it overlaps.
        match x.1.cmp(&y.1) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// Units and gaps covering `0..len`: (start, end, is_unit).
fn partition(len: u64, units: &[Segment]) -> Vec<(u64, u64, bool)> {
    let mut out = Vec::with_capacity(units.len() * 2 + 1);
    let mut pos = 0;
    for &(s, e) in units {
        if s > pos {
            out.push((pos, s, false));
        }
        out.push((s, e, true));
        pos = e;
    }
    if len > pos {
        out.push((pos, len, false));
    }
    out
}

/// δ² of two overlapping segments (Krippendorff 2004, p. 252).
fn delta(x: (u64, u64, bool), y: (u64, u64, bool)) -> u128 {
    let sq = |a: u64, b: u64| {
        let d = u128::from(a.abs_diff(b));
        d * d
    };
    let len = |s: (u64, u64, bool)| u128::from(s.1 - s.0);
    match (x.2, y.2) {
        (true, true) if x.0 < y.1 && y.0 < x.1 => sq(x.0, y.0) + sq(x.1, y.1),
        (true, false) if y.0 <= x.0 && x.1 <= y.1 => len(x) * len(x),
        (false, true) if x.0 <= y.0 && y.1 <= x.1 => len(y) * len(y),
        _ => 0,
    }
}

/// One annotator's units for αu: spans (in unit positions) sorted, empty ones
/// dropped, overlapping or nested ones joined (a unit has one extent); spans
/// that only touch stay two units.
pub fn units_of(mut spans: Vec<Segment>, len: u64) -> Vec<Segment> {
    spans.retain(|&(s, e)| s < e.min(len));
    spans.sort_unstable();
    let mut out: Vec<Segment> = Vec::with_capacity(spans.len());
    for (s, e) in spans {
        let e = e.min(len);
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(len: u64, coders: &[&[Segment]]) -> UnitizingTable {
        let mut t = UnitizingTable::new(coders.len());
        let v: Vec<Vec<Segment>> = coders.iter().map(|c| c.to_vec()).collect();
        t.add(len, &v);
        t
    }

    fn near(got: Option<f64>, want: f64, tol: f64) {
        let got = got.unwrap_or(f64::NAN);
        assert!((got - want).abs() <= tol, "got {got}, want {want} ± {tol}");
    }

    /// Krippendorff (2004), Content Analysis 2nd ed., p. 254: a continuum of 300
    /// (150..450) unitized by observers i and j; the book gives uD_o = .0144,
    /// uD_e = .0532, uα_c = .7286 for value c and uα_k = 1 for value k.
    #[test]
    fn krippendorff_2004_worked_example() {
        // Shifted to start at 0.
        let s = |b: u64, l: u64| (b - 150, b - 150 + l);
        let c = table(
            300,
            &[
                &[s(225, 70), s(370, 30)],
                &[s(220, 80), s(355, 20), s(400, 20)],
            ],
        );
        near(c.observed_disagreement(), 0.0144, 0.00005);
        near(c.expected_disagreement(), 0.0532, 0.00005);
        near(c.alpha().ok(), 0.7286, 0.00005);
        let k = table(300, &[&[s(180, 60), s(300, 50)], &[s(180, 60), s(300, 50)]]);
        assert_eq!(k.observed, 0);
        near(k.expected_disagreement(), 0.0490, 0.00005);
        assert_eq!(k.alpha(), Ok(1.0));
    }

    /// Krippendorff (1995), p. 57: four pairs of observers on a continuum of 24.
    /// The paper's uD_o are exact; its uD_e are for the continuum stretched
    /// towards infinity (and, as DKPro notes, slightly off), so the α are
    /// checked to the paper's two decimals at a stretch of 50,000.
    #[test]
    fn krippendorff_1995_worked_example() {
        let example = |k: u64| -> [UnitizingTable; 4] {
            let u = |b: u64, l: u64| (b * k, (b + l) * k);
            let len = 24 * k;
            [
                table(len, &[&[u(2, 8), u(14, 6)], &[u(4, 4), u(15, 2)]]),
                table(
                    len,
                    &[
                        &[u(0, 18)],
                        &[
                            u(0, 2),
                            u(2, 1),
                            u(3, 1),
                            u(4, 1),
                            u(5, 1),
                            u(6, 3),
                            u(9, 1),
                        ],
                    ],
                ),
                table(
                    len,
                    &[
                        &[u(2, 6), u(10, 2), u(14, 4), u(20, 2)],
                        &[u(0, 2), u(4, 4), u(10, 4), u(16, 2), u(20, 2)],
                    ],
                ),
                table(
                    len,
                    &[
                        &[u(0, 2), u(2, 8), u(10, 4), u(14, 6), u(20, 4)],
                        &[u(0, 4), u(4, 4), u(8, 7), u(15, 2), u(17, 7)],
                    ],
                ),
            ]
        };
        let exact = example(1);
        for (t, want) in exact.iter().zip([0.03125, 2.26736, 0.02777, 0.38715]) {
            near(t.observed_disagreement(), want, 0.00001);
        }
        let stretched = example(50_000);
        for (t, (de, a)) in stretched.iter().zip([
            (0.06990, 0.553),
            (1.17731, -0.926),
            (0.08642, 0.679),
            (0.41445, 0.066),
        ]) {
            near(t.expected_disagreement(), de, 0.005);
            near(t.alpha().ok(), a, 0.02);
        }
    }

    #[test]
    fn one_span_against_two_disagrees_where_coding_does_not() {
        // 0..32 against 0..15 + 16..32 (the space between two sentences) and
        // against two adjacent units 0..16 + 16..32.
        let gap = table(32, &[&[(0, 32)], &[(0, 15), (16, 32)]]);
        let adjacent = table(32, &[&[(0, 32)], &[(0, 16), (16, 32)]]);
        assert!(gap.alpha().unwrap() < 1.0);
        assert!(adjacent.alpha().unwrap() < 1.0);
        assert_eq!(table(32, &[&[(0, 32)], &[(0, 32)]]).alpha(), Ok(1.0));
        assert_eq!(table(32, &[&[], &[]]).alpha(), Err(Undefined::NoSpans));
    }

    #[test]
    fn shards_add_up_exactly() {
        let docs: [(u64, [Vec<Segment>; 3]); 3] = [
            (
                40,
                [
                    vec![(0, 10), (20, 30)],
                    vec![(0, 12)],
                    vec![(5, 10), (10, 40)],
                ],
            ),
            (7, [vec![], vec![(1, 2)], vec![]]),
            (25, [vec![(3, 9)], vec![(3, 9)], vec![(0, 25)]]),
        ];
        let mut whole = UnitizingTable::new(3);
        let mut parts = Vec::new();
        for (len, coders) in &docs {
            whole.add(*len, coders);
            let mut p = UnitizingTable::new(3);
            p.add(*len, coders);
            parts.push(p);
        }
        let mut merged = UnitizingTable::new(3);
        for p in &parts {
            merged.merge(p);
        }
        assert_eq!(merged, whole);
        assert_eq!(merged.alpha(), whole.alpha());
    }

    #[test]
    fn units_are_joined_when_they_overlap_only() {
        assert_eq!(
            units_of(
                vec![(5, 9), (0, 5), (2, 3), (8, 12), (20, 20), (30, 99)],
                40
            ),
            vec![(0, 5), (5, 12), (30, 40)]
        );
    }
}
