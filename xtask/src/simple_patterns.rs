//! String patterns checked without a regex engine where the pattern is one character class
//! repeated: `^[0-9]{1,19}$`, `^[A-Za-z0-9_]{1,15}$`.
//!
//! typify turns a schema's `pattern` into a `regress::Regex` (built once) that every
//! `FromStr` of the type runs: a user ID passed to a request builder, and each one decoded from
//! a response. For these patterns, an ECMAScript backtracking match costs about 2,600
//! instructions per value (callgrind, BENCHMARKS.md) where a length check and a loop over the
//! bytes do the same in a few dozen. This pass, on the syntax tree before formatting, rewrites
//!
//! ```text
//! static PATTERN: LazyLock<regress::Regex> = LazyLock::new(|| regress::Regex::new("^[0-9]{1,19}$").unwrap());
//! if PATTERN.find(value).is_none() { return Err(..) }
//! ```
//!
//! into `if !(<length in m..=n> && <every byte in the class>) { return Err(..) }`, with the same
//! error. It is the same test: the class holds ASCII characters only, so a string matches only
//! if all its characters are ASCII, and then its length in bytes is its length in characters;
//! `$` without the `m` flag matches at the end of input only, as the byte check does. A pattern
//! of any other shape is left to regress, as generated.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, File, Item, Lit, Stmt};

/// A pattern of the form `^[class]{min,max}$` (also `{n}`, `+`, `*`, `?`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simple {
    /// Inclusive byte ranges of the class (a single character is a range of one).
    pub ranges: Vec<(u8, u8)>,
    pub min: usize,
    pub max: Option<usize>,
}

impl Simple {
    /// Reads `pattern`, or `None` when it is of another shape.
    pub fn parse(pattern: &str) -> Option<Self> {
        let body = pattern.strip_prefix("^[")?.strip_suffix('$')?;
        let (class, count) = body.split_once(']')?;
        let bytes = class.as_bytes();
        if bytes.is_empty() || bytes[0] == b'^' {
            return None; // negated or empty classes stay with regress
        }
        let mut ranges = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            // Letters, digits and `_` only: no escapes, no `-` or `]` as members, nothing a
            // class could read otherwise.
            let plain = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            if !plain(c) {
                return None;
            }
            if i + 2 < bytes.len() && bytes[i + 1] == b'-' {
                let end = bytes[i + 2];
                if !plain(end) || end < c {
                    return None;
                }
                ranges.push((c, end));
                i += 3;
            } else {
                ranges.push((c, c));
                i += 1;
            }
        }
        let (min, max) = match count {
            "+" => (1, None),
            "*" => (0, None),
            "?" => (0, Some(1)),
            "" => (1, Some(1)),
            _ => {
                let inner = count.strip_prefix('{')?.strip_suffix('}')?;
                match inner.split_once(',') {
                    None => {
                        let n = inner.parse().ok()?;
                        (n, Some(n))
                    }
                    Some((lo, "")) => (lo.parse().ok()?, None),
                    Some((lo, hi)) => (lo.parse().ok()?, Some(hi.parse().ok()?)),
                }
            }
        };
        if max.is_some_and(|max| max < min) {
            return None;
        }
        Some(Self { ranges, min, max })
    }

    /// Whether `value` matches: what the generated check computes, for the tests against regress.
    #[cfg(test)]
    pub fn matches(&self, value: &str) -> bool {
        value.len() >= self.min
            && self.max.is_none_or(|max| value.len() <= max)
            && value
                .bytes()
                .all(|b| self.ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&b)))
    }

    /// The check as an expression over `value: &str`.
    fn tokens(&self) -> TokenStream {
        let min = self.min;
        let length = match self.max {
            Some(max) => quote!(value.len() >= #min && value.len() <= #max),
            None => quote!(value.len() >= #min),
        };
        let byte = |b: u8| syn::LitByte::new(b, proc_macro2::Span::call_site());
        let arms = self.ranges.iter().map(|&(lo, hi)| {
            if lo == hi {
                let lo = byte(lo);
                quote!(#lo)
            } else {
                let (lo, hi) = (byte(lo), byte(hi));
                quote!(#lo..=#hi)
            }
        });
        quote!((#length && value.bytes().all(|b| matches!(b, #(#arms)|*))))
    }
}

/// What the pass did to one file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Patterns {
    /// Regexes replaced by a byte check.
    pub replaced: usize,
    /// Regexes left to regress (another shape).
    pub kept: usize,
}

/// Rewrites `file` in place.
pub fn simple_patterns(file: &mut File) -> Patterns {
    let mut pass = Pass::default();
    pass.visit_file_mut(file);
    pass.done
}

#[derive(Default)]
struct Pass {
    done: Patterns,
}

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut Block) {
        if let Some(at) = block.stmts.iter().position(|s| pattern_of(s).is_some()) {
            let pattern = pattern_of(&block.stmts[at]).unwrap_or_default();
            match Simple::parse(&pattern) {
                Some(simple) => {
                    let check = simple.tokens();
                    let mut rewritten = 0;
                    for stmt in &mut block.stmts[at + 1..] {
                        ReplaceFind {
                            check: &check,
                            rewritten: &mut rewritten,
                        }
                        .visit_stmt_mut(stmt);
                    }
                    if rewritten == 1 {
                        block.stmts.remove(at);
                        self.done.replaced += 1;
                    } else {
                        self.done.kept += 1;
                    }
                }
                None => self.done.kept += 1,
            }
        }
        visit_mut::visit_block_mut(self, block);
    }
}

/// The pattern of `static PATTERN: .. = LazyLock::new(|| regress::Regex::new("..").unwrap())`.
fn pattern_of(stmt: &Stmt) -> Option<String> {
    let Stmt::Item(Item::Static(item)) = stmt else {
        return None;
    };
    if item.ident != "PATTERN" {
        return None;
    }
    let text = quote!(#item).to_string();
    if !text.contains("regress") {
        return None;
    }
    let mut found = None;
    FindLit { found: &mut found }.visit_expr_mut(&mut item.expr.as_ref().clone());
    found
}

struct FindLit<'a> {
    found: &'a mut Option<String>,
}

impl VisitMut for FindLit<'_> {
    fn visit_lit_mut(&mut self, lit: &mut Lit) {
        if let Lit::Str(s) = lit {
            self.found.get_or_insert(s.value());
        }
    }
}

/// Replaces `PATTERN.find(value).is_none()` with `!(check)`.
struct ReplaceFind<'a> {
    check: &'a TokenStream,
    rewritten: &'a mut usize,
}

