//! Response types that decode what a platform sends tomorrow.
//!
//! Platforms add values to response enums (X has added `verified_type`, `reply_settings`,
//! `subscription_type` and withheld `scope` values several times) and send strings that break a
//! documented pattern. A client that refuses the whole page over one profile loses the other 999,
//! so this pass rewrites progenitor's output, by position:
//!
//! - **Enums only responses use are open.** Every string enum that no request reaches (no
//!   operation builder field, no request body, directly or through other types) gains a last
//!   variant `Unknown(String)` (`#[serde(untagged)]`) that keeps the value as sent and serialises
//!   back to it; `Display` writes it and `FromStr` returns it. Enums a request reaches stay closed,
//!   so client-side validation still refuses an unknown value before anything is sent.
//! - **Decoding never checks a pattern or length.** A string newtype (`UserId`, `CountryCode`, ...)
//!   is checked when a caller builds one (`FromStr`, `TryFrom`, the builders), which is the request
//!   direction; its `Deserialize`, which only decoding a response uses, keeps the string as sent.
//!
//! The pass works on the syntax tree, before formatting; what it changed is returned so the
//! xtask's tests can assert it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use anyhow::{Result, bail};
use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Fields, File, Item, ItemEnum, ItemImpl, Type};

/// What the pass changed in one generated file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opened {
    /// Enums that gained an `Unknown(String)` variant.
    pub enums: Vec<String>,
    /// Enums left closed because a request reaches them.
    pub closed: Vec<String>,
    /// String newtypes whose `Deserialize` no longer validates.
    pub lenient: Vec<String>,
}

