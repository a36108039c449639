//! `cargo xtask generate`: one client crate per spec, written by progenitor.
//!
//! For each `specs/<api>.yaml` this produces, in memory, the files the xtask owns in
//! `crates/<x-crate>/`: `src/generated.rs` (headed with the spec's path and SHA-256),
//! `Cargo.toml` (whose dependency list follows what the generated code uses) and `README.md`
//! (from the spec's facts and the first example of the hand-written `lib.rs`, see `readme.rs`).
//! Writing and checking are the same computation compared against the disk, so `--check` can
//! never disagree with a real run. `src/lib.rs` is hand-written; the xtask only creates a minimal one when it is missing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use blockbind_spec::{SpecFile, generated_header};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use quote::quote;

/// A file the xtask owns, with the content it must have.
#[derive(Debug)]
pub struct OwnedFile {
    /// Relative to the workspace root.
    pub path: PathBuf,
    pub content: String,
}

/// What generating one spec produces.
#[derive(Debug)]
pub struct GeneratedCrate {
    pub spec: SpecFile,
    pub crate_dir: String,
    pub files: Vec<OwnedFile>,
    /// Created only when missing: the hand-written part of the crate.
    pub lib_rs: OwnedFile,
}

fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        // Builders read like the HTTP call they make, and validate each argument as it is set.
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("PartialEq")
        // Every client runs through blockbind-runtime: its `Runtime` is the inner value, and the
        // `ClientHooks` impl appended by `runtime_wiring` is required (a missing one fails to
        // compile instead of silently bypassing auth, validation and pacing).
        .with_inner_type(quote!(::blockbind_runtime::Runtime))
        .with_hooks(HooksMode::Expected);
    settings
}

/// Runs progenitor on one spec.
pub fn generate(spec: &SpecFile) -> Result<GeneratedCrate> {
    let crate_dir = spec.crate_dir()?;
    let openapi = spec.openapi()?;
    let mut generator = Generator::new(&settings());
    // progenitor reports shapes it cannot type by panicking; turn that into an error that names
    // the spec (its panic message has already been printed by the default hook).
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&openapi)
    }))
    .map_err(|_| {
        anyhow!(
            "progenitor panicked on {} (see the message above); specs/README.md lists the shapes it cannot generate",
            spec.rel_path
        )
    })?
    .with_context(|| format!("progenitor rejected {}", spec.rel_path))?;

    let facts = spec.facts()?;
    let mut tokens = tokens;
    tokens.extend(crate::runtime_wiring::tokens(spec, &facts)?);
    let mut file: syn::File = syn::parse2(tokens)
        .with_context(|| format!("progenitor's output for {} does not parse", spec.rel_path))?;
    crate::open_types::open_response_types(&mut file)
        .with_context(|| format!("opening the response types of {}", spec.rel_path))?;
    crate::lean_requests::lean_requests(&mut file)
        .with_context(|| format!("leaning the requests of {}", spec.rel_path))?;
    crate::simple_patterns::simple_patterns(&mut file);
    // A pattern left to regress keeps the dependency; none left, none needed.
    let uses_regress = quote::ToTokens::to_token_stream(&file)
        .to_string()
        .contains("regress");
    let code = progenitor_impl::space_out_items(prettyplease::unparse(&file))?;
    let code = clearer_enum_errors(&code);
    let generated = format!(
        "{}\n{}",
        generated_header(&spec.rel_path, &spec.sha256()),
        code
    );

    let type_space = generator.get_type_space();
    let mut deps = vec!["blockbind-runtime", "progenitor-client", "reqwest", "serde"];
    if type_space.uses_serde_json() {
        deps.push("serde_json");
    }
    if type_space.uses_chrono() {
        deps.push("chrono");
    }
    if type_space.uses_regress() && uses_regress {
        deps.push("regress");
    }
    if type_space.uses_uuid() {
        deps.push("uuid");
    }
    if generator.uses_futures() {
        deps.push("futures-core");
    }
    let title = openapi.info.title.clone();
    let cargo_toml = cargo_toml(spec, &crate_dir, &title, facts.legacy.as_deref(), &deps)?;
    let base = Path::new("crates").join(&crate_dir);
    let lib_rs_text =
        std::fs::read_to_string(crate::workspace_root().join(base.join("src/lib.rs")))
            .unwrap_or_default();
    let readme = crate::readme::client_readme(spec, &facts, &lib_rs_text)?;

    Ok(GeneratedCrate {
        files: vec![
            OwnedFile {
                path: base.join("Cargo.toml"),
                content: cargo_toml,
            },
            OwnedFile {
                path: base.join("README.md"),
                content: readme,
            },
            OwnedFile {
                path: base.join("src/generated.rs"),
                content: generated,
            },
        ],
        lib_rs: OwnedFile {
            path: base.join("src/lib.rs"),
            content: lib_rs(spec, &title),
        },
        crate_dir,
        spec: spec.clone(),
    })
}

