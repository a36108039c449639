//! Wire fixes for what progenitor gets wrong, applied to every built request before it is sent.

use reqwest::header::{ACCEPT, HeaderValue};

use crate::error::{Bound, RequestError};
use crate::operation::{ApiSpec, OperationSpec, ParamBound, ParamLocation};

/// https, or plain http to a loopback host (the mock); never userinfo (`user:pass@`), which
/// reqwest would turn into Basic auth and errors would show.
pub(crate) fn check_transport(url: &url::Url) -> Result<(), RequestError> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RequestError::UserinfoInUrl {
            host: url.host_str().unwrap_or("").to_string(),
        });
    }
    if url.scheme() == "https" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if loopback {
        Ok(())
    } else {
        Err(RequestError::InsecureTransport {
            host: url.host_str().unwrap_or("").to_string(),
        })
    }
}

/// Refuses a request whose URL had userinfo: reqwest moves it into an `Authorization: Basic`
/// header when the request is built, before `pre` sees it, and nothing else sets that header
/// before the runtime's credentials are applied (no security scheme here is HTTP Basic).
pub(crate) fn check_no_url_credentials(request: &reqwest::Request) -> Result<(), RequestError> {
    check_transport(request.url())?;
    let basic = request
        .headers()
        .get(reqwest::header::AUTHORIZATION)
        .is_some_and(|v| {
            v.as_bytes()
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"basic "))
        });
    if basic {
        return Err(RequestError::UserinfoInUrl {
            host: request.url().host_str().unwrap_or("").to_string(),
        });
    }
    Ok(())
}

/// Sets the version-selecting `Accept` (Kraken). (progenitor's `api-version` header is not
/// generated at all: the xtask's `lean_requests` pass removes it.)
pub(crate) fn fix_headers(api: &ApiSpec, request: &mut reqwest::Request) {
    if let Some(accept) = api.accept {
        request
            .headers_mut()
            .insert(ACCEPT, HeaderValue::from_static(accept));
    }
}

/// `style: form, explode: false`: progenitor sends `a=x&a=y`; the APIs want one `a=x,y`. The
/// already-encoded values are joined with a literal comma at the first occurrence's place.
pub(crate) fn join_comma_params(op: &OperationSpec, url: &mut url::Url) {
    if op.comma_joined.is_empty() {
        return;
    }
    let Some(query) = url.query() else { return };
    // Most requests repeat no array parameter: then there is nothing to join, and the query
    // is left as it is instead of being rebuilt (this runs on every request).
    let names = query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(name, _)| name));
    let mut seen: Vec<&str> = Vec::new();
    let mut repeated = false;
    for name in names {
        // Spec parameter names (letters, digits, `.` and `_`) are the same form-encoded.
        if op.comma_joined.contains(&name) {
            if seen.contains(&name) {
                repeated = true;
                break;
            }
            seen.push(name);
        }
    }
    if !repeated {
        return;
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name: String = url::form_urlencoded::parse(raw_name.as_bytes())
            .map(|(k, _)| k.into_owned())
            .next()
            .unwrap_or_default();
        if op.comma_joined.contains(&name.as_str())
            && let Some(existing) = out.iter_mut().find(|(n, _)| *n == raw_name)
        {
            existing.1.push(',');
            existing.1.push_str(raw_value);
            continue;
        }
        out.push((raw_name.to_string(), raw_value.to_string()));
    }
    let joined: Vec<String> = out.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
    url.set_query(Some(&joined.join("&")));
}