/// Rewrites `file` (progenitor's output) in place.
pub fn open_response_types(file: &mut File) -> Result<Opened> {
    let (request_roots, response_roots) = roots(file);
    let Some(types) = module_items_mut(&mut file.items, "types") else {
        bail!("progenitor's output has no `types` module");
    };

    // Which type names each type refers to, and the closure of what requests reach.
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types.iter() {
        match item {
            Item::Struct(s) => {
                edges.insert(s.ident.to_string(), idents(&s.fields.to_token_stream()));
            }
            Item::Type(t) => {
                edges.insert(t.ident.to_string(), idents(&t.ty.to_token_stream()));
            }
            Item::Enum(e) => {
                let mut refs = BTreeSet::new();
                for v in &e.variants {
                    refs.extend(idents(&v.fields.to_token_stream()));
                }
                edges.insert(e.ident.to_string(), refs);
            }
            _ => {}
        }
    }
    let requested = closure(&edges, request_roots);
    let responded = closure(&edges, response_roots);

    let mut opened = Opened::default();
    let mut open: BTreeMap<String, Vec<(syn::Ident, String)>> = BTreeMap::new();
    for item in types.iter_mut() {
        let Item::Enum(e) = item else { continue };
        let Some(values) = string_enum_values(e) else {
            continue;
        };
        let name = e.ident.to_string();
        if requested.contains(&name) {
            if responded.contains(&name) {
                bail!(
                    "enum `{name}` is reached by a request and by a response: a request must \
                     refuse an unknown value and a response must keep it, so give each its own \
                     schema in the spec (specs/README.md, shaping rule 9)"
                );
            }
            opened.closed.push(name);
            continue;
        }
        if values.iter().any(|(ident, _)| ident == "Unknown") {
            bail!(
                "enum `{name}` has a value named `unknown`, which would collide with the \
                 `Unknown(String)` variant that keeps values the spec does not list"
            );
        }
        open_enum(e);
        opened.enums.push(name.clone());
        open.insert(name, values);
    }

    let newtypes: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Unnamed(f) if f.unnamed.len() == 1 && is_string(&f.unnamed[0].ty) => {
                    Some(s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();

    for item in types.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let (Some(self_name), Some(trait_name)) = (self_name(imp), trait_name(imp)) else {
            continue;
        };
        if let Some(values) = open.get(&self_name) {
            match trait_name.as_str() {
                "Display" => *imp = display_impl(&imp.self_ty, values)?,
                "FromStr" => *imp = from_str_impl(&imp.self_ty, values)?,
                _ => {}
            }
        } else if newtypes.contains(&self_name) && trait_name == "Deserialize" {
            // typify's checked form: `String::deserialize(deserializer)?.parse().map_err(..)`.
            // Anything else is a shape this pass does not know: refuse rather than guess.
            let body: String = imp.to_token_stream().to_string();
            let flat: String = body.split_whitespace().collect();
            if !flat.contains("::std::string::String::deserialize(deserializer)?.parse()") {
                bail!(
                    "string newtype `{self_name}` has a `Deserialize` this pass does not recognise; \
                     update xtask/src/open_types.rs for the new progenitor output"
                );
            }
            *imp = lenient_deserialize(&imp.self_ty)?;
            opened.lenient.push(self_name);
        }
    }
    Ok(opened)
}

/// The type names the operation builders (the top-level `builder` module) hold, which is the
/// request, and the type names their methods return (`send`'s `ResponseValue<types::X>` and
/// `Error<types::E>`), which is the response.
fn roots(file: &File) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut request, mut response) = (BTreeSet::new(), BTreeSet::new());
    for item in &file.items {
        if let Item::Mod(m) = item
            && m.ident == "builder"
            && let Some((_, items)) = &m.content
        {
            for item in items {
                match item {
                    Item::Struct(s) => request.extend(idents(&s.fields.to_token_stream())),
                    Item::Impl(imp) => {
                        for item in &imp.items {
                            if let syn::ImplItem::Fn(f) = item
                                && f.sig.ident == "send"
                            {
                                response.extend(idents(&f.sig.output.to_token_stream()));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    (request, response)
}

/// Every type `roots` reach through the types' members.
fn closure(
    edges: &BTreeMap<String, BTreeSet<String>>,
    roots: BTreeSet<String>,
) -> BTreeSet<String> {
    let mut reached = BTreeSet::new();
    let mut queue: VecDeque<String> = roots
        .into_iter()
        .filter(|n| edges.contains_key(n))
        .collect();
    while let Some(name) = queue.pop_front() {
        if reached.insert(name.clone())
            && let Some(next) = edges.get(&name)
        {
            queue.extend(
                next.iter()
                    .filter(|n| edges.contains_key(*n) && !reached.contains(*n))
                    .cloned(),
            );
        }
    }
    reached
}

fn module_items_mut<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Every identifier in a token stream, groups included.
fn idents(tokens: &TokenStream) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![tokens.clone()];
    while let Some(ts) = stack.pop() {
        for tt in ts {
            match tt {
                TokenTree::Ident(i) => {
                    out.insert(i.to_string());
                }
                TokenTree::Group(g) => stack.push(g.stream()),
                _ => {}
            }
        }
    }
    out
}

/// The variants and wire values of an enum whose variants are all units, else `None`.
fn string_enum_values(e: &ItemEnum) -> Option<Vec<(syn::Ident, String)>> {
    if e.variants.is_empty() {
        return None;
    }
    e.variants
        .iter()
        .map(|v| {
            if !matches!(v.fields, Fields::Unit) {
                return None;
            }
            let mut wire = v.ident.to_string();
            for attr in &v.attrs {
                if attr.path().is_ident("serde") {
                    let _ = attr.parse_nested_meta(|meta| {
                        if meta.path.is_ident("rename") {
                            let lit: syn::LitStr = meta.value()?.parse()?;
                            wire = lit.value();
                        }
                        Ok(())
                    });
                }
            }
            Some((v.ident.clone(), wire))
        })
        .collect()
}

/// Drops `Copy` from the derives and appends the `Unknown(String)` variant.
fn open_enum(e: &mut ItemEnum) {
    for attr in &mut e.attrs {
        if attr.path().is_ident("derive")
            && let syn::Meta::List(list) = &mut attr.meta
        {
            let kept: Vec<TokenStream> = list
                .tokens
                .to_string()
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty() && *d != "Copy")
                .map(|d| d.parse().expect("a derive path re-parses"))
                .collect();
            list.tokens = quote!(#(#kept),*);
        }
    }
    let variant: syn::Variant = syn::parse_quote! {
        /// A value this version of the spec does not list (the platform added it later), kept
        /// exactly as sent; it serialises back to the same string.
        #[serde(untagged)]
        Unknown(::std::string::String)
    };
    e.variants.push(variant);
}

fn display_impl(self_ty: &Type, values: &[(syn::Ident, String)]) -> Result<ItemImpl> {
    let arms = values
        .iter()
        .map(|(ident, wire)| quote!(Self::#ident => f.write_str(#wire),));
    Ok(syn::parse2(quote! {
        impl ::std::fmt::Display for #self_ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    #(#arms)*
                    Self::Unknown(value) => f.write_str(value),
                }
            }
        }
    })?)
}

fn from_str_impl(self_ty: &Type, values: &[(syn::Ident, String)]) -> Result<ItemImpl> {
    let arms = values
        .iter()
        .map(|(ident, wire)| quote!(#wire => Ok(Self::#ident),));
    Ok(syn::parse2(quote! {
        impl ::std::str::FromStr for #self_ty {
            type Err = self::error::ConversionError;
            fn from_str(
                value: &str,
            ) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value {
                    #(#arms)*
                    other => Ok(Self::Unknown(other.to_string())),
                }
            }
        }
    })?)
}

fn lenient_deserialize(self_ty: &Type) -> Result<ItemImpl> {
    Ok(syn::parse2(quote! {
        impl<'de> ::serde::Deserialize<'de> for #self_ty {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                ::std::result::Result::Ok(Self(::std::string::String::deserialize(deserializer)?))
            }
        }
    })?)
}

fn is_string(ty: &Type) -> bool {
    let text = ty.to_token_stream().to_string().replace(' ', "");
    text == "::std::string::String" || text == "String"
}

fn self_name(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn trait_name(imp: &ItemImpl) -> Option<String> {
    imp.trait_
        .as_ref()
        .and_then(|(_, path, _)| path.segments.last().map(|s| s.ident.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(code: TokenStream) -> (Opened, String) {
        let mut file: File = syn::parse2(code).unwrap();
        let opened = open_response_types(&mut file).unwrap();
        (opened, prettyplease::unparse(&file))
    }

    fn sample() -> TokenStream {
        quote! {
            pub mod types {
                pub struct User { pub id: UserId, pub kind: Option<UserKind> }
                pub struct BlockRequest { pub target_user_id: UserId }
                #[derive(::serde::Deserialize, Clone, Copy, Debug, PartialEq)]
                pub enum UserKind {
                    #[serde(rename = "blue")]
                    Blue,
                    Plain,
                }
                impl ::std::fmt::Display for UserKind {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self { Self::Blue => f.write_str("blue"), Self::Plain => f.write_str("Plain") }
                    }
                }
                impl ::std::str::FromStr for UserKind {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value { "blue" => Ok(Self::Blue), _ => Err("invalid value".into()) }
                    }
                }
                #[derive(Clone, Copy)]
                pub enum Field { #[serde(rename = "a.b")] AB }
                pub struct UserId(::std::string::String);
                impl<'de> ::serde::Deserialize<'de> for UserId {
                    fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
                    where D: ::serde::Deserializer<'de> {
                        ::std::string::String::deserialize(deserializer)?.parse().map_err(|e| todo!())
                    }
                }
                pub enum Shape { Point(Vec<f64>) }
            }
            pub mod builder {
                pub struct ListUsers<'a> {
                    client: &'a super::Client,
                    fields: Result<Option<Vec<types::Field>>, String>,
                    body: Result<types::builder::BlockRequest, String>,
                }
            }
        }
    }

    #[test]
    fn enums_only_responses_reach_are_opened_and_request_enums_stay_closed() {
        let (opened, code) = pass(sample());
        assert_eq!(opened.enums, ["UserKind"]);
        assert_eq!(opened.closed, ["Field"]);
        assert!(
            code.contains("#[serde(untagged)]\n        Unknown(::std::string::String),"),
            "{code}"
        );
        // `Copy` cannot hold a String: dropped from the open enum only.
        assert!(
            code.contains("#[derive(::serde::Deserialize, Clone, Debug, PartialEq)]"),
            "{code}"
        );
        assert!(code.contains("#[derive(Clone, Copy)]"), "{code}");
        assert!(
            code.contains("Self::Unknown(value) => f.write_str(value)"),
            "{code}"
        );
        assert!(code.contains("\"Plain\" => Ok(Self::Plain)"), "{code}");
        assert!(
            code.contains("other => Ok(Self::Unknown(other.to_string()))"),
            "{code}"
        );
        assert!(!code.contains("invalid value"), "{code}");
    }

    #[test]
    fn string_newtypes_decode_without_their_check() {
        let (opened, code) = pass(sample());
        assert_eq!(opened.lenient, ["UserId"]);
        let flat: String = code.split_whitespace().collect();
        assert!(
            flat.contains("Ok(Self(::std::string::String::deserialize(deserializer)?)"),
            "{code}"
        );
        assert!(!code.contains(".parse()"), "{code}");
    }

    #[test]
    fn an_enum_both_a_request_and_a_response_reach_is_refused_by_name() {
        let mut file: File = syn::parse2(quote! {
            pub mod types {
                pub struct Page { pub mode: Mode }
                pub enum Mode { On }
            }
            pub mod builder {
                pub struct List<'a> { mode: Result<Option<types::Mode>, String> }
                impl<'a> List<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<()>> { todo!() }
                }
            }
        })
        .unwrap();
        let err = open_response_types(&mut file).unwrap_err().to_string();
        assert!(
            err.contains("enum `Mode` is reached by a request and by a response"),
            "{err}"
        );
    }

    #[test]
    fn a_value_named_unknown_is_refused_and_so_is_an_unknown_deserialize() {
        let mut file: File = syn::parse2(quote! {
            pub mod types { pub enum State { #[serde(rename = "unknown")] Unknown, On } }
        })
        .unwrap();
        let err = open_response_types(&mut file).unwrap_err().to_string();
        assert!(err.contains("value named `unknown`"), "{err}");

        let mut file: File = syn::parse2(quote! {
            pub mod types {
                pub struct Id(::std::string::String);
                impl<'de> ::serde::Deserialize<'de> for Id {
                    fn deserialize<D>(d: D) -> Result<Self, D::Error> { something_new(d) }
                }
            }
        })
        .unwrap();
        let err = open_response_types(&mut file).unwrap_err().to_string();
        assert!(
            err.contains("`Id` has a `Deserialize` this pass does not recognise"),
            "{err}"
        );
    }

    #[test]
    fn a_request_enum_behind_a_type_alias_stays_closed() {
        let (opened, _) = pass(quote! {
            pub mod types {
                pub type Fields = Vec<Field>;
                pub enum Field { A }
            }
            pub mod builder {
                pub struct List<'a> { fields: Result<Option<types::Fields>, String> }
            }
        });
        assert_eq!(opened.closed, ["Field"]);
        assert!(opened.enums.is_empty());
    }

    #[test]
    fn a_type_reached_through_a_request_body_stays_closed() {
        // BlockRequest is reached from the builder; UserId through it, so an enum inside a
        // request body would stay closed too.
        let (_, code) = pass(quote! {
            pub mod types {
                pub struct BlockRequest { pub mode: Mode }
                pub enum Mode { On }
            }
            pub mod builder {
                pub struct Block<'a> { body: Result<types::builder::BlockRequest, String> }
            }
        });
        assert!(!code.contains("Unknown"), "{code}");
    }
}