/// progenitor's enums refuse an unknown value with "invalid value", which names neither the
/// value nor the choices; this pass makes each say both (the value cut to 64 characters).
fn clearer_enum_errors(code: &str) -> String {
    const VAGUE: &str = "_ => Err(\"invalid value\".into()),";
    let mut out = String::with_capacity(code.len());
    let mut arms: Vec<String> = Vec::new();
    for line in code.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with("match value {") {
            arms.clear();
        } else if let Some(rest) = trimmed.strip_prefix('"')
            && let Some((literal, _)) = rest.split_once("\" => Ok(Self::")
        {
            arms.push(literal.to_string());
        }
        if trimmed == VAGUE && !arms.is_empty() {
            let indent = &line[..line.len() - line.trim_start().len()];
            out.push_str(&format!(
                "{indent}_ => Err(format!(\"{{:?}} is not one of: {}\", value.chars().take(64).collect::<String>()).into()),\n",
                arms.join(", ")
            ));
            arms.clear();
            continue;
        }
        out.push_str(line);
    }
    out
}

fn cargo_toml(
    spec: &SpecFile,
    crate_dir: &str,
    title: &str,
    legacy: Option<&str>,
    deps: &[&str],
) -> Result<String> {
    if title.contains('"') || title.contains('\\') {
        bail!(
            "{}: info.title must not contain quotes or backslashes",
            spec.rel_path
        );
    }
    // crates.io shows the description in search results: a retired API says so there, in the
    // first sentence of its `x-legacy` (when it was shut down).
    let legacy = match legacy {
        Some(text) => {
            let first = text
                .split(". ")
                .next()
                .unwrap_or(text)
                .trim_end_matches('.');
            if first.contains('"') || first.contains('\\') {
                bail!(
                    "{}: info.x-legacy must not contain quotes or backslashes",
                    spec.rel_path
                );
            }
            format!(" Legacy: {first}.")
        }
        None => String::new(),
    };
    let mut out = format!(
        "# Written by `cargo xtask generate` from {spec}. Edit the spec or xtask/, not this file.\n\
         [package]\n\
         name = \"blockbind-{crate_dir}\"\n\
         description = \"Typed Rust client for {title}, generated from {spec} by progenitor.{legacy}\"\n\
         version.workspace = true\n\
         edition.workspace = true\n\
         rust-version.workspace = true\n\
         license.workspace = true\n\
         repository.workspace = true\n\
         homepage.workspace = true\n\
         readme = \"README.md\"\n\
         keywords.workspace = true\n\
         categories.workspace = true\n\
         \n\
         [package.metadata.docs.rs]\n\
         all-features = true\n\
         rustdoc-args = [\"--cfg\", \"docsrs\"]\n\
         \n\
         # Named explicitly so the workspace still loads (and the xtask still runs) before the\n\
         # hand-written lib.rs exists.\n\
         [lib]\n\
         path = \"src/lib.rs\"\n\
         \n\
         [lints]\n\
         workspace = true\n\
         \n\
         [dependencies]\n",
        spec = spec.rel_path,
    );
    for dep in deps {
        out.push_str(&format!("{dep} = {{ workspace = true }}\n"));
    }
    Ok(out)
}

