//! Varied, valid parameter values for the X v2 operations, drawn from a seeded generator: user
//! IDs, page sizes (both bounds included), page tokens, and non-empty subsets of the field and
//! expansion values the official version accepts.
//!
//! What it must not do: invent a value the official version would refuse. The value lists and
//! the bounds come from the official document's schemas (see `Choices` and the `*_bounds`
//! readers): `minimum`/`maximum` of `max_results`, `minLength` of `pagination_token`, the
//! `^[0-9]{m,n}$` pattern of a user ID.

use std::ops::RangeInclusive;

use anyhow::{Result, anyhow, bail};
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde_json::Value;

/// The values a list request may use for each array parameter; empty means "never send it"
/// (the version does not declare the parameter, or the client cannot send any of its values).
#[derive(Debug)]
pub(crate) struct Choices {
    /// `user.fields`.
    pub(crate) user_fields: Vec<String>,
    /// `expansions`.
    pub(crate) expansions: Vec<String>,
    /// `tweet.fields`.
    pub(crate) tweet_fields: Vec<String>,
    /// The page sizes the version accepts, when it declares `max_results`.
    pub(crate) max_results: Option<RangeInclusive<u32>>,
    /// The page-token lengths the version accepts, when it declares `pagination_token`.
    pub(crate) pagination_token: Option<RangeInclusive<usize>>,
    /// The digit counts of the path's user ID.
    pub(crate) id_digits: RangeInclusive<usize>,
}

impl Default for Choices {
    fn default() -> Self {
        Self {
            user_fields: Vec::new(),
            expansions: Vec::new(),
            tweet_fields: Vec::new(),
            max_results: None,
            pagination_token: None,
            id_digits: 1..=19,
        }
    }
}

/// The parameters of one list request.
#[derive(Debug)]
pub(crate) struct ListCase {
    /// The path's user ID.
    pub(crate) id: String,
    /// `max_results`.
    pub(crate) max_results: Option<u32>,
    /// `pagination_token`.
    pub(crate) pagination_token: Option<String>,
    /// `user.fields`.
    pub(crate) user_fields: Option<Vec<String>>,
    /// `expansions`.
    pub(crate) expansions: Option<Vec<String>>,
    /// `tweet.fields`.
    pub(crate) tweet_fields: Option<Vec<String>>,
}

/// The integer bounds of a parameter schema: its `minimum` and `maximum` (neither exclusive).
pub(crate) fn integer_bounds(schema: &Value) -> Result<RangeInclusive<u32>> {
    let bound = |key: &str| {
        let n = schema
            .get(key)
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("declares no `{key}`"))?;
        u32::try_from(n).map_err(|_| anyhow!("its `{key}` {n} is too large"))
    };
    for key in ["exclusiveMinimum", "exclusiveMaximum"] {
        if schema.get(key).is_some_and(|v| v != &Value::Bool(false)) {
            bail!("an `{key}` bound is not read (none of X's is)");
        }
    }
    let (min, max) = (bound("minimum")?, bound("maximum")?);
    if min > max {
        bail!("its minimum {min} is above its maximum {max}");
    }
    Ok(min..=max)
}

/// How many characters the driver's page tokens have: from the schema's `minLength` to its
/// `maxLength`. X declares no `maxLength` (nor a `pattern`: "base32" is prose only), so without
/// one the tokens run up to `minLength + 32`, about the length of the tokens X hands out.
pub(crate) fn token_bounds(schema: &Value) -> Result<RangeInclusive<usize>> {
    let length = |key: &str| schema.get(key).and_then(Value::as_u64).map(|n| n as usize);
    let min = length("minLength").unwrap_or(1).max(1);
    let max = length("maxLength").unwrap_or(min + 32);
    if schema.get("pattern").is_some() {
        bail!("a `pattern` on a page token is not read (X declares none)");
    }
    if min > max {
        bail!("its minLength {min} is above its maxLength {max}");
    }
    Ok(min..=max)
}

