//! The mock's world, deterministic from a seed: a directory of users (a few named ones from the
//! documents' examples, and a large synthesized population that costs no memory), block lists,
//! follows and VHS links. Twitch's three APIs share one world, X's two share another, as on the
//! platforms.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

/// First ID of the synthesized population.
pub const POPULATION_BASE: u64 = 600_000_000;

const WORDS: &[&str] = &[
    "amber", "basil", "cedar", "delta", "ember", "fable", "gamma", "harbor", "iris", "juniper",
    "kestrel", "lumen", "maple", "nova", "onyx", "pixel", "quartz", "raven", "sable", "tundra",
    "umber", "velvet", "willow", "xenon", "yarrow", "zephyr",
];

pub(crate) use blockbind_registry::Platform;

/// A user of the mock.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// The user's ID (decimal digits).
    pub id: String,
    /// Twitch login or X username (screen name).
    pub login: String,
    /// The name shown on profiles.
    pub display_name: String,
    /// Profile description.
    pub bio: String,
    /// Profile image URL.
    pub logo: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the profile last changed.
    pub updated_at: DateTime<Utc>,
    /// Twitch: has a subscription program (partner). X: verified.
    pub partner: bool,
}

/// splitmix64: a fixed, seedable mix so every synthesized field is reproducible.
pub(crate) fn mix(seed: u64, a: u64) -> u64 {
    let mut z = seed ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn time_from(seed: u64, n: u64) -> DateTime<Utc> {
    // Between 2011 and 2021, to the second.
    let start = 1_293_840_000i64;
    let span = 315_360_000u64;
    Utc.timestamp_opt(start + (mix(seed, n) % span) as i64, 0)
        .single()
        .unwrap_or_else(Utc::now)
}

const NAMED_TWITCH: &[(&str, &str, &str)] = &[
    ("141981764", "twitchdev", "TwitchDev"),
    ("135093069", "bluelava", "BlueLava"),
    ("27419011", "travistyoj", "TravistyOJ"),
    ("198704263", "ohbother", "OhBother"),
    ("12826", "twitch", "Twitch"),
    ("44322889", "dallas", "dallas"),
    ("129454141", "dallasnchains", "dallasnchains"),
    ("19571752", "cohhcarnage", "CohhCarnage"),
    ("26610234", "forstycup", "forstycup"),
    ("13460644", "test_user_troll", "test_user_troll"),
];

const NAMED_X: &[(&str, &str, &str)] = &[
    ("2244994945", "XDevelopers", "Developers"),
    ("6253282", "API", "API"),
    ("783214", "X", "X"),
    ("12", "jack", "jack"),
];

/// Every user the mock knows: named ones and `population` synthesized ones with IDs
/// `POPULATION_BASE..POPULATION_BASE + population` and logins `<word><n>`.
#[derive(Debug, Clone)]
pub(crate) struct Directory {
    seed: u64,
    population: u64,
    named: Vec<User>,
}

impl Directory {
    pub(crate) fn new(seed: u64, population: u64) -> Self {
        let named = NAMED_TWITCH
            .iter()
            .chain(NAMED_X)
            .enumerate()
            .map(|(i, (id, login, display))| {
                let created = time_from(seed, 1_000_000 + i as u64);
                User {
                    id: id.to_string(),
                    login: login.to_string(),
                    display_name: display.to_string(),
                    bio: format!("{display} on the blockbind mock."),
                    logo: format!("https://static.example.invalid/{login}.png"),
                    created_at: created,
                    updated_at: created + chrono::Duration::days(400),
                    partner: i % 2 == 0,
                }
            })
            .collect();
        Self {
            seed,
            population,
            named,
        }
    }

    fn synth(&self, n: u64) -> User {
        let h = mix(self.seed, n);
        let word = WORDS[(h % WORDS.len() as u64) as usize];
        let login = format!("{word}{n}");
        let created = time_from(self.seed, n);
        let mut display = login.clone();
        display[..1].make_ascii_uppercase();
        User {
            id: (POPULATION_BASE + n).to_string(),
            display_name: display,
            bio: format!("{word} fan number {n}."),
            logo: format!("https://static.example.invalid/u/{n}.png"),
            created_at: created,
            updated_at: created + chrono::Duration::days((h % 900) as i64),
            partner: h.is_multiple_of(5),
            login,
        }
    }

    pub(crate) fn population(&self) -> u64 {
        self.population
    }

    /// The n-th synthesized user.
    pub(crate) fn nth(&self, n: u64) -> Option<User> {
        (n < self.population).then(|| self.synth(n))
    }

    pub(crate) fn by_id(&self, id: &str) -> Option<User> {
        if let Some(u) = self.named.iter().find(|u| u.id == id) {
            return Some(u.clone());
        }
        if id.len() > 1 && id.starts_with('0') {
            return None;
        }
        let n = id.parse::<u64>().ok()?.checked_sub(POPULATION_BASE)?;
        self.nth(n)
    }

    pub(crate) fn by_login(&self, login: &str) -> Option<User> {
        if let Some(u) = self
            .named
            .iter()
            .find(|u| u.login.eq_ignore_ascii_case(login))
        {
            return Some(u.clone());
        }
        let digits = login.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        if digits.is_empty() || (digits.len() > 1 && digits.starts_with('0')) {
            return None;
        }
        let user = self.nth(digits.parse().ok()?)?;
        user.login.eq_ignore_ascii_case(login).then_some(user)
    }
}

/// One entry of a block list.
#[derive(Debug, Clone)]
pub(crate) struct Block {
    pub seq: u64,
    pub target: String,
    pub at: DateTime<Utc>,
}

/// A block list: insertion order by a global sequence number (newest first when listed), and an
/// index by target.
#[derive(Debug, Default, Clone)]
pub(crate) struct BlockList {
    by_seq: BTreeMap<u64, String>,
    by_target: HashMap<String, (u64, DateTime<Utc>)>,
}

impl BlockList {
    pub(crate) fn len(&self) -> usize {
        self.by_seq.len()
    }

    pub(crate) fn get(&self, target: &str) -> Option<Block> {
        self.by_target.get(target).map(|(seq, at)| Block {
            seq: *seq,
            target: target.to_string(),
            at: *at,
        })
    }

    /// Adds a block; `false` when it was already there (then nothing changes).
    pub(crate) fn insert(&mut self, seq: u64, target: &str, at: DateTime<Utc>) -> bool {
        if self.by_target.contains_key(target) {
            return false;
        }
        self.by_seq.insert(seq, target.to_string());
        self.by_target.insert(target.to_string(), (seq, at));
        true
    }

    pub(crate) fn remove(&mut self, target: &str) -> bool {
        match self.by_target.remove(target) {
            Some((seq, _)) => {
                self.by_seq.remove(&seq);
                true
            }
            None => false,
        }
    }

    /// Drops the oldest entries until at most `cap` remain.
    pub(crate) fn cap(&mut self, cap: usize) {
        while self.by_seq.len() > cap {
            let Some((_, target)) = self.by_seq.pop_first() else {
                break;
            };
            self.by_target.remove(&target);
        }
    }

    /// Newest first, starting below `before` (a sequence number), at most `n` entries.
    pub(crate) fn newest_before(&self, before: Option<u64>, n: usize) -> Vec<Block> {
        let range = match before {
            Some(b) => self.by_seq.range(..b),
            None => self.by_seq.range(..),
        };
        range
            .rev()
            .take(n)
            .filter_map(|(_, t)| self.get(t))
            .collect()
    }

    /// Oldest first, starting above `after`, at most `n` entries (for paging backwards).
    pub(crate) fn oldest_after(&self, after: u64, n: usize) -> Vec<Block> {
        self.by_seq
            .range(after + 1..)
            .take(n)
            .filter_map(|(_, t)| self.get(t))
            .collect()
    }

    /// Newest first, skipping `offset`, at most `n` entries.
    pub(crate) fn page_by_offset(&self, offset: usize, n: usize) -> Vec<Block> {
        self.by_seq
            .values()
            .rev()
            .skip(offset)
            .take(n)
            .filter_map(|t| self.get(t))
            .collect()
    }

    /// Every target, newest first.
    pub(crate) fn targets(&self) -> Vec<String> {
        self.by_seq.values().rev().cloned().collect()
    }
}

/// A Kraken follow.
#[derive(Debug, Clone)]
pub(crate) struct Follow {
    pub channel: String,
    pub at: DateTime<Utc>,
    pub notifications: bool,
}

/// The mutable state.
#[derive(Debug)]
pub(crate) struct World {
    pub dir: Directory,
    seq: u64,
    pub blocks: HashMap<(Platform, String), BlockList>,
    pub follows: HashMap<String, Vec<Follow>>,
    pub vhs: HashMap<String, String>,
}

impl World {
    pub(crate) fn new(seed: u64, population: u64) -> Self {
        Self {
            dir: Directory::new(seed, population),
            seq: 0,
            blocks: HashMap::new(),
            follows: HashMap::new(),
            vhs: HashMap::new(),
        }
    }

    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub(crate) fn list(&self, platform: Platform, user: &str) -> Option<&BlockList> {
        self.blocks.get(&(platform, user.to_string()))
    }

    pub(crate) fn list_mut(&mut self, platform: Platform, user: &str) -> &mut BlockList {
        self.blocks.entry((platform, user.to_string())).or_default()
    }

    /// Blocks `target` for `user`; `true` when the list changed.
    pub(crate) fn block(&mut self, platform: Platform, user: &str, target: &str) -> bool {
        let seq = self.next_seq();
        self.list_mut(platform, user)
            .insert(seq, target, Utc::now())
    }

    pub(crate) fn unblock(&mut self, platform: Platform, user: &str, target: &str) -> bool {
        self.list_mut(platform, user).remove(target)
    }

    /// Whether `user` subscribes to `channel`: only partners have a subscription program, and a
    /// fixed quarter of users subscribe to each.
    pub(crate) fn subscribed(&self, user: &str, channel: &User) -> bool {
        channel.partner
            && mix(self.dir.seed, hash_str(user) ^ hash_str(&channel.id)).is_multiple_of(4)
    }

    pub(crate) fn follows_of(&mut self, user: &str) -> &mut Vec<Follow> {
        let seed = self.dir.seed;
        let dir = self.dir.clone();
        self.follows.entry(user.to_string()).or_insert_with(|| {
            // A few seeded follows, so lists are not empty on a fresh world.
            let h = mix(seed, hash_str(user));
            (0..(h % 4))
                .filter_map(|i| dir.nth(mix(seed, h + i) % dir.population().max(1)))
                .enumerate()
                .map(|(i, u)| Follow {
                    channel: u.id,
                    at: time_from(seed, h + i as u64),
                    notifications: i % 2 == 0,
                })
                .collect()
        })
    }
}

pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directory_is_deterministic_and_reversible() {
        let a = Directory::new(7, 1000);
        let b = Directory::new(7, 1000);
        let u = a.nth(42).unwrap();
        assert_eq!(Some(u.clone()), b.nth(42));
        assert_eq!(a.by_id(&u.id), Some(u.clone()));
        assert_eq!(a.by_login(&u.login), Some(u.clone()));
        assert_eq!(
            a.by_login(&u.login.to_uppercase()).map(|x| x.id),
            Some(u.id.clone())
        );
        assert_eq!(a.nth(1000), None);
        assert_eq!(a.by_id("600001000"), None, "outside the population");
        assert_eq!(a.by_id("0600000001"), None, "leading zero is another ID");
        assert_eq!(a.by_login("bluelava").unwrap().id, "135093069");
        assert_ne!(Directory::new(8, 1000).nth(42), Some(u));
    }

    #[test]
    fn lists_page_newest_first_and_cap_evicts_the_oldest() {
        let mut l = BlockList::default();
        for i in 1..=5u64 {
            assert!(l.insert(i, &format!("t{i}"), Utc::now()));
        }
        assert!(!l.insert(9, "t3", Utc::now()), "already blocked");
        let page: Vec<_> = l
            .newest_before(None, 2)
            .into_iter()
            .map(|b| b.target)
            .collect();
        assert_eq!(page, ["t5", "t4"]);
        let page: Vec<_> = l
            .newest_before(Some(4), 2)
            .into_iter()
            .map(|b| b.target)
            .collect();
        assert_eq!(page, ["t3", "t2"]);
        l.cap(3);
        assert_eq!(l.targets(), ["t5", "t4", "t3"]);
    }
}
