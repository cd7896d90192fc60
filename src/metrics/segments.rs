//! RFM segments: the contract's six, or rules from a TOML file, first match wins.

use std::ops::RangeInclusive;

use serde::Deserialize;

use crate::error::{Error, Location, Result};

/// One segment: the score ranges it takes, and what to do with its customers.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: String,
    pub r: RangeInclusive<u8>,
    pub f: RangeInclusive<u8>,
    pub m: RangeInclusive<u8>,
    pub action: String,
}

impl Rule {
    fn matches(&self, r: u8, f: u8, m: u8) -> bool {
        self.r.contains(&r) && self.f.contains(&f) && self.m.contains(&m)
    }
}

/// Rules that between them take every score triple, each reachable.
#[derive(Clone, Debug, PartialEq)]
pub struct Segments {
    pub rules: Vec<Rule>,
}

const ALL: RangeInclusive<u8> = 1..=5;

fn rule(
    name: &str,
    r: RangeInclusive<u8>,
    f: RangeInclusive<u8>,
    m: RangeInclusive<u8>,
    action: &str,
) -> Rule {
    Rule {
        name: name.into(),
        r,
        f,
        m,
        action: action.into(),
    }
}

impl Default for Segments {
    /// The table of contract §4.
    fn default() -> Segments {
        Segments {
            rules: vec![
                rule(
                    "Champions",
                    4..=5,
                    4..=5,
                    4..=5,
                    "reward, engage, ask for reviews",
                ),
                rule(
                    "Loyal Customers",
                    3..=5,
                    3..=5,
                    3..=5,
                    "upsell, cross-sell, loyalty programme",
                ),
                rule(
                    "Potential Loyalists",
                    3..=5,
                    ALL,
                    ALL,
                    "nurture, offer subscribe & save",
                ),
                rule(
                    "At Risk",
                    ALL,
                    3..=5,
                    3..=5,
                    "win-back campaign, special offer",
                ),
                rule(
                    "Need Attention",
                    2..=2,
                    ALL,
                    ALL,
                    "reactivation email, product education",
                ),
                rule(
                    "Lost Customers",
                    1..=1,
                    ALL,
                    ALL,
                    "aggressive discount or low-touch nurture",
                ),
            ],
        }
    }
}

impl Segments {
    /// The index of the first rule that takes these scores. Every triple has one:
    /// `parse` refuses rule sets that leave one out, and the default takes them all.
    pub fn classify(&self, r: u8, f: u8, m: u8) -> usize {
        self.rules
            .iter()
            .position(|rule| rule.matches(r, f, m))
            .unwrap_or(self.rules.len() - 1)
    }

