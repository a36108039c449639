//! `stream()` / `stream_with()` for every list operation with `x-pagination`, emitted into the
//! generated file: the builder asks for the largest page the spec allows, follows the cursor or
//! offset the extension names, and reads the response members it names, with the `Option`s and
//! `Vec`s progenitor gives them (required or not, nullable or not, read from the schema).

use anyhow::{Context, Result, anyhow, bail};
use blockbind_spec::{ApiFacts, PaginationStyle, SpecFile};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use crate::registry::variant_name;

fn ident(s: &str) -> Ident {
    Ident::new(s, Span::call_site())
}

/// The Rust field progenitor gives a JSON member: `_total` → `total`, `next_token` as it is.
fn field(name: &str) -> Ident {
    let mut out = String::new();
    for (i, c) in name.trim_start_matches('_').chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 && !out.ends_with('_') {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    match out.as_str() {
        "type" | "ref" | "self" | "match" | "move" | "use" | "mod" | "fn" | "struct" => {
            ident(&format!("{out}_"))
        }
        _ => ident(&out),
    }
}

/// The builder setter progenitor gives a parameter: `user.fields` → `user_fields`.
fn setter(name: &str) -> Ident {
    field(name)
}

/// How a member is typed in the generated struct.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `T`.
    Plain,
    /// `Option<T>`.
    Optional,
}

struct Walk<'a> {
    spec: &'a SpecFile,
}

