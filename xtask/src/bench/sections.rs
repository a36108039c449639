//! Puts generated blocks into BENCHMARKS.md: each replaces the text between its own
//! `<!-- BEGIN bench:NAME -->` and `<!-- END bench:NAME -->` lines, with one blank line on each
//! side. Nothing outside the markers changes, and nothing is written when a marker is missing,
//! repeated or out of order.

use std::ops::Range;
use std::path::Path;

use anyhow::{Context, Result, bail};

pub(crate) fn begin_marker(name: &str) -> String {
    format!("<!-- BEGIN bench:{name} -->")
}

pub(crate) fn end_marker(name: &str) -> String {
    format!("<!-- END bench:{name} -->")
}

/// The byte range between the end of the BEGIN line and the start of the END line.
fn between(text: &str, name: &str) -> Result<Range<usize>> {
    let line_at = |marker: &str| -> Result<usize> {
        let mut found = text.match_indices(marker).map(|(at, _)| at).filter(|&at| {
            let starts_line = at == 0 || text[..at].ends_with('\n');
            let rest = &text[at + marker.len()..];
            starts_line && (rest.is_empty() || rest.starts_with('\n'))
        });
        let Some(at) = found.next() else {
            bail!(
                "no `{marker}` line: add `{}` and `{}`, each on a line of its own, where the {name} table goes",
                begin_marker(name),
                end_marker(name)
            );
        };
        if found.next().is_some() {
            bail!("`{marker}` appears on more than one line");
        }
        Ok(at)
    };
    let begin = line_at(&begin_marker(name))?;
    let end = line_at(&end_marker(name))?;
    if end < begin {
        bail!(
            "`{}` comes before `{}`",
            end_marker(name),
            begin_marker(name)
        );
    }
    Ok(begin + begin_marker(name).len() + 1..end)
}

/// Fails, naming the first marker at fault, unless every named section can be replaced.
pub(crate) fn check_markers(text: &str, names: &[&str]) -> Result<()> {
    for name in names {
        between(text, name)?;
    }
    Ok(())
}

/// `text` with each `(name, block)`'s section replaced by `block`.
pub(crate) fn replace_sections(text: &str, blocks: &[(&str, String)]) -> Result<String> {
    let mut text = text.to_string();
    for (name, block) in blocks {
        let range = between(&text, name)?;
        let newline = if block.ends_with('\n') { "" } else { "\n" };
        text.replace_range(range, &format!("\n{block}{newline}\n"));
    }
    Ok(text)
}

/// Replaces the sections in the file at `path`, or leaves it untouched and says why not.
pub(crate) fn write_sections(path: &Path, blocks: &[(&str, String)]) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let replaced = replace_sections(&text, blocks)
        .with_context(|| format!("{} not written", path.display()))?;
    std::fs::write(path, replaced).with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Benchmarks\n\nHand-written 1.\n\n\
                       <!-- BEGIN bench:overhead -->\nold overhead\n<!-- END bench:overhead -->\n\n\
                       Hand-written 2.\n\n\
                       <!-- BEGIN bench:paginate -->\n\nold paginate\n\n<!-- END bench:paginate -->\n\
                       Hand-written 3.\n";

    #[test]
    fn write_replaces_only_the_text_between_its_markers() {
        let replaced = replace_sections(DOC, &[("overhead", "| new | table |\n".into())]).unwrap();
        assert_eq!(
            replaced,
            "# Benchmarks\n\nHand-written 1.\n\n\
             <!-- BEGIN bench:overhead -->\n\n| new | table |\n\n<!-- END bench:overhead -->\n\n\
             Hand-written 2.\n\n\
             <!-- BEGIN bench:paginate -->\n\nold paginate\n\n<!-- END bench:paginate -->\n\
             Hand-written 3.\n"
        );
        // Writing the same block again changes nothing: the padding is not compounded.
        let again = replace_sections(&replaced, &[("overhead", "| new | table |\n".into())]);
        assert_eq!(again.unwrap(), replaced);
    }

    #[test]
    fn write_replaces_every_section_it_is_given() {
        let blocks = [("paginate", "P".to_string()), ("overhead", "O".to_string())];
        let replaced = replace_sections(DOC, &blocks).unwrap();
        assert!(replaced.contains("<!-- BEGIN bench:overhead -->\n\nO\n\n<!-- END"));
        assert!(replaced.contains("<!-- BEGIN bench:paginate -->\n\nP\n\n<!-- END"));
        assert!(!replaced.contains("old"));
    }

    #[test]
    fn write_refuses_when_a_marker_is_missing() {
        let no_begin = DOC.replace("<!-- BEGIN bench:overhead -->\n", "");
        let no_end = DOC.replace("<!-- END bench:overhead -->\n", "");
        for text in [no_begin, no_end] {
            let err = replace_sections(&text, &[("overhead", "new".into())]).unwrap_err();
            assert!(
                err.to_string().contains("bench:overhead -->` line"),
                "{err}"
            );
        }
        let err = check_markers(DOC, &["overhead", "mass-block"]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("no `<!-- BEGIN bench:mass-block -->` line"),
            "{err}"
        );
    }

    #[test]
    fn write_refuses_markers_that_are_repeated_out_of_order_or_not_alone_on_their_line() {
        let repeated = format!("{DOC}<!-- END bench:paginate -->\n");
        let reversed = "<!-- END bench:overhead -->\nx\n<!-- BEGIN bench:overhead -->\n";
        let inline = DOC.replace(
            "<!-- BEGIN bench:overhead -->\n",
            "see <!-- BEGIN bench:overhead -->\n",
        );
        assert!(check_markers(&repeated, &["paginate"]).is_err());
        assert!(check_markers(reversed, &["overhead"]).is_err());
        assert!(check_markers(&inline, &["overhead"]).is_err());
        assert!(check_markers(DOC, &["overhead", "paginate"]).is_ok());
    }

    #[test]
    fn a_refused_write_leaves_the_file_as_it_was() {
        let path =
            std::env::temp_dir().join(format!("xtask-bench-sections-{}.md", std::process::id()));
        let text = DOC.replace("<!-- END bench:paginate -->\n", "");
        std::fs::write(&path, &text).unwrap();
        let blocks = [("overhead", "O".to_string()), ("paginate", "P".to_string())];
        let result = write_sections(&path, &blocks);
        let after = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(result.is_err());
        assert_eq!(after, text);
    }
}
