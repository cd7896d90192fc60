//! Where a shop's repeat purchase rate stands against shops that sell the same kind of
//! goods (contract §12): the one table of ranges, with its source.

use serde::Serialize;

/// Where the ranges come from.
pub const SOURCE: &str = "rebuy's retention playbook: repeat purchase rates typical of shops \
by what they sell, and the targets of shops that run a retention programme";

/// The repeat purchase rate of a shop that does nothing to bring customers back.
pub const NO_EFFORT: (f64, f64) = (0.10, 0.15);

/// One vertical's ranges of the repeat purchase rate, as fractions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Vertical {
    pub name: &'static str,
    /// What the goods are, for the help and the output.
    pub sells: &'static str,
    pub typical: (f64, f64),
    /// With a retention programme.
    pub target: (f64, f64),
}

/// The verticals of the playbook.
pub const VERTICALS: [Vertical; 3] = [
    Vertical {
        name: "consumables",
        sells: "goods used up and bought again: food, coffee, supplements, pet food",
        typical: (0.20, 0.30),
        target: (0.30, 0.40),
    },
    Vertical {
        name: "fashion",
        sells: "clothing, shoes, accessories",
        typical: (0.10, 0.20),
        target: (0.15, 0.25),
    },
    Vertical {
        name: "durables",
        sells: "goods bought once in years: electronics, furniture, appliances",
        typical: (0.05, 0.10),
        target: (0.10, 0.15),
    },
];

/// Other names for a vertical, and the vertical whose ranges they take: the playbook
/// gives no ranges of their own, and their goods are bought the way the vertical's are.
pub const ALIASES: [(&str, &str); 9] = [
    ("beauty", "consumables"),
    ("grocery", "consumables"),
    ("food", "consumables"),
    ("supplements", "consumables"),
    ("pet", "consumables"),
    ("apparel", "fashion"),
    ("shoes", "fashion"),
    ("electronics", "durables"),
    ("furniture", "durables"),
];

/// The vertical named `name` (or one of its aliases), case aside.
pub fn find(name: &str) -> Option<Vertical> {
    let name = name.trim().to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, to)| to);
    VERTICALS.iter().find(|v| v.name == name).copied()
}

/// Every name `--vertical` takes, for messages.
pub fn names() -> Vec<&'static str> {
    VERTICALS
        .iter()
        .map(|v| v.name)
        .chain(ALIASES.iter().map(|(a, _)| *a))
        .collect()
}

/// Where a rate falls against a vertical's ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    BelowTypical,
    Typical,
    AtTarget,
    AboveTarget,
}

impl Position {
    pub fn words(self) -> &'static str {
        match self {
            Position::BelowTypical => "below typical",
            Position::Typical => "typical",
            Position::AtTarget => "at target",
            Position::AboveTarget => "above target",
        }
    }
}

/// Above the target's top: above target; from the target's bottom: at target (target
/// first, where the ranges overlap); from the typical bottom: typical; else below.
pub fn position(rate: f64, v: &Vertical) -> Position {
    if rate > v.target.1 {
        Position::AboveTarget
    } else if rate >= v.target.0 {
        Position::AtTarget
    } else if rate >= v.typical.0 {
        Position::Typical
    } else {
        Position::BelowTypical
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_at_the_edges_of_the_ranges() {
        let c = find("Consumables").unwrap();
        assert_eq!(position(0.1999, &c), Position::BelowTypical);
        assert_eq!(position(0.20, &c), Position::Typical);
        assert_eq!(position(0.30, &c), Position::AtTarget);
        assert_eq!(position(0.40, &c), Position::AtTarget);
        assert_eq!(position(0.4001, &c), Position::AboveTarget);
        // Fashion's ranges overlap: 17% is typical and at target; target wins.
        assert_eq!(
            position(0.17, &find("fashion").unwrap()),
            Position::AtTarget
        );
        assert_eq!(find("beauty").unwrap().name, "consumables");
        assert_eq!(find("toys"), None);
    }
}