/// Enforces the spec's `minimum`/`maximum`/`minLength`/`maxLength`, which progenitor ignores.
/// Runs on every request: values are checked where they lie, without collecting them.
pub(crate) fn check_bounds(op: &OperationSpec, url: &url::Url) -> Result<(), RequestError> {
    for bound in op.bounds {
        match bound.location {
            ParamLocation::Query => {
                let comma = op.comma_joined.contains(&bound.name);
                let Some(query) = url.query() else { continue };
                let mut items = 0usize;
                // Spec parameter names are the same form-encoded, so names are compared raw and
                // only a matching value is decoded.
                for pair in query.split('&') {
                    let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
                    if name != bound.name {
                        continue;
                    }
                    let value: std::borrow::Cow<'_, str> = if raw.contains(['%', '+']) {
                        url::form_urlencoded::parse(pair.as_bytes())
                            .next()
                            .map(|(_, v)| std::borrow::Cow::Owned(v.into_owned()))
                            .unwrap_or_default()
                    } else {
                        std::borrow::Cow::Borrowed(raw)
                    };
                    if comma {
                        for v in value.split(',') {
                            items += 1;
                            check_value(op, bound, v)?;
                        }
                    } else {
                        items += 1;
                        check_value(op, bound, &value)?;
                    }
                }
                if let Some(max) = bound.max_items
                    && items > max
                {
                    return Err(RequestError::TooManyItems {
                        operation: op.id.into(),
                        parameter: bound.name.into(),
                        count: items,
                        max,
                    });
                }
            }
            ParamLocation::Path => {
                if let Some(value) = path_value(op.path, url.path(), bound.name) {
                    check_value(op, bound, &value)?;
                }
            }
        }
    }
    if let Some((names, max)) = op.items_total {
        let count: usize = url
            .query()
            .unwrap_or_default()
            .split('&')
            .filter_map(|pair| {
                let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
                names.contains(&name).then(|| {
                    if op.comma_joined.contains(&name) {
                        raw.split(',').count()
                    } else {
                        1
                    }
                })
            })
            .sum();
        if count > max {
            return Err(RequestError::TooManyItems {
                operation: op.id.into(),
                parameter: names.join("` and `"),
                count,
                max,
            });
        }
    }
    Ok(())
}

/// Refuses a request whose path is not the operation's: each `{parameter}` of the template must
/// hold a value that cannot change the path (not empty, `.` or `..`, nothing that decodes to
/// `/`, `?`, `#`, `%` or a control character), and the literal segments must be where the
/// template has them. The generated code percent-encodes `/`, `?`, `#` and `%`, but a value of
/// exactly `..` is normalised away by the URL parser and would retarget the request (`/users/../
/// blocking` is `/blocking`): that shows here as a path of another shape. Runs on every request.
pub(crate) fn check_path(op: &OperationSpec, url: &url::Url) -> Result<(), RequestError> {
    if !op.path.contains('{') {
        return Ok(());
    }
    let refuse = |parameter: &str, value: &str, reason: &str| RequestError::BadPathValue {
        operation: op.id.into(),
        parameter: parameter.into(),
        value: truncate(value).escape_debug().to_string(),
        reason: reason.into(),
    };
    // From the end, one pass over the bytes (this runs on every request): the URL's path may
    // start with the base URL's own segments (`/helix`, `/2`). A literal out of place (a `..`
    // normalised away shows so) is refused before any value; among bad values, the first.
    let path = url.path();
    let template = op.path.strip_prefix('/').unwrap_or(op.path);
    let segments = path.strip_prefix('/').unwrap_or(path);
    let mut bad = None;
    let (mut t_end, mut s_end) = (template.len(), Some(segments.len()));
    loop {
        let t_start = segment_start(template, t_end);
        let expected = &template[t_start..t_end];
        let Some(end) = s_end else {
            return Err(refuse("", path, &shape(op.path)));
        };
        let s_start = segment_start(segments, end);
        let raw = &segments[s_start..end];
        match param(expected) {
            Some(name) => {
                if let Some(reason) = bad_path_value(raw) {
                    bad = Some((name, raw, reason));
                }
            }
            None if raw != expected => return Err(refuse("", path, &shape(op.path))),
            None => {}
        }
        if t_start == 0 {
            break;
        }
        t_end = t_start - 1;
        s_end = s_start.checked_sub(1);
    }
    match bad {
        None => Ok(()),
        Some((name, raw, reason)) => {
            let value: std::borrow::Cow<'_, str> = if raw.contains('%') {
                percent_decode(raw).into()
            } else {
                raw.into()
            };
            Err(refuse(name, &value, reason))
        }
    }
}

/// Where the `/`-separated segment of `s` that ends at `end` starts.
fn segment_start(s: &str, end: usize) -> usize {
    s.as_bytes()[..end]
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |slash| slash + 1)
}

/// The parameter a template segment names (`{name}`), if it is one.
fn param(segment: &str) -> Option<&str> {
    segment.strip_prefix('{')?.strip_suffix('}')
}

/// Why a path segment's value would change the path, if it would. A value without `%` is
/// checked byte by byte without decoding: the URL parser leaves only ASCII in a path, so its
/// control characters are the bytes below 0x20 and 0x7f.
fn bad_path_value(raw: &str) -> Option<&'static str> {
    if raw.contains('%') {
        let value = percent_decode(raw);
        return value_reason(&value, value.chars().any(char::is_control));
    }
    value_reason(raw, raw.bytes().any(|b| b < 0x20 || b == 0x7f))
}