/// How many digits a user ID has, from its schema's `pattern`, which must be X's shape
/// `^[0-9]{m,n}$` (anything else is refused rather than guessed at).
pub(crate) fn id_digit_bounds(schema: &Value) -> Result<RangeInclusive<usize>> {
    let pattern = schema
        .get("pattern")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("declares no `pattern`"))?;
    let counts = pattern
        .strip_prefix("^[0-9]{")
        .and_then(|p| p.strip_suffix("}$"))
        .and_then(|p| p.split_once(','))
        .and_then(|(m, n)| Some((m.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
        .filter(|(m, n)| 1 <= *m && m <= n);
    let (min, max) = counts.ok_or_else(|| {
        anyhow!("its pattern `{pattern}` is not of the shape `^[0-9]{{m,n}}$` the driver generates")
    })?;
    Ok(min..=max)
}

/// A user ID of `digits` digits, no leading zero (the pattern allows one; X issues none).
pub(crate) fn user_id(digits: &RangeInclusive<usize>, rng: &mut StdRng) -> String {
    let len = rng.gen_range(digits.clone());
    let mut id = rng.gen_range(1..=9u8).to_string();
    for _ in 1..len {
        id.push(char::from(b'0' + rng.gen_range(0..=9u8)));
    }
    id
}

/// The `i`-th list request: the first two use the page-size bounds, the rest vary everything.
pub(crate) fn list_case(i: usize, choices: &Choices, rng: &mut StdRng) -> ListCase {
    let max_results = match (i, &choices.max_results) {
        (_, None) => None,
        (0, Some(sizes)) => Some(*sizes.start()),
        (1, Some(sizes)) => Some(*sizes.end()),
        _ if rng.gen_bool(0.15) => None,
        (_, Some(sizes)) => Some(rng.gen_range(sizes.clone())),
    };
    let pagination_token = match &choices.pagination_token {
        Some(lengths) if rng.gen_bool(0.5) => Some(page_token(lengths, rng)),
        _ => None,
    };
    ListCase {
        id: user_id(&choices.id_digits, rng),
        max_results,
        pagination_token,
        user_fields: subset(&choices.user_fields, rng),
        expansions: subset(&choices.expansions, rng),
        tweet_fields: subset(&choices.tweet_fields, rng),
    }
}

/// A page token like X's (lowercase letters and digits) of one of `lengths` characters.
fn page_token(lengths: &RangeInclusive<usize>, rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let len = rng.gen_range(lengths.clone());
    (0..len)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect()
}

/// None (a quarter of the time), every value (an eighth), or a random non-empty subset in random
/// order; never a repeated value (the parameters are `uniqueItems`).
fn subset(values: &[String], rng: &mut StdRng) -> Option<Vec<String>> {
    if values.is_empty() || rng.gen_bool(0.25) {
        return None;
    }
    let mut picked = values.to_vec();
    picked.shuffle(rng);
    if !rng.gen_bool(1.0 / 8.0) {
        picked.truncate(rng.gen_range(1..=values.len()));
    }
    Some(picked)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn user_ids_are_what_x_issues() {
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..1000 {
            let id = user_id(&(1..=19), &mut rng);
            assert!((1..=19).contains(&id.len()) && !id.starts_with('0'), "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");
        }
    }

    #[test]
    fn bounds_are_read_from_the_official_schemas() {
        let schema = |s: &str| serde_json::from_str::<Value>(s).unwrap();
        let page =
            schema(r#"{"type": "integer", "minimum": 1, "maximum": 1000, "format": "int32"}"#);
        assert_eq!(integer_bounds(&page).unwrap(), 1..=1000);
        assert!(integer_bounds(&schema(r#"{"type": "integer", "minimum": 1}"#)).is_err());
        let token = schema(r#"{"type": "string", "minLength": 16}"#);
        assert_eq!(token_bounds(&token).unwrap(), 16..=48);
        let id = schema(r#"{"type": "string", "pattern": "^[0-9]{1,19}$"}"#);
        assert_eq!(id_digit_bounds(&id).unwrap(), 1..=19);
        for unreadable in [r#"{"type": "string"}"#, r#"{"pattern": "^[0-9]+$"}"#] {
            assert!(
                id_digit_bounds(&schema(unreadable)).is_err(),
                "{unreadable}"
            );
        }
    }

    #[test]
    fn undeclared_parameters_are_never_sent() {
        let mut rng = StdRng::seed_from_u64(2);
        let choices = Choices {
            user_fields: vec!["id".into(), "name".into()],
            ..Choices::default()
        };
        for i in 0..200 {
            let case = list_case(i, &choices, &mut rng);
            assert!(case.max_results.is_none() && case.pagination_token.is_none());
            assert!(case.expansions.is_none() && case.tweet_fields.is_none());
            if let Some(fields) = case.user_fields {
                assert!(!fields.is_empty() && fields.len() <= 2);
            }
        }
    }

    #[test]
    fn page_sizes_cover_both_bounds() {
        let mut rng = StdRng::seed_from_u64(3);
        let choices = Choices {
            max_results: Some(5..=10),
            pagination_token: Some(16..=16),
            ..Choices::default()
        };
        let cases: Vec<_> = (0..100).map(|i| list_case(i, &choices, &mut rng)).collect();
        let sizes: Vec<_> = cases.iter().map(|c| c.max_results).collect();
        assert_eq!(&sizes[..2], &[Some(5), Some(10)]);
        assert!(sizes.iter().flatten().all(|n| (5..=10).contains(n)));
        let tokens: Vec<_> = cases.iter().flat_map(|c| &c.pagination_token).collect();
        assert!(!tokens.is_empty() && tokens.iter().all(|t| t.len() == 16));
    }
}
