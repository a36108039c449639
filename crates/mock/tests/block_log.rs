//! Post-apply faults and the block log: the mock applies a block and then loses the answer, and
//! records per target every block request, whether it applied the block, and whether a success
//! had already been delivered when it arrived.

use blockbind_mock::{Api, BlockRequest, Faults, InjectedFault, MockConfig, MockServer, Platform};

async fn mock() -> MockServer {
    MockServer::start(MockConfig::default()).await.unwrap()
}

fn target(mock: &MockServer, n: u64) -> String {
    mock.nth_user(n).unwrap().id
}

/// Helix's `PUT /users/blocks`, by hand, so nothing retries.
async fn helix_block(mock: &MockServer, target: &str) -> Result<u16, reqwest::Error> {
    let c = mock.credentials();
    let response = reqwest::Client::new()
        .put(format!("{}/users/blocks", mock.url(Api::TwitchHelix)))
        .query(&[("target_user_id", target)])
        .bearer_auth(&c.twitch_token)
        .header("Client-Id", &c.twitch_client_id)
        .send()
        .await?;
    let status = response.status().as_u16();
    response.bytes().await?;
    Ok(status)
}

/// X v2's `POST /users/{id}/blocking`: the status once the headers are in, then the body.
async fn x_block(mock: &MockServer, target: &str) -> (u16, Result<bytes::Bytes, reqwest::Error>) {
    let c = mock.credentials();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/users/{}/blocking",
            mock.url(Api::XV2),
            c.x_user_id
        ))
        .bearer_auth(&c.x_oauth2_token)
        .json(&serde_json::json!({ "target_user_id": target }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.bytes().await)
}

fn log_of(mock: &MockServer, platform: Platform, user: &str, target: &str) -> Vec<BlockRequest> {
    mock.block_log(platform, user)
        .remove(target)
        .unwrap_or_default()
}

fn request(
    seq: u64,
    after_delivered_success: bool,
    applied: bool,
    status: Option<u16>,
    fault: Option<InjectedFault>,
    delivered: bool,
) -> BlockRequest {
    BlockRequest {
        seq,
        after_delivered_success,
        applied,
        status,
        fault,
        delivered,
    }
}

#[tokio::test]
async fn a_post_apply_reset_applies_the_block_and_the_log_tells_a_retry_from_a_resend() {
    let mock = mock().await;
    let me = mock.credentials().twitch_user_id.clone();
    let t = target(&mock, 1);
    mock.set_faults(Faults {
        p_reset_after_apply: 1.0,
        ..Faults::default()
    });
    let heard = helix_block(&mock, &t).await;
    assert!(heard.is_err(), "the client hears nothing: {heard:?}");
    assert!(mock.blocked(Platform::Twitch, &me).contains(&t), "applied");
    assert_eq!(mock.post_apply_faults(), 1);

    mock.set_faults(Faults::default());
    assert_eq!(helix_block(&mock, &t).await.unwrap(), 204, "the retry");
    assert_eq!(helix_block(&mock, &t).await.unwrap(), 204, "a re-send");
    assert_eq!(
        log_of(&mock, Platform::Twitch, &me, &t),
        [
            request(
                0,
                false,
                true,
                None,
                Some(InjectedFault::ResetAfterApply),
                false
            ),
            // Arrived after the block was applied, but before any success was delivered.
            request(1, false, false, Some(204), None, true),
            request(2, true, false, Some(204), None, true),
        ]
    );
    // What the soak used to check cannot tell the three apart.
    assert_eq!(mock.blocks_applied(Platform::Twitch, &me, &t), 1);
    assert_eq!(mock.block_requests(Platform::Twitch, &me, &t), 3);
    assert_eq!(mock.block_requests_received(), 3);
}

#[tokio::test]
async fn a_post_apply_cut_sends_half_the_answer_and_is_not_delivered() {
    let mock = mock().await;
    let c = mock.credentials().clone();
    mock.set_faults(Faults {
        p_cut_after_apply: 1.0,
        ..Faults::default()
    });

    // X v2 answers 200 with a body: the status and headers arrive, the body is cut.
    let x = target(&mock, 2);
    let (status, body) = x_block(&mock, &x).await;
    assert_eq!(status, 200);
    assert!(body.is_err(), "the body is cut: {body:?}");
    assert_eq!(
        log_of(&mock, Platform::X, &c.x_user_id, &x),
        [request(
            0,
            false,
            true,
            Some(200),
            Some(InjectedFault::CutAfterApply),
            false
        )]
    );

    // Helix answers 204 without a body: the status line itself is cut.
    let h = target(&mock, 3);
    let heard = helix_block(&mock, &h).await;
    assert!(heard.is_err(), "half a status line is no answer: {heard:?}");
    assert_eq!(
        log_of(&mock, Platform::Twitch, &c.twitch_user_id, &h),
        [request(
            1,
            false,
            true,
            Some(204),
            Some(InjectedFault::CutAfterApply),
            false
        )]
    );
    assert!(
        mock.blocked(Platform::Twitch, &c.twitch_user_id)
            .contains(&h)
    );
    assert_eq!(mock.post_apply_faults(), 2);

    mock.set_faults(Faults::default());
    let (status, body) = x_block(&mock, &x).await;
    assert_eq!((status, body.is_ok()), (200, true));
    let log = log_of(&mock, Platform::X, &c.x_user_id, &x);
    assert!(log[1].delivered_success() && !log[1].applied, "{log:?}");
}

#[tokio::test]
async fn a_block_request_a_fault_answers_before_the_platform_is_logged_too() {
    let mock = mock().await;
    let me = mock.credentials().twitch_user_id.clone();
    let t = target(&mock, 4);
    assert_eq!(helix_block(&mock, &t).await.unwrap(), 204);
    mock.set_faults(Faults {
        p_500: 1.0,
        ..Faults::default()
    });
    assert_eq!(helix_block(&mock, &t).await.unwrap(), 500);
    mock.set_faults(Faults {
        p_reset: 1.0,
        ..Faults::default()
    });
    assert!(helix_block(&mock, &t).await.is_err());
    assert_eq!(
        log_of(&mock, Platform::Twitch, &me, &t),
        [
            request(0, false, true, Some(204), None, true),
            request(
                1,
                true,
                false,
                Some(500),
                Some(InjectedFault::Status(500)),
                true
            ),
            request(2, true, false, None, Some(InjectedFault::Reset), false),
        ],
        "both re-sends are seen although neither reached the platform"
    );
    assert_eq!(
        mock.block_requests(Platform::Twitch, &me, &t),
        1,
        "the platform's own count saw one"
    );
}

#[tokio::test]
async fn a_post_apply_probability_outside_0_to_1_is_refused() {
    let config = MockConfig {
        faults: Faults {
            p_cut_after_apply: 1.5,
            ..Faults::default()
        },
        ..MockConfig::default()
    };
    let Err(e) = MockServer::start(config).await else {
        panic!("p_cut_after_apply = 1.5 was accepted");
    };
    assert!(e.to_string().contains("p_cut_after_apply"), "{e}");
}