fn value_reason(value: &str, control: bool) -> Option<&'static str> {
    if value.is_empty() {
        Some("a path value cannot be empty")
    } else if value == "." || value == ".." {
        Some("`.` and `..` would change which path the request goes to")
    } else if value.contains(['/', '?', '#', '%']) {
        Some("`/`, `?`, `#` and `%` are not allowed in a path value")
    } else if control {
        Some("control characters are not allowed in a path value")
    } else {
        None
    }
}

fn shape(template: &str) -> String {
    format!(
        "the path is not of the operation's shape {template} (a path value of `.` or `..` was normalised away)"
    )
}

fn check_value(op: &OperationSpec, bound: &ParamBound, value: &str) -> Result<(), RequestError> {
    if bound.minimum.is_some() || bound.maximum.is_some() {
        let n: i64 = value.parse().map_err(|_| RequestError::NotAnInteger {
            operation: op.id.into(),
            parameter: bound.name.into(),
            value: truncate(value),
        })?;
        if bound.minimum.is_some_and(|m| n < m) || bound.maximum.is_some_and(|m| n > m) {
            return Err(RequestError::OutOfRange {
                operation: op.id.into(),
                parameter: bound.name.into(),
                value: n.to_string(),
                bound: Bound {
                    min: bound.minimum,
                    max: bound.maximum,
                },
            });
        }
    }
    if bound.min_length.is_some() || bound.max_length.is_some() {
        let len = value.chars().count();
        if bound.min_length.is_some_and(|m| len < m) || bound.max_length.is_some_and(|m| len > m) {
            return Err(RequestError::BadLength {
                operation: op.id.into(),
                parameter: bound.name.into(),
                length: len,
                bound: Bound {
                    min: bound.min_length.map(|m| m as i64),
                    max: bound.max_length.map(|m| m as i64),
                },
            });
        }
    }
    Ok(())
}

