//! The generated `send()`'s answers, built without cloning the response's headers.
//!
//! progenitor's `ResponseValue::from_response` and `ResponseValue::empty` copy the headers out of
//! the `reqwest::Response` they then drop; these move them out instead. The xtask's
//! `lean_requests` pass makes every generated `send()` call these. The body is read with
//! `reqwest::Response::bytes` as progenitor reads it, so a failed or cut-off read is the same
//! `Error::ResponseBodyError` and a body that does not decode the same
//! `Error::InvalidResponsePayload` (with the bytes received).
//!
//! What it must not do: change what a caller gets back. Status, headers and value are those
//! `from_response` would give.

use progenitor_client::{Error, ResponseValue};

/// `ResponseValue::from_response` without the header clone: the JSON body decoded as `T`.
pub async fn response_value<T: serde::de::DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let inner =
        serde_json::from_slice(&body).map_err(|e| Error::InvalidResponsePayload(body, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}

/// `ResponseValue::empty` without the header clone: an answer with no content (a 204).
pub fn empty_response(mut response: reqwest::Response) -> ResponseValue<()> {
    let status = response.status();
    let headers = std::mem::take(response.headers_mut());
    ResponseValue::new((), status, headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &'static str) -> reqwest::Response {
        http::Response::builder()
            .status(status)
            .header("ratelimit-remaining", "799")
            .header("content-type", "application/json")
            .body(body)
            .unwrap()
            .into()
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Page {
        data: Vec<String>,
    }

    #[tokio::test]
    async fn a_decoded_answer_keeps_status_headers_and_value() {
        let value: ResponseValue<Page> =
            response_value::<_, ()>(response(200, r#"{"data":["a"]}"#))
                .await
                .unwrap();
        assert_eq!(value.status(), 200);
        assert_eq!(value.headers()["ratelimit-remaining"], "799");
        assert_eq!(value.headers().len(), 2);
        assert_eq!(
            value.into_inner(),
            Page {
                data: vec!["a".into()]
            }
        );
    }

    #[tokio::test]
    async fn a_body_that_does_not_decode_is_invalid_payload_with_its_bytes() {
        let err = response_value::<Page, ()>(response(200, r#"{"data":"#))
            .await
            .unwrap_err();
        match err {
            Error::InvalidResponsePayload(bytes, _) => assert_eq!(&bytes[..], br#"{"data":"#),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_empty_answer_keeps_status_and_headers() {
        let value = empty_response(response(204, ""));
        assert_eq!(value.status(), 204);
        assert_eq!(value.headers()["ratelimit-remaining"], "799");
    }
}
