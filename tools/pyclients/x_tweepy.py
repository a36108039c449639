"""tweepy (4.x) against the mock's X API v2 and v1.1, driven as its documentation says.

    python x_tweepy.py READY_JSON

READY_JSON is what `blockbind-mock --json` printed (base URL and credentials). The mock runs
with `initial_blocks: 25`, an X v2 rate limit of 1 request per second and an X v1.1 one of 2
per 2 s (tools/pyclients/run), per operation as the specs say. tools/pyclients/run runs this with two tweepy versions: the
latest 4.x, and 4.14, the last whose `Client` has `block` and `unblock` (4.15 dropped them when X
made the v2 writes Enterprise-only). Every step asserts what it observes, through tweepy and through the
mock's counters (`GET /mock/stats`); any mismatch exits non-zero.

tweepy has no base-URL setting: `Client` always calls https://api.twitter.com and `API` always
https://<host>. So the one change made to tweepy is below its URL building: a requests
transport adapter, mounted on the client's own `session` for X's hosts, sends each request to
the mock instead (same path and query). tweepy still builds, signs (OAuth 1.0a over
https://api.twitter.com/..., which the mock accepts as X does) and parses everything itself.
"""

import json
import sys
import time
import urllib.parse
import urllib.request

import requests
import tweepy

ready = json.load(open(sys.argv[1]))
base = ready["base_url"]
creds = ready["credentials"]
oauth1 = creds["x_oauth1"]
me = creds["x_user_id"]
failures = []


class ToMock(requests.adapters.HTTPAdapter):
    """Sends every request of the session it is mounted on to the mock, path and query kept."""

    def send(self, request, **kwargs):
        parts = urllib.parse.urlsplit(request.url)
        request.url = urllib.parse.urlunsplit(("http", urllib.parse.urlsplit(base).netloc, parts.path, parts.query, ""))
        return super().send(request, **kwargs)


def redirect(session):
    for host in ("https://api.twitter.com/", "https://api.x.com/"):
        session.mount(host, ToMock())


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what)
    if not condition:
        failures.append(what)


def stats():
    with urllib.request.urlopen(base + "/mock/stats") as r:
        return json.load(r)


def status_count(status):
    return stats()["responses_by_status"].get(str(status), 0)


def operation_count(op):
    return stats()["requests_by_operation"].get(op, 0)


def listed_v2(client, **kwargs):
    """Every page of get_blocked, with tweepy's Paginator; returns (ids, users, pages)."""
    users, pages = [], 0
    for page in tweepy.Paginator(client.get_blocked, max_results=10, **kwargs):
        pages += 1
        users.extend(page.data or [])
    return [u.id for u in users], users, pages


def x_v2(name, client, user_auth):
    print(f"--- X v2, {name}")
    ops_before = operation_count("x-v2 get_users_blocking")
    limited_before = status_count(429)
    # user.fields=created_at: tweepy parses created_at as %Y-%m-%dT%H:%M:%S.%fZ, which the mock
    # once failed (it sent whole seconds).
    ids, users, pages = listed_v2(client, user_auth=user_auth, user_fields=["created_at"])
    check(len(ids) == 25 and len(set(ids)) == 25, f"get_blocked read 25 blocks (got {len(ids)})")
    check(pages == 3, f"across 3 pages of 10, 10, 5 (got {pages})")
    limited = status_count(429) - limited_before
    check(operation_count("x-v2 get_users_blocking") - ops_before == 3 + limited, "each page asked once, plus once per 429")
    check(all(u.created_at is not None and u.created_at.tzinfo is not None for u in users), "every created_at parsed to an aware datetime")
    # 1 request per second with wait_on_rate_limit: of three pages asked at once, at least one
    # meets a 429 (two windows at most can pass); tweepy sleeps until x-rate-limit-reset and
    # sends it again, and it goes through (the pages above are all there).
    check(limited > 0, f"a 429 was met (1 request per second) and waited out ({limited})")

    if not hasattr(client, "block"):
        print(f"skip  block/unblock: tweepy {tweepy.__version__}'s Client has none (dropped in 4.15)")
        return
    # Users the mock's world has that the default user has not blocked.
    target = 12 if name.startswith("OAuth 2.0") else 600000901
    response = client.block(target, user_auth=user_auth)
    check(response.data == {"blocking": True}, f"block({target}) → data.blocking true")
    ids = [u.id for u in client.get_blocked(user_auth=user_auth, max_results=100).data]
    check(ids[0] == target and len(ids) == 26, "the block heads the re-read list")
    response = client.unblock(target, user_auth=user_auth)
    check(response.data == {"blocking": False}, f"unblock({target}) → data.blocking false")
    ids = [u.id for u in client.get_blocked(user_auth=user_auth, max_results=100).data]
    check(target not in ids and len(ids) == 25, "the unblocked user left the list")


