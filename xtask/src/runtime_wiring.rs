//! What the xtask appends to each generated file so the client runs through `blockbind-runtime`:
//! a `static API: ApiSpec` built from the spec (scopes, bounds, `explode: false` parameters,
//! rate-limit buckets, idempotency) and the `ClientHooks` impl that calls the runtime.

use anyhow::{Result, bail};
use blockbind_spec::SpecFile;
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

pub fn tokens(spec: &SpecFile) -> Result<TokenStream> {
    let name = spec.crate_dir()?;
    let server = spec
        .document
        .pointer("/servers/0/url")
        .and_then(Value::as_str)
        .unwrap_or("");
    let platform = if server.contains("twitch.tv") {
        quote!(::blockbind_runtime::Platform::Twitch)
    } else if server.contains("x.com") || server.contains("twitter.com") {
        quote!(::blockbind_runtime::Platform::X)
    } else {
        bail!(
            "{}: cannot tell the platform from server `{server}`",
            spec.rel_path
        );
    };
    let accept = match spec
        .document
        .pointer("/info/x-accept")
        .and_then(Value::as_str)
    {
        Some(a) => quote!(::std::option::Option::Some(#a)),
        None => quote!(::std::option::Option::None),
    };
    let schemes = spec
        .document
        .pointer("/components/securitySchemes")
        .cloned()
        .unwrap_or(Value::Null);

    let mut operations = Vec::new();
    for op in spec.operations() {
        let id = op.id;
        let method = op.method.to_uppercase();
        let path = op.path;
        let security = op
            .node
            .get("security")
            .or_else(|| spec.document.get("security"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // Scopes come from the OAuth 2.0 requirement (the first one that lists any).
        let scopes: Vec<String> = security
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|req| req.values())
            .filter_map(Value::as_array)
            .find(|s| !s.is_empty())
            .map(|s| {
                s.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let app_only_ok = security.iter().filter_map(Value::as_object).any(|req| {
            req.keys()
                .any(|k| schemes[k.as_str()]["x-app-only"] == Value::Bool(true))
        });
        let credential = if security.is_empty() {
            quote!(::blockbind_runtime::CredentialNeed::None)
        } else if app_only_ok {
            quote!(::blockbind_runtime::CredentialNeed::Any)
        } else {
            quote!(::blockbind_runtime::CredentialNeed::UserContext)
        };

        let mut comma_joined = Vec::new();
        let mut bounds = Vec::new();
        for param in spec.parameters(&op) {
            let pname = param["name"].as_str().unwrap_or_default();
            let location = param["in"].as_str().unwrap_or_default();
            let schema = spec.deref(&param["schema"]).cloned().unwrap_or(Value::Null);
            if location == "query"
                && schema["type"] == "array"
                && param.get("explode") == Some(&Value::Bool(false))
            {
                comma_joined.push(pname.to_string());
            }
            let loc = match location {
                "query" => quote!(::blockbind_runtime::ParamLocation::Query),
                "path" => quote!(::blockbind_runtime::ParamLocation::Path),
                _ => continue,
            };
            let int = |k: &str| schema[k].as_i64();
            let (minimum, maximum) = (int("minimum"), int("maximum"));
            let (min_length, max_length) = (
                schema["minLength"].as_u64().map(|v| v as usize),
                schema["maxLength"].as_u64().map(|v| v as usize),
            );
            if minimum.is_none()
                && maximum.is_none()
                && min_length.is_none()
                && max_length.is_none()
            {
                continue;
            }
            let opt_i = |v: Option<i64>| match v {
                Some(v) => quote!(::std::option::Option::Some(#v)),
                None => quote!(::std::option::Option::None),
            };
            let opt_u = |v: Option<usize>| match v {
                Some(v) => quote!(::std::option::Option::Some(#v)),
                None => quote!(::std::option::Option::None),
            };
            let (minimum, maximum, min_length, max_length) = (
                opt_i(minimum),
                opt_i(maximum),
                opt_u(min_length),
                opt_u(max_length),
            );
            bounds.push(quote! {
                ::blockbind_runtime::ParamBound {
                    name: #pname,
                    location: #loc,
                    minimum: #minimum,
                    maximum: #maximum,
                    min_length: #min_length,
                    max_length: #max_length,
                }
            });
        }
        // Helix shares one bucket per client+user across operations; X limits each endpoint.
        let shared = op.node["x-rate-limit"]["per"] == "client-user"
            || op.node.get("x-rate-limit").is_none();
        let bucket = if shared { name.clone() } else { id.to_string() };
        let idempotent = matches!(
            method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        ) || op.node.get("x-idempotent") == Some(&Value::Bool(true));
        operations.push(quote! {
            ::blockbind_runtime::OperationSpec {
                id: #id,
                method: #method,
                path: #path,
                scopes: &[#(#scopes),*],
                credential: #credential,
                comma_joined: &[#(#comma_joined),*],
                bounds: &[#(#bounds),*],
                bucket: #bucket,
                idempotent: #idempotent,
            }
        });
    }

    Ok(quote! {
        /// What `blockbind-runtime` enforces for this API, emitted from the spec by the xtask.
        pub static API: ::blockbind_runtime::ApiSpec = ::blockbind_runtime::ApiSpec {
            name: #name,
            base_url: #server,
            platform: #platform,
            accept: #accept,
            operations: &[#(#operations),*],
        };

        impl ClientHooks<::blockbind_runtime::Runtime> for Client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::std::result::Result<(), Error<E>> {
                ClientInfo::inner(self)
                    .pre(&API, ClientInfo::client(self), request, info.operation_id)
                    .await
                    .map_err(|e| Error::Custom(e.into_hook_message()))
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                ClientInfo::inner(self)
                    .exec(&API, ClientInfo::client(self), request, info.operation_id)
                    .await
            }
        }
    })
}
