//! Varied, valid parameter values for the X v2 operations, drawn from a seeded generator: user
//! IDs, page sizes (the bounds 1 and 1000 included), page tokens, and non-empty subsets of the
//! field and expansion values the official version accepts.
//!
//! What it must not do: invent a value the official version would refuse. The value lists come
//! from the official document (see `Choices`), the bounds from X's documents (1..1000, tokens of
//! at least 16 characters, IDs of 1 to 19 digits).

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The values a list request may use for each array parameter; empty means "never send it"
/// (the version does not declare the parameter, or the client cannot send any of its values).
#[derive(Debug, Default)]
pub(crate) struct Choices {
    /// `user.fields`.
    pub(crate) user_fields: Vec<String>,
    /// `expansions`.
    pub(crate) expansions: Vec<String>,
    /// `tweet.fields`.
    pub(crate) tweet_fields: Vec<String>,
    /// Whether the version declares `max_results`.
    pub(crate) max_results: bool,
    /// Whether the version declares `pagination_token`.
    pub(crate) pagination_token: bool,
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

/// A user ID: 1 to 19 digits, no leading zero (X's `^[0-9]{1,19}$`, as X issues them).
pub(crate) fn user_id(rng: &mut StdRng) -> String {
    let len = rng.gen_range(1..=19);
    let mut id = rng.gen_range(1..=9u8).to_string();
    for _ in 1..len {
        id.push(char::from(b'0' + rng.gen_range(0..=9u8)));
    }
    id
}

/// The `i`-th list request: the first two use the page-size bounds, the rest vary everything.
pub(crate) fn list_case(i: usize, choices: &Choices, rng: &mut StdRng) -> ListCase {
    let max_results = match i {
        _ if !choices.max_results => None,
        0 => Some(1),
        1 => Some(1000),
        _ if rng.gen_bool(0.15) => None,
        _ => Some(rng.gen_range(1..=1000)),
    };
    let pagination_token = (choices.pagination_token && rng.gen_bool(0.5)).then(|| page_token(rng));
    ListCase {
        id: user_id(rng),
        max_results,
        pagination_token,
        user_fields: subset(&choices.user_fields, rng),
        expansions: subset(&choices.expansions, rng),
        tweet_fields: subset(&choices.tweet_fields, rng),
    }
}

/// A page token like X's (lowercase letters and digits), 16 to 48 characters.
fn page_token(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let len = rng.gen_range(16..=48);
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
            let id = user_id(&mut rng);
            assert!((1..=19).contains(&id.len()) && !id.starts_with('0'), "{id}");
            assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");
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
            max_results: true,
            pagination_token: true,
            ..Choices::default()
        };
        let sizes: Vec<_> = (0..100)
            .map(|i| list_case(i, &choices, &mut rng).max_results)
            .collect();
        assert_eq!(&sizes[..2], &[Some(1), Some(1000)]);
        assert!(sizes.iter().flatten().all(|n| (1..=1000).contains(n)));
    }
}
