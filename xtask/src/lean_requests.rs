//! Generated requests without work nobody needs, by rewriting progenitor's `send()` bodies.
//!
//! progenitor 0.15 makes every `send()` build a `HeaderMap` holding one `api-version` header (the
//! spec's `info.version`), which none of the APIs reads, and decode every answer with
//! `ResponseValue::from_response`/`ResponseValue::empty`, which clone the response's headers.
//! Per request that is an allocation or two, a header parse and a header-map clone: measurable
//! against raw reqwest (BENCHMARKS.md, per-request overhead). This pass, on the syntax tree
//! before formatting:
//!
//! - removes the `header_map.append(.. "api-version" ..)` statements, and then the
//!   `let mut header_map = ..` and the `.headers(header_map)` it feeds when nothing else is
//!   appended to it (a header parameter in a spec keeps its map);
//! - calls `blockbind_runtime::response_value` and `blockbind_runtime::empty_response` instead of
//!   `ResponseValue::from_response` and `ResponseValue::empty`: the same values and errors, with
//!   the headers moved out of the response instead of cloned.
//!
//! It must not change what goes on the wire but that header, nor what a caller gets back.
//! An `api-version` literal left anywhere afterwards is an error: progenitor's output changed
//! shape, and this pass must be updated rather than silently do nothing.

use anyhow::{Result, bail};
use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprCall, ExprMethodCall, File, Stmt};

/// What the pass changed in one generated file.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Leaned {
    /// `api-version` appends removed.
    pub api_version_headers: usize,
    /// `header_map`s removed with their `.headers(header_map)`, left empty by the above.
    pub header_maps: usize,
    /// `ResponseValue::from_response` calls replaced.
    pub decoded: usize,
    /// `ResponseValue::empty` calls replaced.
    pub empty: usize,
}

/// Rewrites `file` (progenitor's output) in place.
pub fn lean_requests(file: &mut File) -> Result<Leaned> {
    let mut pass = Pass::default();
    pass.visit_file_mut(file);
    if file
        .to_token_stream()
        .to_string()
        .contains("\"api-version\"")
    {
        bail!(
            "an `api-version` header is left in progenitor's output after the pass: its shape \
             changed; update xtask/src/lean_requests.rs"
        );
    }
    Ok(pass.leaned)
}

#[derive(Default)]
struct Pass {
    leaned: Leaned,
}

const MAP: &str = "header_map";

impl VisitMut for Pass {
    fn visit_block_mut(&mut self, block: &mut Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        let removed = before - block.stmts.len();
        self.leaned.api_version_headers += removed;
        if removed > 0 {
            let declared = block.stmts.iter().position(declares_map);
            // Statements that still mention the map, other than its declaration and the request
            // builder that passes it on.
            let other_uses = block
                .stmts
                .iter()
                .filter(|stmt| !declares_map(stmt))
                .filter(|stmt| {
                    let mut without = (*stmt).clone();
                    DropHeadersCall { dropped: 0 }.visit_stmt_mut(&mut without);
                    mentions(&without, MAP)
                })
                .count();
            if let Some(at) = declared
                && other_uses == 0
            {
                block.stmts.remove(at);
                let mut drop_headers = DropHeadersCall { dropped: 0 };
                for stmt in &mut block.stmts {
                    drop_headers.visit_stmt_mut(stmt);
                }
                if drop_headers.dropped == 1 {
                    self.leaned.header_maps += 1;
                }
            }
        }
        visit_mut::visit_block_mut(self, block);
    }