fn lib_rs(spec: &SpecFile, title: &str) -> String {
    format!(
        "//! Typed client for {title}, generated from `{spec}`.\n\
         //!\n\
         //! `generated.rs` is written by `cargo xtask generate` and never edited by hand; this file\n\
         //! holds what is written by hand beside it.\n\
         \n\
         #[rustfmt::skip]\n\
         #[allow(clippy::all, clippy::pedantic, unused_imports, dead_code, missing_docs)]\n\
         mod generated;\n\
         pub use generated::*;\n\
         \n\
         pub use blockbind_runtime::{{ApiError, PageOptions}};\n",
        spec = spec.rel_path,
    )
}

/// How a file on disk compares with what the xtask would write.
#[derive(Debug, PartialEq, Eq)]
pub enum FileState {
    Fresh,
    Stale,
    Missing,
}

pub fn file_state(root: &Path, file: &OwnedFile) -> FileState {
    match std::fs::read_to_string(root.join(&file.path)) {
        Ok(current) if current == file.content => FileState::Fresh,
        Ok(_) => FileState::Stale,
        Err(_) => FileState::Missing,
    }
}

/// Generates every selected spec. `only` filters by crate directory or spec stem; with a filter,
/// a spec that does not load is skipped (with a warning) unless its file name was asked for, so one
/// spec being edited does not block regenerating another.
pub fn generate_all(root: &Path, only: &[String]) -> Result<Vec<GeneratedCrate>> {
    let mut specs = Vec::new();
    for rel in blockbind_spec::spec_paths(root)? {
        match SpecFile::load(root, &rel) {
            Ok(spec) => specs.push(spec),
            Err(e) => {
                let stem = rel.trim_start_matches("specs/").trim_end_matches(".yaml");
                if only.is_empty() || only.iter().any(|o| o == stem) {
                    return Err(e.into());
                }
                eprintln!("warning: skipping {rel}: {e}");
            }
        }
    }
    let mut selected = Vec::new();
    for spec in &specs {
        let dir = spec.crate_dir()?;
        if only.is_empty() || only.iter().any(|o| *o == dir || *o == spec.stem) {
            selected.push(spec);
        }
    }
    for o in only {
        if !specs
            .iter()
            .any(|s| s.stem == *o || s.crate_dir().ok().as_deref() == Some(o))
        {
            let known: Vec<String> = specs.iter().filter_map(|s| s.crate_dir().ok()).collect();
            bail!("no spec for `{o}`; known APIs: {}", known.join(", "));
        }
    }
    selected.into_iter().map(generate).collect()
}

/// The files generated from every spec together: the registry and its copies of the specs, the
/// facade's per-API glue, the facade's feature block and the README's feature table (see
/// `registry.rs`).
pub fn shared(root: &Path) -> Result<Vec<OwnedFile>> {
    let mut specs = Vec::new();
    for spec in blockbind_spec::workspace_specs(root)? {
        let facts = spec.facts()?;
        specs.push((spec, facts));
    }
    let mut files = vec![
        crate::registry::registry(&specs)?,
        crate::registry::facade(&specs)?,
        crate::registry::root_manifest(root, &specs)?,
        crate::registry::readme(root, &specs)?,
    ];
    files.extend(crate::registry::spec_copies(&specs)?);
    Ok(files)
}

/// Files in the registry's directory of spec copies that no spec accounts for (a spec renamed or
/// removed): stale for `--check`, removed by `generate`.
fn orphan_copies(root: &Path, files: &[OwnedFile]) -> Vec<PathBuf> {
    let dir = Path::new(crate::registry::SPEC_COPIES_DIR);
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Vec::new();
    };
    let mut orphans: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| dir.join(e.file_name()))
        .filter(|p| !files.iter().any(|f| f.path == *p))
        .collect();
    orphans.sort();
    orphans
}

/// The shared files that differ from the disk, and the spec copies no spec accounts for.
pub fn stale_shared(root: &Path, files: &[OwnedFile]) -> Vec<PathBuf> {
    let mut stale: Vec<PathBuf> = files
        .iter()
        .filter(|f| file_state(root, f) != FileState::Fresh)
        .map(|f| f.path.clone())
        .collect();
    stale.extend(orphan_copies(root, files));
    stale
}

