"""Extraction: main text without boilerplate, metadata, and no mojibake whatever the charset."""

import pytest

from tests.ingest_support import article_page, story
from tracker.ingest.extract import ExtractionError, article_extract, html_decode

RUSSIAN = (
    "Министр заявил в четверг, что поставки ракет большой дальности будут означать прямое участие. "
    "Представители нескольких столиц отказались комментировать эти слова после недель споров. "
) * 3
FRENCH = (
    "Le ministre a déclaré jeudi que la livraison de missiles à longue portée serait une participation directe. "
    "Plusieurs capitales ont refusé de commenter ces propos après des semaines de débats élevés. "
) * 3


def test_it_extracts_main_text_title_date_publisher_and_language():
    body = article_page("Minister warns over deliveries", story(1)).encode()
    extracted = article_extract(
        body=body, content_type="text/html; charset=utf-8", url="https://example.org/a"
    )
    assert "observers number 100 noted the change" in extracted.text
    assert "Subscribe to our newsletter" not in extracted.text
    assert "Sport" not in extracted.text
    assert extracted.title == "Minister warns over deliveries"
    assert extracted.published_on.isoformat() == "2024-09-12"
    assert extracted.publisher == "Example Daily"
    assert extracted.language == "en"


@pytest.mark.parametrize(
    ("text", "encoding", "content_type", "meta", "lang"),
    [
        (FRENCH, "utf-8", "text/html; charset=utf-8", "utf-8", "fr"),
        (FRENCH, "latin-1", "text/html; charset=ISO-8859-1", None, "fr"),
        (FRENCH, "latin-1", "text/html", None, "fr"),  # no charset anywhere
        (FRENCH, "latin-1", "text/html", "iso-8859-1", "fr"),  # only the meta tag
        (FRENCH, "utf-8", "text/html; charset=iso-8859-1", None, "fr"),  # header lies: the bytes are UTF-8
        (RUSSIAN, "cp1251", "text/html; charset=windows-1251", None, "ru"),
        (RUSSIAN, "cp1251", "text/html; charset=utf-8", "windows-1251", "ru"),  # header lies, meta is right
        (RUSSIAN, "cp1251", "text/html; charset=iso-8859-1", "windows-1251", "ru"),  # server default vs meta
        (RUSSIAN, "utf-8", "text/html", None, "ru"),
    ],
)
def test_it_decodes_pages_without_mojibake(text, encoding, content_type, meta, lang):
    title = "Заголовок" if lang == "ru" else "Déclaration à Genève"
    page = article_page(title, text, charset=meta, lang=lang)
    extracted = article_extract(body=page.encode(encoding), content_type=content_type)
    assert text.split(". ")[0] in extracted.text
    assert "Ã" not in extracted.text and "Ð" not in extracted.text and "\ufffd" not in extracted.text
    assert extracted.title == title
    assert extracted.language == lang


def test_a_cyrillic_page_without_any_declared_charset_is_detected():
    body = article_page("Заголовок", RUSSIAN, charset=None, lang="ru").encode("cp1251")
    assert "Министр заявил в четверг" in html_decode(body, "text/html")


def test_a_page_without_main_text_is_an_extraction_error():
    with pytest.raises(ExtractionError):
        article_extract(body=b"<html><body><nav>Home</nav></body></html>", content_type="text/html")
    with pytest.raises(ExtractionError):
        article_extract(body=b"", content_type="text/html")


def test_binary_garbage_does_not_crash_extraction():
    with pytest.raises(ExtractionError):
        article_extract(body=bytes(range(256)) * 50, content_type="application/octet-stream")
