//! Changing a span's label without leaving links the scheme forbids (issue
//! 10, item 7): a link `refutes → a1` cannot stay once a1 is a denial, and a
//! save must never write what `check` rejects.

use crate::format::{Link, Sidecar};
use crate::scheme::Scheme;

/// A link taken out, with the annotation it started from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedLink {
    pub from: String,
    pub link: Link,
}

/// Gives annotation `id` the label `label` and removes the links to or from
/// it that the scheme does not allow between the new labels. Returns what was
/// removed (for the message; undo restores the whole annotation list), or
/// None when there is no such annotation.
pub fn relabel(
    sidecar: &mut Sidecar,
    id: &str,
    label: &str,
    scheme: &Scheme,
) -> Option<Vec<RemovedLink>> {
    let a = sidecar.annotations.iter_mut().find(|a| a.id == id)?;
    a.label = label.to_string();
    let labels: std::collections::BTreeMap<String, String> = sidecar
        .annotations
        .iter()
        .map(|a| (a.id.clone(), a.label.clone()))
        .collect();
    let mut removed = Vec::new();
    for a in &mut sidecar.annotations {
        a.links.retain(|l| {
            let touches = a.id == id || l.to == id;
            let allowed = labels.get(&l.to).is_none_or(|to| {
                scheme
                    .relations_between(&a.label, to)
                    .any(|r| r.name == l.rel)
            });
            if touches && !allowed {
                removed.push(RemovedLink {
                    from: a.id.clone(),
                    link: l.clone(),
                });
            }
            !touches || allowed
        });
    }
    Some(removed)
}

/// "and 1 link (a3 refutes a1)" style words for a status message.
pub fn describe(removed: &[RemovedLink]) -> String {
    let list: Vec<String> = removed
        .iter()
        .map(|r| format!("{} {} {}", r.from, r.link.rel, r.link.to))
        .collect();
    match removed.len() {
        0 => String::new(),
        1 => format!("removed the link {} (not allowed now)", list[0]),
        n => format!("removed {n} links not allowed now: {}", list.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anchor;
    use crate::check::structure_problems;
    use crate::text::Document;

    #[test]
    fn relabelling_a_link_target_removes_the_link_it_breaks() {
        let doc = Document::from_bytes(b"Alpha said it. Beta saw it. Gamma too.".to_vec()).unwrap();
        let scheme = Scheme::default();
        let mut s = Sidecar::new("alice", "a.txt", doc.sha256(), doc.len_chars());
        s.annotations
            .push(anchor::new_annotation(&doc, 0..14, "claim", "a1".into()));
        let mut ev = anchor::new_annotation(&doc, 15..27, "evidence", "a2".into());
        ev.links.push(Link {
            rel: "refutes".into(),
            to: "a1".into(),
        });
        s.annotations.push(ev);
        let mut d = anchor::new_annotation(&doc, 28..38, "denial", "a3".into());
        d.links.push(Link {
            rel: "denies".into(),
            to: "a1".into(),
        });
        s.annotations.push(d);
        assert!(structure_problems(&s, &scheme).is_empty());

        // The old way: only the label changes, and check rejects the result.
        let mut naive = s.clone();
        naive.annotations[0].label = "denial".into();
        assert_eq!(structure_problems(&naive, &scheme).len(), 2);

        let removed = relabel(&mut s, "a1", "denial", &scheme).unwrap();
        assert_eq!(removed.len(), 2);
        assert!(structure_problems(&s, &scheme).is_empty());
        assert_eq!(
            describe(&removed),
            "removed 2 links not allowed now: a2 refutes a1, a3 denies a1"
        );
        // Back to a claim: nothing else is touched.
        assert_eq!(relabel(&mut s, "a1", "claim", &scheme).unwrap(), []);
        assert!(relabel(&mut s, "a9", "claim", &scheme).is_none());
    }
}