    /// The segment called `name`, compared without regard to case.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.rules
            .iter()
            .position(|r| r.name.eq_ignore_ascii_case(name.trim()))
    }

    /// Reads rules from TOML text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Segments> {
        let line_of =
            |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u64 + 1;
        // A rule file has keys, not columns: the key goes with its value.
        let at = |offset: usize, key: Option<&str>, value: Option<String>| Location {
            file: file.to_string(),
            line: Some(line_of(offset)),
            is_row: false,
            column: None,
            value: match (key, value) {
                (Some(key), Some(value)) => Some(format!("{key} = {value}")),
                (_, value) => value,
            },
        };
        let spec: FileSpec = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            Error::input(
                at(offset, None, None),
                e.message().trim().to_string(),
                format!("each rule is a [[segment]] table with the keys {KEYS}"),
            )
        })?;
        if spec.segment.is_empty() {
            return Err(Error::file(
                file,
                "no [[segment]] rules",
                "write one [[segment]] table per segment; see rebuy rfm --help",
            ));
        }
        let mut rules: Vec<Rule> = Vec::new();
        for item in &spec.segment {
            let start = item.span().start;
            let item = item.get_ref();
            let range = |key: &str, value: &Option<toml::Spanned<ScoreRange>>| match value {
                None => Ok(ALL),
                Some(v) => v.get_ref().to_range().map_err(|problem| {
                    Error::input(
                        at(v.span().start, Some(key), Some(v.get_ref().to_string())),
                        problem,
                        "write a score 1 to 5 (r = 4), a range (r = \"3-5\"), or \">=3\" / \"<=2\"",
                    )
                }),
            };
            let name = item.name.get_ref().trim().to_string();
            if name.is_empty() {
                return Err(Error::input(
                    at(item.name.span().start, Some("name"), Some(name)),
                    "the segment's name is empty",
                    "give every segment a name",
                ));
            }
            if rules.iter().any(|r| r.name.eq_ignore_ascii_case(&name)) {
                return Err(Error::input(
                    at(item.name.span().start, Some("name"), Some(name)),
                    "a segment of this name comes earlier",
                    "give every segment its own name",
                ));
            }
            let new = Rule {
                name,
                r: range("r", &item.r)?,
                f: range("f", &item.f)?,
                m: range("m", &item.m)?,
                action: item.action.clone().unwrap_or_default(),
            };
            if covered(&rules, &new) {
                return Err(Error::input(
                    at(start, None, Some(new.name.clone())),
                    "this rule can never match: the rules above it take every score it covers (the first match wins)",
                    "move it up, narrow the rules above it, or remove it",
                ));
            }
            rules.push(new);
        }
        let segments = Segments { rules };
        if let Some((r, f, m)) =
            triples().find(|&(r, f, m)| !segments.rules.iter().any(|x| x.matches(r, f, m)))
        {
            return Err(Error::file(
                file,
                format!(
                    "no rule takes the scores R={r} F={f} M={m}: every customer needs a segment"
                ),
                "add a last rule without r, f or m, which takes everyone left",
            ));
        }
        Ok(segments)
    }
}

/// Every (R, F, M) score triple.
fn triples() -> impl Iterator<Item = (u8, u8, u8)> {
    ALL.flat_map(|r| ALL.flat_map(move |f| ALL.map(move |m| (r, f, m))))
}

/// Whether `rules` take every triple `rule` covers.
fn covered(rules: &[Rule], rule: &Rule) -> bool {
    triples()
        .filter(|&(r, f, m)| rule.matches(r, f, m))
        .all(|(r, f, m)| rules.iter().any(|x| x.matches(r, f, m)))
}

const KEYS: &str = "name, r, f, m and action";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    segment: Vec<toml::Spanned<RuleSpec>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    name: toml::Spanned<String>,
    r: Option<toml::Spanned<ScoreRange>>,
    f: Option<toml::Spanned<ScoreRange>>,
    m: Option<toml::Spanned<ScoreRange>>,
    action: Option<String>,
}

/// A score range as written: `4`, `"3-5"`, `">=3"`, `"<=2"`.
#[derive(Deserialize)]
#[serde(untagged)]
enum ScoreRange {
    Score(i64),
    Text(String),
}

impl std::fmt::Display for ScoreRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScoreRange::Score(n) => write!(f, "{n}"),
            ScoreRange::Text(t) => write!(f, "{t}"),
        }
    }
}

