//! A file's entries, packed: every name in one string and 16 bytes of position an entry, so a
//! file of a million IDs holds about 26 MiB here rather than an `Entry` with a `String` each
//! (about 88 bytes each with the allocator's share). An [`Entry`] is made when one is read.

use std::cmp::Ordering;

use blockbind::Target;

use super::Entry;

/// Targets in file order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Entries {
    /// The names, one after another: each entry's target, then its other name if it has one.
    text: String,
    packed: Vec<Packed>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Packed {
    /// Where the target's name starts in `text` (the low 62 bits), and the kinds of the two
    /// names (the top two: [`LOGIN`], [`ALSO_LOGIN`]). The other name, if any, runs from the
    /// target's end to where the next entry starts.
    at: u64,
    /// The line.
    line: u32,
    /// The target name's length.
    len: u32,
}

const LOGIN: u64 = 1 << 62;
const ALSO_LOGIN: u64 = 1 << 63;
const AT: u64 = (1 << 62) - 1;

fn make(login: bool, name: &str) -> Target {
    // Names were checked when the `Target` they came from was made: rebuilt without checking.
    if login {
        Target::Login(name.to_string())
    } else {
        Target::Id(name.to_string())
    }
}

impl Entries {
    /// How many entries.
    pub fn len(&self) -> usize {
        self.packed.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }

    /// Adds `entry` at the end. A line past `u32::MAX` is kept as `u32::MAX`; a name of 4 GiB
    /// or more cannot reach here (files are capped at 1 GiB, checked names at 25 bytes).
    pub fn push(&mut self, entry: Entry) {
        let name = entry.target.as_str();
        let at = self.text.len() as u64 & AT;
        self.text.push_str(name);
        let mut kinds = 0;
        if matches!(entry.target, Target::Login(_)) {
            kinds |= LOGIN;
        }
        if let Some(also) = &entry.also {
            self.text.push_str(also.as_str());
            if matches!(also, Target::Login(_)) {
                kinds |= ALSO_LOGIN;
            }
        }
        self.packed.push(Packed {
            at: at | kinds,
            line: u32::try_from(entry.line).unwrap_or(u32::MAX),
            len: u32::try_from(name.len()).unwrap_or(u32::MAX),
        });
    }

    /// The `i`-th entry.
    pub fn get(&self, i: usize) -> Option<Entry> {
        (i < self.packed.len()).then(|| self.unpack(i))
    }

    /// Each entry, in order (each made as it is read).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Entry> + '_ {
        (0..self.packed.len()).map(|i| self.unpack(i))
    }

    /// Keeps the entries `keep` says yes to, in order.
    pub fn retain(&mut self, mut keep: impl FnMut(&Entry) -> bool) {
        let old = std::mem::take(self);
        for entry in old.iter() {
            if keep(&entry) {
                self.push(entry);
            }
        }
    }

    /// Drops each entry whose target an earlier entry names (a login in any case naming the same
    /// user); how many it dropped. By sorting positions, not by hashing copies of the names.
    pub(crate) fn dedupe(&mut self) -> usize {
        let n = self.packed.len();
        let mut order: Vec<usize> = (0..n).collect();
        // Stable: among entries naming one user the first in the file comes first.
        order.sort_by(|&a, &b| self.same_user(a, b));
        let mut duplicate = vec![false; n];
        for pair in order.windows(2) {
            if self.same_user(pair[0], pair[1]).is_eq() {
                duplicate[pair[1]] = true;
            }
        }
        drop(order);
        let dropped = duplicate.iter().filter(|&&d| d).count();
        if dropped > 0 {
            let mut i = 0;
            self.retain(|_| {
                i += 1;
                !duplicate[i - 1]
            });
        }
        dropped
    }

    /// Orders entries so that two whose targets name the same user are equal: IDs as written,
    /// logins in any case (both platforms match logins without regard to case).
    fn same_user(&self, a: usize, b: usize) -> Ordering {
        let (a_login, a) = self.target_of(a);
        let (b_login, b) = self.target_of(b);
        a_login.cmp(&b_login).then_with(|| {
            if a_login {
                (a.bytes().map(|c| c.to_ascii_lowercase()))
                    .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
            } else {
                a.cmp(b)
            }
        })
    }

    /// Where entry `i`'s names start, where its target ends, and where the entry ends.
    fn bounds(&self, i: usize) -> (usize, usize, usize) {
        let at = (self.packed[i].at & AT) as usize;
        let end = self
            .packed
            .get(i + 1)
            .map_or(self.text.len(), |next| (next.at & AT) as usize);
        (at, at + self.packed[i].len as usize, end)
    }

    fn target_of(&self, i: usize) -> (bool, &str) {
        let (at, split, _) = self.bounds(i);
        (self.packed[i].at & LOGIN != 0, &self.text[at..split])
    }

    fn unpack(&self, i: usize) -> Entry {
        let (login, name) = self.target_of(i);
        let (_, split, end) = self.bounds(i);
        let p = self.packed[i];
        Entry {
            line: p.line as usize,
            target: make(login, name),
            also: (end > split).then(|| make(p.at & ALSO_LOGIN != 0, &self.text[split..end])),
        }
    }
}