/// Writes the shared files that differ and removes orphaned spec copies; returns the paths
/// written or removed.
pub fn write_shared(root: &Path, files: &[OwnedFile]) -> Result<Vec<PathBuf>> {
    let mut written = write_files(root, files.iter())?;
    for orphan in orphan_copies(root, files) {
        let path = root.join(&orphan);
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        written.push(orphan);
    }
    Ok(written)
}

/// Writes each file whose content differs from the disk; returns the paths written.
fn write_files<'a>(
    root: &Path,
    files: impl Iterator<Item = &'a OwnedFile>,
) -> Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in files {
        if file_state(root, f) == FileState::Fresh {
            continue;
        }
        let path = root.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &f.content).with_context(|| format!("writing {}", path.display()))?;
        written.push(f.path.clone());
    }
    Ok(written)
}

/// The crates whose owned files differ from the disk, with the files that differ.
pub fn stale(root: &Path, crates: &[GeneratedCrate]) -> Vec<(String, Vec<PathBuf>)> {
    crates
        .iter()
        .filter_map(|c| {
            let files: Vec<PathBuf> = c
                .files
                .iter()
                .chain(std::iter::once(&c.lib_rs).filter(|f| !root.join(&f.path).exists()))
                .filter(|f| file_state(root, f) != FileState::Fresh)
                .map(|f| f.path.clone())
                .collect();
            (!files.is_empty()).then(|| (c.crate_dir.clone(), files))
        })
        .collect()
}

/// Writes what differs; returns the paths written.
pub fn write(root: &Path, crates: &[GeneratedCrate]) -> Result<Vec<PathBuf>> {
    write_files(
        root,
        crates.iter().flat_map(|c| {
            let lib = std::iter::once(&c.lib_rs).filter(|f| !root.join(&f.path).exists());
            c.files.iter().chain(lib)
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap()
            .to_path_buf()
    }

    #[test]
    fn generated_code_is_fresh() {
        let root = workspace_root();
        let crates = generate_all(&root, &[]).expect("every spec generates");
        assert!(!crates.is_empty(), "no specs found under specs/");
        let stale = stale(&root, &crates);
        assert!(
            stale.is_empty(),
            "generated code is stale, run `cargo xtask generate`: {stale:?}"
        );
        let shared = stale_shared(&root, &shared(&root).unwrap());
        assert!(
            shared.is_empty(),
            "the registry or the facade glue is stale, run `cargo xtask generate`: {shared:?}"
        );
    }

    #[test]
    fn generation_is_deterministic() {
        let root = workspace_root();
        let first = generate_all(&root, &[]).unwrap();
        let second = generate_all(&root, &[]).unwrap();
        for (a, b) in first.iter().zip(&second) {
            for (fa, fb) in a.files.iter().zip(&b.files) {
                assert!(
                    fa.content == fb.content,
                    "{} differs between runs",
                    fa.path.display()
                );
            }
        }
    }

    #[test]
    fn editing_a_spec_makes_only_its_crate_stale() {
        let root = workspace_root();
        let specs = blockbind_spec::workspace_specs(&root).unwrap();
        let victim = &specs[0];
        let text = String::from_utf8(victim.bytes.clone()).unwrap();
        let edited = SpecFile::from_bytes(
            &victim.rel_path,
            format!("{text}\n# an edit\n").into_bytes(),
        )
        .unwrap();
        let mut crates = vec![generate(&edited).unwrap()];
        for other in &specs[1..] {
            crates.push(generate(other).unwrap());
        }
        let stale = stale(&root, &crates);
        assert_eq!(stale.len(), 1, "{stale:?}");
        assert_eq!(stale[0].0, victim.crate_dir().unwrap());
        assert_eq!(
            stale[0].1,
            vec![
                Path::new("crates")
                    .join(victim.crate_dir().unwrap())
                    .join("src/generated.rs")
            ]
        );
    }

    #[test]
    fn an_unknown_api_name_is_an_error_listing_the_known_ones() {
        let err = generate_all(&workspace_root(), &["nope".into()]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("no spec for `nope`"), "{msg}");
        assert!(msg.contains("twitch-helix"), "{msg}");
    }
}
