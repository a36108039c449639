"""pyTwitchAPI (twitchAPI 4.5) against the mock's Twitch Helix, driven as its documentation says;
the only change is where it connects: `base_url` and `auth_base_url` point at the mock.

    python twitch_helix.py READY_JSON

READY_JSON is what `blockbind-mock --json` printed (base URL and credentials). The mock runs
with `initial_blocks: 25` and a Helix rate limit of 5 requests per 3 s (tools/pyclients/run).
Every step asserts what it observes, through pyTwitchAPI and through the mock's counters
(`GET /mock/stats`); any mismatch exits non-zero.
"""

import asyncio
import json
import sys
import time
import urllib.error
import urllib.request

from twitchAPI.twitch import Twitch
from twitchAPI.type import AuthScope, BlockReason, BlockSourceContext, UnauthorizedException

SCOPES = [AuthScope.USER_READ_BLOCKED_USERS, AuthScope.USER_MANAGE_BLOCKED_USERS]
# Named users of the mock's world (from Twitch's documents), none blocked at start.
TARGETS = ["12826", "44322889", "129454141", "19571752", "26610234", "13460644"]

ready = json.load(open(sys.argv[1]))
base = ready["base_url"]
creds = ready["credentials"]
me = creds["twitch_user_id"]
failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def stats():
    with urllib.request.urlopen(base + "/mock/stats") as r:
        return json.load(r)


def status_count(s, status):
    return s["responses_by_status"].get(str(status), 0)


def operation_count(s, op):
    return s["requests_by_operation"].get("twitch-helix " + op, 0)


def exhaust_the_bucket():
    """Spends what is left of the Helix bucket of this client ID and user, from outside the
    client, until the mock answers 429, with at least 1.5 s of the window left (else it waits
    for the next window and starts again): pyTwitchAPI's next request meets the empty bucket."""
    request = urllib.request.Request(
        f"{base}/helix/users/blocks?broadcaster_id={me}&first=1",
        headers={"Authorization": "Bearer " + creds["twitch_token"], "Client-Id": creds["twitch_client_id"]},
    )
    for _ in range(3):
        for _ in range(20):
            try:
                urllib.request.urlopen(request).close()
            except urllib.error.HTTPError as e:
                if e.code != 429:
                    raise
                left = int(e.headers["Ratelimit-Reset"]) - time.time()
                if left >= 1.5:
                    return True
                time.sleep(max(left, 0) + 0.05)
                break
    return False


async def list_all(twitch, first):
    return [entry.user_id async for entry in twitch.get_user_block_list(me, first=first)]


async def main():
    # As pyTwitchAPI's documentation sets up user authentication, with the mock's URLs. The
    # token has no refresh token here, so automatic refreshing is off (as the docs say for that
    # case); set_user_authentication validates it against the mock's /oauth2/validate.
    twitch = await Twitch(
        creds["twitch_client_id"],
        authenticate_app=False,
        base_url=base + "/helix/",
        auth_base_url=base + "/oauth2/",
    )
    twitch.auto_refresh_auth = False
    await twitch.set_user_authentication(creds["twitch_token"], SCOPES)

    # The list, page by page (first=10: three pages of the 25 initial blocks).
    before = await list_all(twitch, 10)
    s = stats()
    check(len(before) == 25 and len(set(before)) == 25, f"read 25 blocks page by page (got {len(before)})")
    check(operation_count(s, "get_user_block_list") == 3, "in three requests of 10, 10 and 5")

    # Block with source_context and reason. The bucket holds 5 requests per 3 s: pyTwitchAPI
    # sees Ratelimit-Remaining reach 0 and waits for Ratelimit-Reset before going on, so these
    # get no 429.
    no_429_yet = status_count(s, 429)
    for target in TARGETS:
        blocked = await twitch.block_user(target, source_context=BlockSourceContext.CHAT, reason=BlockReason.SPAM)
        check(blocked, f"block_user({target}, CHAT, SPAM) answered 204")
    s = stats()
    check(status_count(s, 429) == no_429_yet, "pacing on Ratelimit-Remaining/Reset: no 429 while blocking")
    check(operation_count(s, "block_user") == len(TARGETS), f"{len(TARGETS)} block requests reached the mock")

    after = await list_all(twitch, 10)
    check(after[: len(TARGETS)] == list(reversed(TARGETS)), "the new blocks head the list, newest first")
    check(after[len(TARGETS):] == before, "followed by the earlier ones")

    # Unblock.
    check(await twitch.unblock_user(TARGETS[0]), f"unblock_user({TARGETS[0]}) answered 204")
    after_unblock = await list_all(twitch, 100)
    check(TARGETS[0] not in after_unblock and len(after_unblock) == len(after) - 1, "the unblocked user left the list")

    # A 429 to wait out: the bucket is emptied from outside, so pyTwitchAPI's next request is
    # refused. pyTwitchAPI then waits until Ratelimit-Reset (it does not resend: the call
    # reports failure), and its next request goes through. Were it not waiting, that request
    # would meet the same empty bucket and be refused too.
    check(exhaust_the_bucket(), "the bucket was emptied from outside (429)")
    s = stats()
    refused = await twitch.block_user(TARGETS[0], source_context=BlockSourceContext.WHISPER, reason=BlockReason.HARASSMENT)
    s2 = stats()
    check(refused is False, "the request that met the empty bucket reports failure (block_user is False)")
    check(status_count(s2, 429) == status_count(s, 429) + 1, "the mock answered it 429")
    check(await twitch.block_user(TARGETS[0], source_context=BlockSourceContext.WHISPER, reason=BlockReason.OTHER), "after waiting for the reset, the next block goes through")
    check(status_count(stats(), 429) == status_count(s2, 429), "and was not refused")
    await twitch.close()

    # A 401 it must report: a token the mock never issued (set without validation, as a token
    # revoked after it was set would be).
    stale = await Twitch(creds["twitch_client_id"], authenticate_app=False, base_url=base + "/helix/", auth_base_url=base + "/oauth2/")
    stale.auto_refresh_auth = False
    await stale.set_user_authentication("notatokenthemockissued0000000", SCOPES, validate=False)
    try:
        await list_all(stale, 10)
        check(False, "a 401 raises UnauthorizedException")
    except UnauthorizedException as e:
        check("Invalid OAuth token" in str(e), f"a 401 raises UnauthorizedException with the mock's message ({e})")
    await stale.close()

    s = stats()
    check(not s["violations"], f"every answer matched the spec ({s['violations'][:3]})")


started = time.monotonic()
asyncio.run(main())
print(f"pyTwitchAPI: {len(failures)} failure(s), {time.monotonic() - started:.1f} s")
sys.exit(1 if failures else 0)