impl VisitMut for ReplaceFind<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::MethodCall(outer) = expr
            && outer.method == "is_none"
            && let Expr::MethodCall(find) = &*outer.receiver
            && find.method == "find"
            && quote!(#find).to_string().starts_with("PATTERN . find")
        {
            let check = self.check;
            *expr = syn::parse2(quote!(!#check)).expect("the check parses as an expression");
            *self.rewritten += 1;
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_read_and_the_others_are_left() {
        let s = Simple::parse("^[0-9]{1,19}$").unwrap();
        assert_eq!((s.ranges, s.min, s.max), (vec![(b'0', b'9')], 1, Some(19)));
        let s = Simple::parse("^[A-Za-z0-9_]{1,15}$").unwrap();
        assert_eq!(s.ranges.len(), 4);
        assert_eq!(Simple::parse("^[a-z]+$").unwrap().max, None);
        assert_eq!(Simple::parse("^[a-z]{3}$").unwrap().min, 3);
        for other in [
            "^[0-9]{1,19}",     // unanchored end
            "[0-9]{1,19}$",     // unanchored start
            "^[^0-9]{1,19}$",   // negated
            "^[0-9\\-]{1,19}$", // an escape
            "^[0-9]{1,19}x$",   // more after the count
            "^[a-z]{5,2}$",     // no string matches
            "^[z-a]{1,2}$",     // a backwards range
            "^[0-9]{1,19}|x$",  // alternation
            "^([0-9]){1,19}$",  // a group
        ] {
            assert_eq!(Simple::parse(other), None, "{other}");
        }
    }

    #[test]
    fn the_check_agrees_with_regress() {
        let patterns = [
            "^[0-9]{1,19}$",
            "^[A-Za-z0-9_]{1,15}$",
            "^[a-z]+$",
            "^[a-c_]{0,2}$",
        ];
        let values = [
            "",
            "0",
            "1234567890123456789",
            "12345678901234567890",
            "12a",
            "abc",
            "ABC_9",
            "abcdefghijklmnop",
            "abcdefghijklmno",
            "a\n",
            "1\n",
            "é",
            "ab\u{0}",
            "__",
            "_",
            "١٢٣", // Arabic-Indic digits: not ASCII
        ];
        for pattern in patterns {
            let simple = Simple::parse(pattern).unwrap();
            let regex = regress::Regex::new(pattern).unwrap();
            for value in values {
                assert_eq!(
                    simple.matches(value),
                    regex.find(value).is_some(),
                    "{pattern} on {value:?}"
                );
            }
        }
    }

    #[test]
    fn the_check_agrees_with_regress_on_every_short_string() {
        // Every string of up to 4 characters over an alphabet with a member and a non-member
        // of each class (and non-ASCII, newline): 4,681 strings a pattern.
        let alphabet = ['0', '9', 'a', 'Z', '_', '-', 'é', '\n'];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = (last.iter())
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            strings.extend(last.iter().cloned());
        }
        for pattern in [
            "^[0-9]{1,3}$",
            "^[A-Za-z0-9_]{2,4}$",
            "^[a-z_]+$",
            "^[0-9Z]{0,1}$",
        ] {
            let simple = Simple::parse(pattern).unwrap();
            let regex = regress::Regex::new(pattern).unwrap();
            for value in &strings {
                assert_eq!(
                    simple.matches(value),
                    regex.find(value).is_some(),
                    "{pattern} on {value:?}"
                );
            }
        }
    }

    #[test]
    fn the_pass_replaces_the_regex_with_the_byte_check() {
        let mut file: File = syn::parse_quote! {
            impl ::std::str::FromStr for UserId {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
                    { ::regress::Regex::new("^[0-9]{1,19}$").unwrap() });
                    if PATTERN.find(value).is_none() {
                        return Err("doesn't match pattern \"^[0-9]{1,19}$\"".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
            impl ::std::str::FromStr for Other {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
                    { ::regress::Regex::new("^(a|b)$").unwrap() });
                    if PATTERN.find(value).is_none() {
                        return Err("doesn't match".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
        };
        let done = simple_patterns(&mut file);
        assert_eq!(
            done,
            Patterns {
                replaced: 1,
                kept: 1
            }
        );
        let code = prettyplease::unparse(&file);
        let user_id = &code[..code.find("for Other").unwrap()];
        assert!(!user_id.contains("regress"), "{user_id}");
        assert!(
            user_id.contains("value.len() >= 1usize && value.len() <= 19usize"),
            "{user_id}"
        );
        assert!(user_id.contains("matches!(b, b'0'..= b'9')"), "{user_id}");
        assert!(
            user_id.contains("doesn't match pattern"),
            "the error is kept: {user_id}"
        );
        assert!(code[code.find("for Other").unwrap()..].contains("regress::Regex::new"));
    }
}
