import pytest

from tracker.ingest.canonical_urls import InvalidURL, url_canonicalise


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("HTTPS://News.Example.ORG/World/Story", "https://news.example.org/World/Story"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org/a?utm_source=rss&utm_medium=feed&id=7", "https://example.org/a?id=7"),
        ("https://example.org/a?fbclid=abc&gclid=def&page=2", "https://example.org/a?page=2"),
        ("https://example.org/a#comments", "https://example.org/a"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org", "https://example.org/"),
        ("  https://example.org/a?q=red%20line  ", "https://example.org/a?q=red%20line"),
        ("https://пример.рф/новости", "https://xn--e1afmkfd.xn--p1ai/новости"),
    ],
)
def test_it_canonicalises_urls(given, canonical):
    assert url_canonicalise(given) == canonical


def test_the_same_story_with_tracking_noise_has_one_canonical_url():
    a = url_canonicalise("https://Example.org/story?id=5&utm_campaign=x#top")
    b = url_canonicalise("https://example.org/story?mc_eid=1&id=5")
    assert a == b


@pytest.mark.parametrize(
    "bad", ["", "example.org/a", "ftp://example.org/a", "javascript:alert(1)", "http://"]
)
def test_it_rejects_what_is_not_an_absolute_http_url(bad):
    with pytest.raises(InvalidURL):
        url_canonicalise(bad)