/// The decoded value of `{name}` in `path`, matching the template against the path's tail (the
/// base URL may add a prefix).
fn path_value(template: &str, path: &str, name: &str) -> Option<String> {
    let t: Vec<&str> = template.trim_matches('/').split('/').collect();
    let p: Vec<&str> = path.trim_matches('/').split('/').collect();
    if p.len() < t.len() {
        return None;
    }
    let tail = &p[p.len() - t.len()..];
    let i = t.iter().position(|s| *s == format!("{{{name}}}"))?;
    Some(percent_decode(tail[i]))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Values quoted in errors are cut short: a 1 MB string must not become a 1 MB message.
fn truncate(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}...", s.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{CredentialNeed, ParamBound};

    const OP: OperationSpec = OperationSpec {
        id: "get_users_blocking",
        method: "GET",
        path: "/users/{id}/blocking",
        security: &[],
        enums: &[],
        scopes: &[],
        credential: CredentialNeed::UserContext,
        comma_joined: &["user.fields", "expansions"],
        bounds: &[
            ParamBound {
                name: "max_results",
                location: ParamLocation::Query,
                minimum: Some(1),
                maximum: Some(1000),
                min_length: None,
                max_length: None,
                max_items: None,
            },
            ParamBound {
                name: "id",
                location: ParamLocation::Path,
                minimum: None,
                maximum: None,
                min_length: Some(1),
                max_length: Some(19),
                max_items: None,
            },
        ],
        bucket: "get_users_blocking",
        idempotent: true,
        availability: &[],
        items_total: None,
    };

    #[test]
    fn repeated_explode_false_params_are_joined_with_literal_commas() {
        let mut url = url::Url::parse("http://127.0.0.1/2/users/1/blocking?expansions=pinned_tweet_id&max_results=5&user.fields=created_at&user.fields=description").unwrap();
        join_comma_params(&OP, &mut url);
        assert_eq!(
            url.query(),
            Some("expansions=pinned_tweet_id&max_results=5&user.fields=created_at,description")
        );
    }

    #[test]
    fn bounds_name_parameter_value_and_bound() {
        let url = url::Url::parse("http://127.0.0.1/2/users/1/blocking?max_results=5000").unwrap();
        let err = check_bounds(&OP, &url).unwrap_err();
        assert_eq!(
            err.to_string(),
            "get_users_blocking: parameter `max_results` = 5000 is out of range: allowed 1..=1000"
        );
        let url =
            url::Url::parse("http://127.0.0.1/2/users/12345678901234567890/blocking").unwrap();
        assert!(matches!(
            check_bounds(&OP, &url),
            Err(RequestError::BadLength { length: 20, .. })
        ));
        let url = url::Url::parse("http://127.0.0.1/2/users/1/blocking?max_results=1000").unwrap();
        assert_eq!(check_bounds(&OP, &url), Ok(()));
    }

    const PAIR: OperationSpec = OperationSpec {
        id: "unblock_user",
        path: "/users/{source_user_id}/blocking/{target_user_id}",
        bounds: &[],
        ..OP
    };

    #[test]
    fn path_values_that_would_change_the_path_are_refused() {
        let ok = "http://127.0.0.1/2/users/1/blocking/2";
        assert_eq!(check_path(&PAIR, &ok.parse().unwrap()), Ok(()));
        assert_eq!(
            check_path(&OP, &"http://127.0.0.1/2/users/1/blocking".parse().unwrap()),
            Ok(())
        );
        // What the generated code builds from each value (it encodes `/`, `?`, `#`, `%`).
        for (value, parameter) in [
            ("..", ""),
            (".", "target_user_id"), // normalised to `/blocking/`: an empty value
            ("%2e%2E", ""),
            ("", "target_user_id"),
            ("a%2Fb", "target_user_id"),
            ("a%3Fb", "target_user_id"),
            ("a%23b", "target_user_id"),
            ("a%25b", "target_user_id"),
            ("a%0Ab", "target_user_id"),
            ("%00", "target_user_id"),
        ] {
            let url: url::Url = format!("http://127.0.0.1/2/users/1/blocking/{value}")
                .parse()
                .unwrap();
            let e = check_path(&PAIR, &url).unwrap_err();
            let RequestError::BadPathValue { parameter: p, .. } = &e else {
                panic!("{value}: {e:?}")
            };
            assert_eq!(p, parameter, "{value}: {e}");
        }
        for value in ["..", ".", "%2E%2E"] {
            let url: url::Url = format!("http://127.0.0.1/2/users/{value}/blocking/2")
                .parse()
                .unwrap();
            assert!(
                matches!(
                    check_path(&PAIR, &url),
                    Err(RequestError::BadPathValue { .. })
                ),
                "{value} normalised to {url}"
            );
            let url: url::Url = format!("http://127.0.0.1/2/users/{value}/blocking")
                .parse()
                .unwrap();
            assert!(
                matches!(
                    check_path(&OP, &url),
                    Err(RequestError::BadPathValue { .. })
                ),
                "{value} normalised to {url}"
            );
        }
    }

    #[test]
    fn userinfo_that_reqwest_turned_into_basic_auth_is_refused() {
        let request = reqwest::Client::new()
            .get("http://user:hunter2@127.0.0.1:9/2/users/1/blocking")
            .build()
            .unwrap();
        assert!(request.url().password().is_none(), "reqwest moved it out");
        let e = check_no_url_credentials(&request).unwrap_err();
        assert!(matches!(e, RequestError::UserinfoInUrl { .. }), "{e:?}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let clean = reqwest::Client::new()
            .get("http://127.0.0.1:9/2/users/1/blocking")
            .build()
            .unwrap();
        assert_eq!(check_no_url_credentials(&clean), Ok(()));
    }

    #[test]
    fn http_is_only_for_loopback() {
        assert!(check_transport(&"http://127.0.0.1:9/x".parse().unwrap()).is_ok());
        assert!(check_transport(&"http://localhost:9/x".parse().unwrap()).is_ok());
        assert!(check_transport(&"http://[::1]:9/x".parse().unwrap()).is_ok());
        assert!(check_transport(&"https://api.x.com/2".parse().unwrap()).is_ok());
        for with_userinfo in [
            "https://user:hunter2@api.x.com/2",
            "https://hunter2@api.x.com/2",
            "http://:hunter2@127.0.0.1:9/x",
        ] {
            let e = check_transport(&with_userinfo.parse().unwrap()).unwrap_err();
            assert!(matches!(e, RequestError::UserinfoInUrl { .. }), "{e:?}");
            assert!(!e.to_string().contains("hunter2"), "{e}");
            assert!(!format!("{e:?}").contains("hunter2"), "{e:?}");
        }
        assert_eq!(
            check_transport(&"http://api.x.com/2".parse().unwrap()),
            Err(RequestError::InsecureTransport {
                host: "api.x.com".into()
            })
        );
    }
}
