"""The fetcher against a hostile web: SSRF, redirects, huge and slow bodies, server errors."""

import gzip
import time

import pytest

from tests.ingest_support import LocalServer, Reply, html
from tracker.lib.safe_http import BlockedAddress, FetchError, fetch, url_check


@pytest.fixture
def server():
    with LocalServer() as local:
        yield local


@pytest.fixture(autouse=True)
def loopback_only(settings):
    settings.FETCH_ALLOW_LOOPBACK = True
    settings.FETCH_ALLOW_PRIVATE = False
    settings.FETCH_TIMEOUT = 1.0
    settings.FETCH_DEADLINE = 2.0
    settings.FETCH_MAX_BYTES = 5 * 1024 * 1024


def test_it_fetches_a_page_from_an_allowed_host(server):
    url = server.route("/page", html("<p>hello</p>"))
    result = fetch(url)
    assert result.status_code == 200
    assert result.body == b"<p>hello</p>"
    assert "text/html" in result.content_type


def test_it_refuses_loopback_before_connecting_when_loopback_is_not_allowed(server, settings):
    settings.FETCH_ALLOW_LOOPBACK = False
    url = server.route("/secret", html("internal"))
    with pytest.raises(BlockedAddress, match="non-public address 127.0.0.1"):
        fetch(url)
    with pytest.raises(BlockedAddress):
        fetch(f"http://localhost:{server.port}/secret")
    assert server.hits["/secret"] == 0


@pytest.mark.parametrize("target", ["http://10.20.30.40/admin", "http://169.254.169.254/latest/meta-data/"])
def test_it_refuses_a_redirect_to_a_private_or_metadata_address_before_connecting(server, target):
    url = server.route("/jump", Reply(302, headers={"Location": target}))
    with pytest.raises(BlockedAddress, match="non-public address"):
        fetch(url)
    assert server.hits["/jump"] == 1


def test_metadata_address_stays_refused_even_when_private_addresses_are_allowed(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    url_check("http://10.1.2.3/")  # allowed now: an intranet feed
    with pytest.raises(BlockedAddress):
        url_check("http://169.254.169.254/")
    with pytest.raises(BlockedAddress):
        url_check("http://0.0.0.0/")


def test_it_checks_again_after_a_redirect_to_loopback(server, settings):
    """The first hop stands for a public site; once it answers, loopback is no longer allowed."""
    inner = server.route("/inner", html("internal"))

    def public_hop(_request):
        settings.FETCH_ALLOW_LOOPBACK = False
        return Reply(301, headers={"Location": inner})

    url = server.route("/outer", public_hop)
    with pytest.raises(BlockedAddress, match="127.0.0.1"):
        fetch(url)
    assert server.hits["/inner"] == 0


def test_it_refuses_a_redirect_to_another_scheme(server):
    url = server.route("/file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url)


def test_it_stops_a_redirect_loop(server):
    server.route("/a", Reply(302, headers={"Location": "/b"}))
    url = server.route("/b", Reply(302, headers={"Location": "/a"}))
    with pytest.raises(FetchError, match="redirect loop"):
        fetch(url)
    assert server.hits["/a"] + server.hits["/b"] <= 3


def test_it_follows_five_redirects_but_not_six(server):
    for i in range(6):
        server.route(f"/r{i}", Reply(302, headers={"Location": f"/r{i + 1}"}))
    server.route("/r6", html("arrived"))
    assert fetch(server.url("/r1")).body == b"arrived"
    with pytest.raises(FetchError, match="too many redirects"):
        fetch(server.url("/r0"))


def test_it_refuses_a_declared_50_mb_body_without_reading_it(server):
    url = server.route("/huge", Reply(body=b"x" * (50 * 1024 * 1024)))
    started = time.monotonic()
    with pytest.raises(FetchError, match="too large"):
        fetch(url)
    assert time.monotonic() - started < 2


def test_it_stops_reading_an_undeclared_body_at_the_cap(server, settings):
    settings.FETCH_MAX_BYTES = 1024 * 1024
    url = server.route("/stream", Reply(body=b"y" * (50 * 1024 * 1024), chunked=True))
    with pytest.raises(FetchError, match="more than 1048576 bytes"):
        fetch(url)


def test_it_caps_the_decompressed_size_of_a_gzip_bomb(server, settings):
    settings.FETCH_MAX_BYTES = 1024 * 1024
    bomb = gzip.compress(b"\0" * (20 * 1024 * 1024))
    url = server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="too large"):
        fetch(url)


def test_it_gives_up_on_a_server_that_sends_a_byte_a_second(server, settings):
    # Each byte comes well within the read timeout, so only the whole-fetch deadline can stop it.
    settings.FETCH_TIMEOUT = 1.5
    url = server.route("/drip", Reply(body=b"z" * 60, drip=0.3))
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline") as caught:
        fetch(url)
    assert time.monotonic() - started < 5
    assert caught.value.transient


def test_it_times_out_on_a_server_that_answers_nothing(server):
    url = server.route("/silent", Reply(body=b"late", delay=3))
    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert caught.value.transient


def test_server_errors_are_transient_and_client_errors_are_not(server):
    with pytest.raises(FetchError) as caught:
        fetch(server.route("/boom", Reply(500, b"oops")))
    assert caught.value.transient and caught.value.status_code == 500
    with pytest.raises(FetchError) as caught:
        fetch(server.route("/gone", Reply(404, b"no")))
    assert not caught.value.transient and caught.value.status_code == 404


def test_a_conditional_request_answered_304_has_no_body(server):
    url = server.route("/feed", Reply(304))
    result = fetch(url, headers={"If-None-Match": '"v1"'})
    assert result.not_modified and result.body == b""
    assert server.requests["/feed"][0]["If-None-Match"] == '"v1"'


def test_a_refused_connection_is_transient():
    with pytest.raises(FetchError) as caught:
        fetch("http://127.0.0.1:9/")
    assert caught.value.transient
