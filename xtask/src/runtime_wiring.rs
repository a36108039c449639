//! What the xtask appends to each generated file so the client runs through `blockbind-runtime`:
//! a `static API: ApiSpec` built from the spec's facts (security schemes and requirements, scopes,
//! bounds, enums, `explode: false` parameters, rate-limit buckets, idempotency), the pagination
//! streams of its list operations, and the `ClientHooks` impl that calls the runtime.

use anyhow::Result;
use blockbind_spec::{ApiFacts, CredentialNeed, SpecFile};
use proc_macro2::TokenStream;
use quote::quote;

pub fn tokens(spec: &SpecFile, facts: &ApiFacts) -> Result<TokenStream> {
    let runtime = quote!(::blockbind_runtime);
    let name = &facts.name;
    let server = &facts.base_url;
    let platform = crate::registry::platform(facts, &runtime)?;
    let accept = match &facts.accept {
        Some(a) => quote!(::std::option::Option::Some(#a)),
        None => quote!(::std::option::Option::None),
    };
    let schemes = crate::registry::schemes(facts, &runtime);
    let scheme_count = facts.schemes.len();

    let mut operations = Vec::new();
    for op in &facts.operations {
        let (id, method, path, scopes, comma_joined, bucket, idempotent) = (
            &op.id,
            &op.method,
            &op.path,
            &op.scopes,
            &op.comma_joined,
            &op.bucket,
            op.idempotent,
        );
        let availability = &op.availability;
        let items_total = match &op.items_total {
            Some((names, max)) => {
                let max = *max as usize;
                quote!(::std::option::Option::Some((&[#(#names),*], #max)))
            }
            None => quote!(::std::option::Option::None),
        };
        let credential = match op.credential {
            CredentialNeed::None => quote!(::blockbind_runtime::CredentialNeed::None),
            CredentialNeed::Any => quote!(::blockbind_runtime::CredentialNeed::Any),
            CredentialNeed::UserContext => {
                quote!(::blockbind_runtime::CredentialNeed::UserContext)
            }
        };
        let index = |name: &String| {
            facts
                .schemes
                .iter()
                .position(|s| s.name == *name)
                .expect("facts only name declared schemes")
        };
        let security = op.security.iter().map(|alt| {
            let indices = alt.iter().map(index);
            quote!(&[#(&SCHEMES[#indices]),*])
        });
        let enums = op
            .enums
            .iter()
            .map(|(param, values)| quote!((#param, &[#(#values),*])));
        let opt_i = |v: Option<i64>| match v {
            Some(v) => quote!(::std::option::Option::Some(#v)),
            None => quote!(::std::option::Option::None),
        };
        let opt_u = |v: Option<u64>| match v {
            Some(v) => {
                let v = v as usize;
                quote!(::std::option::Option::Some(#v))
            }
            None => quote!(::std::option::Option::None),
        };
        let bounds = op.bounds.iter().map(|b| {
            let pname = &b.name;
            let loc = if b.in_path {
                quote!(::blockbind_runtime::ParamLocation::Path)
            } else {
                quote!(::blockbind_runtime::ParamLocation::Query)
            };
            let (minimum, maximum, min_length, max_length, max_items) = (
                opt_i(b.minimum),
                opt_i(b.maximum),
                opt_u(b.min_length),
                opt_u(b.max_length),
                opt_u(b.max_items),
            );
            quote! {
                ::blockbind_runtime::ParamBound {
                    name: #pname,
                    location: #loc,
                    minimum: #minimum,
                    maximum: #maximum,
                    min_length: #min_length,
                    max_length: #max_length,
                    max_items: #max_items,
                }
            }
        });
        operations.push(quote! {
            ::blockbind_runtime::OperationSpec {
                id: #id,
                method: #method,
                path: #path,
                security: &[#(#security),*],
                scopes: &[#(#scopes),*],
                credential: #credential,
                comma_joined: &[#(#comma_joined),*],
                bounds: &[#(#bounds),*],
                enums: &[#(#enums),*],
                bucket: #bucket,
                idempotent: #idempotent,
                availability: &[#(#availability),*],
                items_total: #items_total,
            }
        });
    }
    let streams = crate::pagination::tokens(spec, facts)?;

    Ok(quote! {
        /// The API's security schemes; operations point at them.
        static SCHEMES: [::blockbind_runtime::SchemeInfo; #scheme_count] = *#schemes;

        /// What `blockbind-runtime` enforces for this API, emitted from the spec by the xtask.
        pub static API: ::blockbind_runtime::ApiSpec = ::blockbind_runtime::ApiSpec {
            name: #name,
            base_url: #server,
            platform: #platform,
            accept: #accept,
            schemes: &SCHEMES,
            operations: &[#(#operations),*],
        };

        #streams

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