impl FromIterator<Entry> for Entries {
    fn from_iter<I: IntoIterator<Item = Entry>>(iter: I) -> Self {
        let mut entries = Entries::default();
        entries.extend(iter);
        entries
    }
}

impl Extend<Entry> for Entries {
    fn extend<I: IntoIterator<Item = Entry>>(&mut self, iter: I) {
        for entry in iter {
            self.push(entry);
        }
    }
}

/// Entries by value, in order, each made as it is reached: a run over a long file never holds
/// them all as `Entry` values at once.
impl IntoIterator for Entries {
    type Item = Entry;
    type IntoIter = IntoIter;

    fn into_iter(self) -> IntoIter {
        IntoIter {
            entries: self,
            next: 0,
        }
    }
}

/// See [`Entries::into_iter`].
pub struct IntoIter {
    entries: Entries,
    next: usize,
}

impl Iterator for IntoIter {
    type Item = Entry;

    fn next(&mut self) -> Option<Entry> {
        let entry = self.entries.get(self.next)?;
        self.next += 1;
        Some(entry)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.entries.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for IntoIter {}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(line: usize, target: Target, also: Option<Target>) -> Entry {
        Entry { line, target, also }
    }

    #[test]
    fn entries_read_back_as_pushed() {
        let pushed = [
            entry(
                1,
                Target::id("12").unwrap(),
                Some(Target::login("Jack").unwrap()),
            ),
            entry(3, Target::login("1234").unwrap(), None),
            entry(
                4,
                Target::login("amy").unwrap(),
                Some(Target::id("7").unwrap()),
            ),
            entry(usize::MAX, Target::id("9").unwrap(), None),
        ];
        let entries: Entries = pushed.iter().cloned().collect();
        assert_eq!(entries.len(), 4);
        let back: Vec<Entry> = entries.iter().collect();
        assert_eq!(back[..3], pushed[..3]);
        assert_eq!(
            back[3].line,
            u32::MAX as usize,
            "a line past u32 shows as its largest"
        );
        assert_eq!(entries.clone().into_iter().count(), 4);
        assert_eq!(entries.get(1), Some(pushed[1].clone()));
        assert_eq!(entries.get(4), None);
    }

    #[test]
    fn retain_keeps_order_and_both_names() {
        let mut entries: Entries = (1..=6)
            .map(|n| {
                entry(
                    n,
                    Target::id(n.to_string()).unwrap(),
                    Some(Target::login(format!("u{n}")).unwrap()),
                )
            })
            .collect();
        entries.retain(|e| e.line % 2 == 0);
        let back: Vec<(usize, String)> = entries
            .iter()
            .map(|e| (e.line, e.also.unwrap().as_str().to_string()))
            .collect();
        assert_eq!(back, [(2, "u2".into()), (4, "u4".into()), (6, "u6".into())]);
    }
}