def x_v1(api):
    print("--- X v1.1, OAuth 1.0a")
    limited_before = status_count(429)
    ids = api.get_blocked_ids()
    check(len(ids) == 25 and all(isinstance(i, int) for i in ids), f"get_blocked_ids: 25 numeric IDs (got {len(ids)})")
    string_ids = api.get_blocked_ids(stringify_ids=True)
    check(string_ids == [str(i) for i in ids], "stringify_ids=True: the same IDs as strings")

    # blocks/list pages by 20: tweepy's Cursor follows next_cursor across both pages.
    before = operation_count("x-v1 get_block_list")
    users = list(tweepy.Cursor(api.get_blocks).items())
    check([u.id for u in users] == ids, "get_blocks (blocks/list) through Cursor: the same 25 users, in order")
    check(operation_count("x-v1 get_block_list") - before == 2, "in two pages (20 + 5)")
    check(all(u.id_str == str(u.id) for u in users), "every user's id_str is its id")
    check(all(u.created_at.year >= 2011 for u in users), "created_at (Wed Oct 10 20:19:24 +0000 2018 form) parsed")

    user = api.create_block(user_id=12)
    check(user.id == 12 and user.id_str == "12" and user.screen_name == "jack", "create_block answers the user object")
    check(api.get_blocked_ids()[0] == 12, "the block heads blocks/ids")
    user = api.destroy_block(screen_name="jack")
    check(user.id == 12, "destroy_block by screen_name answers the user object")
    check(12 not in api.get_blocked_ids(), "the unblocked user left blocks/ids")
    check(operation_count("x-v1 create_block") == 1 and operation_count("x-v1 destroy_block") == 1, "one create and one destroy reached the mock")
    # 2 requests per 2 s per operation, and blocks/ids was called 4 times in a few hundred
    # milliseconds of work: its bucket ran dry. API(wait_on_rate_limit=True) waits for
    # x-rate-limit-reset when x-rate-limit-remaining is 0 (it tracks the last answer's headers)
    # and waits out a 429 before resending, so every call above succeeded.
    ids_requests = operation_count("x-v1 get_block_ids")
    limited = status_count(429) - limited_before
    check(ids_requests >= 4, f"blocks/ids: 4 calls through a bucket of 2 per 2 s all answered ({ids_requests} requests, {limited} 429(s) waited out)")


def main():
    started = time.monotonic()
    print(f"tweepy {tweepy.__version__}")
    # OAuth 2.0 user context: the user token as the bearer token, user_auth=False (tweepy asks
    # GET /2/users/me for the user's ID first).
    client = tweepy.Client(bearer_token=creds["x_oauth2_token"], wait_on_rate_limit=True)
    redirect(client.session)
    x_v2("OAuth 2.0 user token", client, user_auth=False)

    # OAuth 1.0a user context, the default user_auth=True.
    client = tweepy.Client(
        consumer_key=oauth1["consumer_key"],
        consumer_secret=oauth1["consumer_secret"],
        access_token=oauth1["token"],
        access_token_secret=oauth1["token_secret"],
        wait_on_rate_limit=True,
    )
    redirect(client.session)
    x_v2("OAuth 1.0a", client, user_auth=True)

    auth = tweepy.OAuth1UserHandler(oauth1["consumer_key"], oauth1["consumer_secret"], oauth1["token"], oauth1["token_secret"])
    api = tweepy.API(auth, wait_on_rate_limit=True)
    redirect(api.session)
    x_v1(api)

    print("--- 401s")
    bad = tweepy.Client(
        consumer_key=oauth1["consumer_key"],
        consumer_secret=oauth1["consumer_secret"],
        access_token=oauth1["token"],
        access_token_secret="not-the-secret",
        wait_on_rate_limit=True,
    )
    redirect(bad.session)
    try:
        bad.get_blocked()
        check(False, "X v2 with a wrong token secret raises tweepy.Unauthorized")
    except tweepy.Unauthorized as e:
        check(e.response.status_code == 401, f"X v2 with a wrong token secret raises tweepy.Unauthorized ({e})")
    bad_api = tweepy.API(
        tweepy.OAuth1UserHandler(oauth1["consumer_key"], oauth1["consumer_secret"], oauth1["token"], "not-the-secret"),
        wait_on_rate_limit=True,
    )
    redirect(bad_api.session)
    try:
        bad_api.get_blocked_ids()
        check(False, "X v1.1 with a wrong token secret raises tweepy.Unauthorized")
    except tweepy.Unauthorized as e:
        check(32 in e.api_codes, f"X v1.1 with a wrong token secret raises tweepy.Unauthorized, code 32 ({e})")

    s = stats()
    check(not s["violations"], f"every answer matched the spec ({s['violations'][:3]})")
    print(f"tweepy {tweepy.__version__}: {len(failures)} failure(s), {time.monotonic() - started:.1f} s")


main()
sys.exit(1 if failures else 0)