impl<'a> Walk<'a> {
    fn object(&self, schema: &'a Value) -> Result<&'a Value> {
        self.spec
            .deref(schema)
            .ok_or_else(|| anyhow!("an unresolvable $ref"))
    }

    /// The shape and schema of `member` of `schema`.
    fn member(&self, schema: &'a Value, member: &str) -> Result<(Shape, &'a Value)> {
        let object = self.object(schema)?;
        let property = object
            .pointer(&format!("/properties/{member}"))
            .ok_or_else(|| anyhow!("the response has no member {member}"))?;
        let resolved = self.object(property)?;
        let required = object
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|v| v == member));
        let nullable = resolved.get("nullable") == Some(&Value::Bool(true))
            || property.get("nullable") == Some(&Value::Bool(true));
        let array = resolved.get("type").and_then(Value::as_str) == Some("array");
        let shape = if nullable || (!required && !array) {
            Shape::Optional
        } else {
            Shape::Plain
        };
        Ok((shape, property))
    }

    /// `Some(root)` followed down `path`: an `Option<leaf>` by value, or `Option<&leaf>` when
    /// `borrowed`.
    fn chain(
        &self,
        root: TokenStream,
        schema: &'a Value,
        path: &[String],
        borrowed: bool,
    ) -> Result<TokenStream> {
        let mut expr = quote!(::std::option::Option::Some(#root));
        let mut at = schema;
        for seg in path {
            let (shape, next) = self.member(at, seg)?;
            let f = field(seg);
            expr = match (shape, borrowed) {
                (Shape::Plain, false) => quote!(#expr.map(|v| v.#f)),
                (Shape::Optional, false) => quote!(#expr.and_then(|v| v.#f)),
                (Shape::Plain, true) => quote!(#expr.map(|v| &v.#f)),
                (Shape::Optional, true) => quote!(#expr.and_then(|v| v.#f.as_ref())),
            };
            at = next;
        }
        Ok(expr)
    }
}

/// The success response schema of an operation.
fn success_schema<'a>(spec: &'a SpecFile, id: &str) -> Result<&'a Value> {
    let op = spec
        .operation(id)
        .ok_or_else(|| anyhow!("no operation {id}"))?;
    let responses = op
        .node
        .get("responses")
        .and_then(Value::as_object)
        .ok_or_else(|| anyhow!("{id} has no responses"))?;
    let (_, response) = responses
        .iter()
        .find(|(code, _)| code.starts_with('2'))
        .ok_or_else(|| anyhow!("{id} has no success response"))?;
    let response = spec.deref(response).unwrap_or(response);
    response
        .pointer("/content/application~1json/schema")
        .ok_or_else(|| anyhow!("{id}'s success response has no application/json schema"))
}

fn literal(value: &Value) -> Result<TokenStream> {
    Ok(match value {
        Value::Bool(b) => quote!(#b),
        Value::Number(n) if n.is_i64() => {
            let n = n.as_i64().unwrap_or_default();
            quote!(#n)
        }
        Value::String(s) => quote!(#s),
        other => bail!("x-pagination.set: {other} is not a boolean, integer or string"),
    })
}

/// Every list operation's `stream()` and `stream_with()`.
pub fn tokens(spec: &SpecFile, facts: &ApiFacts) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    for op in &facts.operations {
        let Some(p) = &op.pagination else { continue };
        let body = stream_impl(spec, &op.id, p)
            .with_context(|| format!("{}: x-pagination of {}", spec.rel_path, op.id))?;
        out.extend(body);
    }
    Ok(out)
}

fn stream_impl(
    spec: &SpecFile,
    id: &str,
    p: &blockbind_spec::PaginationFacts,
) -> Result<TokenStream> {
    let walk = Walk { spec };
    let schema = success_schema(spec, id)?;
    let builder = ident(&variant_name(id));

    // The items: a `Vec` member whose items are a named schema.
    let [items_member] = p.items.as_slice() else {
        bail!("items must be one member of the response");
    };
    let (items_shape, items_schema) = walk.member(schema, items_member)?;
    let item_ref = walk
        .object(items_schema)?
        .pointer("/items/$ref")
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow!("{items_member} must be an array of a named schema ($ref)"))?;
    let item_schema_name = item_ref.rsplit('/').next().unwrap_or_default();
    let item_type = ident(&variant_name(item_schema_name));
    let item_schema = spec
        .resolve(item_ref)
        .ok_or_else(|| anyhow!("{item_ref} does not resolve"))?;
    let items_field = field(items_member);
    let take_items = match items_shape {
        Shape::Plain => quote!(::std::mem::take(&mut page.#items_field)),
        Shape::Optional => quote!(page.#items_field.take().unwrap_or_default()),
    };
    let first_key = if p.key.is_empty() {
        quote!(items.first().map(|v| v.to_string()))
    } else {
        let chain = walk.chain(quote!(first), item_schema, &p.key, true)?;
        quote!(items.first().and_then(|first| #chain).map(|v| v.to_string()))
    };

    let op = spec
        .operation(id)
        .ok_or_else(|| anyhow!("no operation {id}"))?;
    let param_schema = |name: &str| {
        spec.parameter(&op, name)
            .and_then(|param| param.get("schema"))
            .and_then(|s| spec.deref(s))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let param_is_integer = |name: &str| param_schema(name)["type"] == "integer";
    let page_size = match &p.page_size {
        Some((param, maximum)) => {
            let max = u32::try_from(*maximum).context("the page size maximum is too large")?;
            let set = setter(param);
            // progenitor types an `int32` as 32 bits and any other integer as 64.
            let size = if param_schema(param)["format"] == "int32" {
                quote!(size)
            } else {
                quote!(u64::from(size))
            };
            quote! {
                let size = options.page_size.unwrap_or(#max);
                let request = request.#set(#size);
            }
        }
        None => quote!(),
    };
    let mut fixed = TokenStream::new();
    for (name, value) in &p.set {
        let set = setter(name);
        let value = literal(value)?;
        fixed.extend(quote!(let request = request.#set(#value);));
    }

    let (position, page) = match &p.style {
        PaginationStyle::Cursor {
            param,
            next,
            start,
            end,
        } => {
            let set = setter(param);
            let position = match (start, param_is_integer(param)) {
                (Some(start), true) => {
                    let start: i64 = start
                        .parse()
                        .with_context(|| format!("start {start:?} is not an integer"))?;
                    quote! {
                        let cursor = token.as_deref().and_then(|t| t.parse::<i64>().ok()).unwrap_or(#start);
                        let request = request.#set(cursor);
                    }
                }
                (Some(start), false) => quote! {
                    let request = request.#set(token.unwrap_or_else(|| #start.to_string()));
                },
                (None, _) => quote! {
                    let request = match token {
                        ::std::option::Option::Some(token) => request.#set(token),
                        ::std::option::Option::None => request,
                    };
                },
            };
            let chain = walk.chain(quote!(page), schema, next, false)?;
            let page = quote! {
                let next = #chain
                    .map(|v| v.to_string())
                    .filter(|v| ![#(#end),*].contains(&v.as_str()));
                ::blockbind_runtime::pagination::Page { first_key, next, items }
            };
            (position, page)
        }
        PaginationStyle::Offset { param, total } => {
            let set = setter(param);
            let position = quote! {
                let offset = ::blockbind_runtime::pagination::offset_of(token.as_deref());
                let request = request.#set(offset);
            };
            let total = match total {
                Some(path) => {
                    let chain = walk.chain(quote!(page), schema, path, false)?;
                    quote!(#chain.and_then(|t| i64::try_from(t).ok()))
                }
                None => quote!(::std::option::Option::None),
            };
            let page = quote! {
                let total: ::std::option::Option<i64> = #total;
                ::blockbind_runtime::pagination::Page::at_offset(items, offset, total, first_key)
            };
            (position, page)
        }
    };

    let doc = format!(
        "Every item of `{id}`, page by page (`x-pagination` in `{}`), asking for the largest \
         page the spec allows and fetching a page only when the previous one is used up.",
        spec.rel_path
    );
    Ok(quote! {
        impl<'a> builder::#builder<'a> {
            #[doc = #doc]
            pub fn stream(
                self,
            ) -> impl ::blockbind_runtime::pagination::Stream<
                Item = ::std::result::Result<types::#item_type, ::blockbind_runtime::ApiError>,
            > + Send + 'a {
                self.stream_with(::blockbind_runtime::PageOptions::default())
            }

            /// [`Self::stream`] with a page cap or another page size.
            pub fn stream_with(
                self,
                options: ::blockbind_runtime::PageOptions,
            ) -> impl ::blockbind_runtime::pagination::Stream<
                Item = ::std::result::Result<types::#item_type, ::blockbind_runtime::ApiError>,
            > + Send + 'a {
                ::blockbind_runtime::pagination::paginate(options, move |token: ::std::option::Option<::std::string::String>| {
                    let request = self.clone();
                    #page_size
                    #fixed
                    #position
                    let send: ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = _> + Send + 'a>> =
                        ::std::boxed::Box::pin(request.send());
                    async move {
                        #[allow(unused_mut)]
                        let mut page = ::blockbind_runtime::call(send).await?;
                        let items: ::std::vec::Vec<types::#item_type> = #take_items;
                        let first_key = #first_key;
                        let page = { #page };
                        ::std::result::Result::Ok(page)
                    }
                })
            }
        }
    })
}
