//! One line of a line-per-target file: an ID or login (`@name`, `id:`, `login:`), a chat command
//! (`/block name`, `.block name`, `/ban name reason`, `/unblock name`, `/unban name`), or a
//! profile URL (`https://www.twitch.tv/name`, `https://x.com/name`, `twitter.com/intent/user?user_id=N`).
//! Must not decide a direction or a platform: it records them on the [`Parsed`] for
//! [`Parsed::check`].

use blockbind::{Platform, Target};

use super::{BadLine, Entry, Parsed, target};

/// Reads one line with content (trimmed, not a comment) into `out`.
pub(super) fn line(n: usize, text: &str, out: &mut Parsed) {
    if let Some(command) = text.strip_prefix('/').or_else(|| text.strip_prefix('.')) {
        chat(n, command, out);
    } else if let Some((platform, result)) = url(text) {
        out.saw(platform, n);
        match result {
            Ok(target) => out.entries.push(Entry {
                line: n,
                target,
                also: None,
            }),
            Err(why) => out.bad.push(BadLine { line: n, why }),
        }
    } else {
        target(n, text, out);
    }
}

/// `block name`, `ban name reason...`, `unblock name`, `unban name` (the `/` or `.` gone).
fn chat(n: usize, command: &str, out: &mut Parsed) {
    let mut words = command.split_whitespace();
    let verb = words.next().unwrap_or_default().to_ascii_lowercase();
    let first = |seen: &mut Option<usize>| {
        seen.get_or_insert(n);
    };
    match verb.as_str() {
        "block" | "ban" => first(&mut out.commands.block),
        "unblock" | "unban" => first(&mut out.commands.unblock),
        _ => {
            out.bad.push(BadLine {
                line: n,
                why: format!(
                    "`{}` is not a chat command blockbind reads (/block, /ban, /unblock, /unban)",
                    crate::output::terminal_safe(&verb.chars().take(30).collect::<String>())
                ),
            });
            return;
        }
    }
    match words.next() {
        // A chat command names a user by login (`@` allowed); the rest (a ban reason) is ignored.
        Some(name) => target(n, name, out),
        None => out.bad.push(BadLine {
            line: n,
            why: format!("/{verb} names no user"),
        }),
    }
}

/// The platform of a profile URL's host, if it is Twitch's or X's.
pub(super) fn platform_of_url(text: &str) -> Option<Platform> {
    let parsed = parse_url(text)?;
    host_platform(parsed.host_str()?)
}

fn parse_url(text: &str) -> Option<blockbind::reqwest::Url> {
    let with_scheme = if text.starts_with("http://") || text.starts_with("https://") {
        text.to_string()
    } else {
        let host = text.split('/').next()?;
        host_platform(host)?;
        format!("https://{text}")
    };
    blockbind::reqwest::Url::parse(&with_scheme).ok()
}

fn host_platform(host: &str) -> Option<Platform> {
    let host = host.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(&host);
    match host {
        "twitch.tv" => Some(Platform::Twitch),
        "x.com" | "twitter.com" => Some(Platform::X),
        _ => None,
    }
}

/// A profile URL: its platform and the user it names (`None` when the line is not a URL).
fn url(text: &str) -> Option<(Platform, Result<Target, String>)> {
    let looks_like_url = text.contains("://") || text.contains('/');
    if !looks_like_url {
        return None;
    }
    // Not a Twitch or X URL: the line is read as a target, and refused as one.
    let parsed = parse_url(text)?;
    let platform = host_platform(parsed.host_str()?)?;
    let mut segments = parsed.path_segments()?.filter(|s| !s.is_empty());
    let first = segments.next();
    // X's intent link (the archive's userLink): `/intent/user?user_id=N`.
    if first == Some("intent") {
        let id = parsed
            .query_pairs()
            .find(|(k, _)| k == "user_id")
            .map(|(_, v)| v.into_owned());
        return Some((
            platform,
            id.ok_or_else(|| "an intent URL without user_id".to_string())
                .and_then(|id| Target::id(id).map_err(|e| e.to_string())),
        ));
    }
    let result = match first {
        Some(name) => Target::login(name).map_err(|e| e.to_string()),
        None => Err("a profile URL names a user after the host".to_string()),
    };
    Some((platform, result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_urls_name_the_user_and_their_platform() {
        for (text, platform, target) in [
            (
                "https://www.twitch.tv/Spammer_1",
                Platform::Twitch,
                "Spammer_1",
            ),
            ("twitch.tv/spammer_1", Platform::Twitch, "spammer_1"),
            ("https://x.com/jack", Platform::X, "jack"),
            ("https://mobile.twitter.com/jack/", Platform::X, "jack"),
            (
                "https://twitter.com/intent/user?user_id=783214",
                Platform::X,
                "783214",
            ),
        ] {
            let (p, t) = url(text).expect(text);
            assert_eq!(p, platform, "{text}");
            assert_eq!(t.unwrap().as_str(), target, "{text}");
        }
        assert!(url("jack").is_none());
        assert!(url("https://example.com/jack").is_none());
    }
}