impl ScoreRange {
    fn to_range(&self) -> std::result::Result<RangeInclusive<u8>, String> {
        let score = |text: &str| -> std::result::Result<i64, String> {
            text.trim()
                .parse::<i64>()
                .map_err(|_| format!("{:?} is not a score", text.trim()))
        };
        let (low, high) = match self {
            ScoreRange::Score(n) => (*n, *n),
            ScoreRange::Text(t) => {
                let t = t.trim();
                if let Some(rest) = t.strip_prefix(">=") {
                    (score(rest)?, 5)
                } else if let Some(rest) = t.strip_prefix("<=") {
                    (1, score(rest)?)
                } else if let Some((a, b)) = t.split_once('-') {
                    (score(a)?, score(b)?)
                } else {
                    let n = score(t)?;
                    (n, n)
                }
            }
        };
        if !(1..=5).contains(&low) || !(1..=5).contains(&high) {
            return Err("scores run from 1 to 5".to_string());
        }
        if low > high {
            return Err(format!(
                "the range {low}-{high} is empty, so the rule can never match"
            ));
        }
        Ok(low as u8..=high as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_table_and_its_boundaries() {
        let s = Segments::default();
        let name = |r, f, m| s.rules[s.classify(r, f, m)].name.as_str();
        assert_eq!(name(4, 4, 4), "Champions");
        assert_eq!(name(5, 5, 3), "Loyal Customers");
        assert_eq!(name(3, 3, 3), "Loyal Customers");
        assert_eq!(name(3, 3, 2), "Potential Loyalists");
        assert_eq!(name(3, 1, 1), "Potential Loyalists");
        assert_eq!(name(5, 1, 5), "Potential Loyalists");
        assert_eq!(name(2, 3, 3), "At Risk");
        assert_eq!(name(1, 5, 5), "At Risk");
        assert_eq!(name(2, 3, 2), "Need Attention");
        assert_eq!(name(2, 2, 5), "Need Attention");
        assert_eq!(name(1, 2, 5), "Lost Customers");
        assert_eq!(name(1, 1, 1), "Lost Customers");
        // Every triple lands in a rule that matches it, the first such.
        for (r, f, m) in triples() {
            let i = s.classify(r, f, m);
            assert!(s.rules[i].matches(r, f, m));
            assert!(s.rules[..i].iter().all(|x| !x.matches(r, f, m)));
        }
    }

    const CUSTOM: &str = r#"
# Three segments by recency alone, then by frequency.
[[segment]]
name = "Fresh"
r = ">=4"
action = "thank them"

[[segment]]
name = "Regulars"
f = "3-5"
m = 3
action = "loyalty points"

[[segment]]
name = "Everyone else"
"#;

    #[test]
    fn a_custom_rule_file() {
        let s = Segments::parse(CUSTOM, "rules.toml").unwrap();
        let names: Vec<&str> = s.rules.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["Fresh", "Regulars", "Everyone else"]);
        assert_eq!(s.rules[0].r, 4..=5);
        assert_eq!(s.rules[1].m, 3..=3);
        assert_eq!(s.rules[2].action, "");
        assert_eq!(s.classify(4, 1, 1), 0);
        assert_eq!(s.classify(3, 3, 3), 1);
        assert_eq!(s.classify(3, 3, 4), 2);
        assert_eq!(s.find("regulars"), Some(1));
    }

    fn error(text: &str) -> String {
        Segments::parse(text, "rules.toml").unwrap_err().to_string()
    }

    #[test]
    fn bad_rule_files_name_the_line() {
        let unknown = error("[[segment]]\nname = \"A\"\nrecency = 3\n");
        assert!(unknown.starts_with("rules.toml, line 3"), "{unknown}");
        assert!(unknown.contains("recency"), "{unknown}");

        let outside =
            error("[[segment]]\nname = \"A\"\n\n[[segment]]\nname = \"B\"\nr = \"0-3\"\n");
        assert!(
            outside.starts_with("rules.toml, line 6, value \"r = 0-3\": scores run from 1 to 5"),
            "{outside}"
        );

        let never = error("[[segment]]\nname = \"All\"\n\n[[segment]]\nname = \"Late\"\nr = 5\n");
        assert!(never.starts_with("rules.toml, line 4"), "{never}");
        assert!(never.contains("can never match"), "{never}");

        let empty = error("[[segment]]\nname = \"A\"\nf = \"4-2\"\n");
        assert!(
            empty.contains("line 3") && empty.contains("empty"),
            "{empty}"
        );

        let gap = error("[[segment]]\nname = \"Recent\"\nr = \">=2\"\n");
        assert!(
            gap.contains("R=1 F=1 M=1") && gap.contains("without r, f or m"),
            "{gap}"
        );

        let twice = error("[[segment]]\nname = \"A\"\nr = 5\n[[segment]]\nname = \"a\"\n");
        assert!(
            twice.contains("line 5") && twice.contains("earlier"),
            "{twice}"
        );

        assert!(error("").contains("no [[segment]] rules"));
        assert!(error("[[segment]]\nname = \"A\"\nr = [1, 2]\n").contains("line 3"));
    }
}