    fn visit_expr_call_mut(&mut self, call: &mut ExprCall) {
        if let Expr::Path(path) = &*call.func
            && path.qself.is_none()
            && path.path.segments.len() == 2
            && path.path.segments[0].ident == "ResponseValue"
        {
            let replacement: Option<TokenStream> =
                match path.path.segments[1].ident.to_string().as_str() {
                    "from_response" => {
                        self.leaned.decoded += 1;
                        Some(quote!(::blockbind_runtime::response_value))
                    }
                    "empty" => {
                        self.leaned.empty += 1;
                        Some(quote!(::blockbind_runtime::empty_response))
                    }
                    _ => None,
                };
            if let Some(tokens) = replacement {
                *call.func = syn::parse2(tokens).expect("a path parses as an expression");
            }
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}

/// Replaces `<receiver>.headers(header_map)` with `<receiver>`.
struct DropHeadersCall {
    dropped: usize,
}

impl VisitMut for DropHeadersCall {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::MethodCall(call) = expr
            && is_call_with(call, "headers", MAP)
        {
            let receiver = std::mem::replace(&mut *call.receiver, Expr::Verbatim(quote!()));
            *expr = receiver;
            self.dropped += 1;
            self.visit_expr_mut(expr);
            return;
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

fn is_call_with(call: &ExprMethodCall, method: &str, arg: &str) -> bool {
    call.method == method
        && call.args.len() == 1
        && matches!(&call.args[0], Expr::Path(p) if p.path.is_ident(arg))
}

/// `header_map.append(HeaderName::from_static("api-version"), ..);`
fn is_api_version_append(stmt: &Stmt) -> bool {
    let Stmt::Expr(Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    matches!(&*call.receiver, Expr::Path(p) if p.path.is_ident(MAP))
        && call.method == "append"
        && call.args.first().is_some_and(|name| {
            name.to_token_stream()
                .to_string()
                .contains("\"api-version\"")
        })
}

/// `let mut header_map = ..;`
fn declares_map(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    matches!(&local.pat, syn::Pat::Ident(p) if p.ident == MAP)
}

fn mentions(stmt: &Stmt, ident: &str) -> bool {
    fn walk(tokens: TokenStream, ident: &str) -> bool {
        tokens.into_iter().any(|t| match t {
            proc_macro2::TokenTree::Ident(i) => i == ident,
            proc_macro2::TokenTree::Group(g) => walk(g.stream(), ident),
            _ => false,
        })
    }
    walk(stmt.to_token_stream(), ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(code: TokenStream) -> (Leaned, String) {
        let mut file: File = syn::parse2(code).unwrap();
        let leaned = lean_requests(&mut file).unwrap();
        (leaned, prettyplease::unparse(&file))
    }

    fn flat(code: &str) -> String {
        code.split_whitespace().collect()
    }

    /// progenitor 0.15's `send()`, cut to what the pass reads.
    fn send(extra_header: TokenStream) -> TokenStream {
        quote! {
            pub mod builder {
                impl<'a> GetUserBlockList<'a> {
                    pub async fn send(self) -> Result<ResponseValue<types::Page>, Error<types::Error>> {
                        let url = format!("{}/users/blocks", client.baseurl,);
                        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                        header_map.append(
                            ::reqwest::header::HeaderName::from_static("api-version"),
                            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                        );
                        #extra_header
                        #[allow(unused_mut)]
                        let mut request = client
                            .client
                            .get(url)
                            .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                            .query(&progenitor_client::QueryParam::new("first", &first))
                            .headers(header_map)
                            .build()?;
                        let response = client.exec(request, &info).await?;
                        match response.status().as_u16() {
                            200u16 => ResponseValue::from_response(response).await,
                            204u16 => Ok(ResponseValue::empty(response)),
                            400u16 => Err(Error::ErrorResponse(ResponseValue::from_response(response).await?)),
                            _ => Err(Error::UnexpectedResponse(response)),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_api_version_map_and_its_headers_call_are_removed() {
        let (leaned, code) = pass(send(quote!()));
        assert_eq!(
            leaned,
            Leaned {
                api_version_headers: 1,
                header_maps: 1,
                decoded: 2,
                empty: 1
            }
        );
        assert!(!code.contains("api-version"), "{code}");
        assert!(!code.contains("header_map"), "{code}");
        let flat = flat(&code);
        // The rest of the builder chain is untouched.
        assert!(
            flat.contains(
                ".query(&progenitor_client::QueryParam::new(\"first\",&first)).build()?;"
            ),
            "{code}"
        );
        assert!(flat.contains(".get(url).header(::reqwest::header::ACCEPT,"));
    }

    #[test]
    fn responses_are_decoded_by_the_runtime_without_cloning_headers() {
        let (_, code) = pass(send(quote!()));
        let flat = flat(&code);
        assert!(flat.contains("200u16=>::blockbind_runtime::response_value(response).await,"));
        assert!(flat.contains("204u16=>Ok(::blockbind_runtime::empty_response(response)),"));
        assert!(
            flat.contains(
                "Error::ErrorResponse(::blockbind_runtime::response_value(response).await?"
            )
        );
        assert!(!code.contains("ResponseValue::from_response"), "{code}");
        assert!(!code.contains("ResponseValue::empty"), "{code}");
    }

    #[test]
    fn a_map_with_another_header_keeps_that_header() {
        let (leaned, code) = pass(send(quote! {
            header_map.append("x-trace", trace.to_string().try_into()?);
        }));
        assert_eq!(leaned.api_version_headers, 1);
        assert_eq!(leaned.header_maps, 0);
        let flat = flat(&code);
        assert!(!code.contains("api-version"), "{code}");
        assert!(flat.contains("letmutheader_map="), "{code}");
        assert!(flat.contains("header_map.append(\"x-trace\""), "{code}");
        assert!(flat.contains(".headers(header_map)"), "{code}");
    }

    #[test]
    fn an_api_version_header_in_another_shape_is_an_error() {
        let mut file: File = syn::parse2(quote! {
            fn send() {
                let request = client.get(url).header("api-version", "1").build()?;
            }
        })
        .unwrap();
        let err = lean_requests(&mut file).unwrap_err();
        assert!(
            err.to_string()
                .contains("update xtask/src/lean_requests.rs"),
            "{err}"
        );
    }

    #[test]
    fn code_without_the_pattern_is_left_as_it_was() {
        let code = quote! {
            fn other(header_map: HeaderMap) -> Value {
                let v = Value::from_response(response);
                request.headers(header_map)
            }
        };
        let mut file: File = syn::parse2(code.clone()).unwrap();
        let leaned = lean_requests(&mut file).unwrap();
        assert_eq!(leaned, Leaned::default());
        assert_eq!(
            file.to_token_stream().to_string(),
            syn::parse2::<File>(code)
                .unwrap()
                .to_token_stream()
                .to_string()
        );
    }
}
