"""Cleaning untrusted input and splitting sentences with exact offsets."""

import time

import pytest

from tracker.analysis.text import MAX_CHARS, UnusableText, sentences_split, text_prepare, tokens_of


def test_sentences_keep_offsets_and_skip_abbreviations():
    text = (
        "The U.S. envoy met Gen. Ross on Sept. 3 in Oslo. He said talks went well.\n\nA new paragraph starts."
    )
    sentences = sentences_split(text)
    assert [s.text for s in sentences] == [
        "The U.S. envoy met Gen. Ross on Sept. 3 in Oslo.",
        "He said talks went well.",
        "A new paragraph starts.",
    ]
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_tokens_fold_case_dots_and_possessives():
    assert [t.norm for t in tokens_of("Norland's U.S.-made Café")] == ["norland", "us", "made", "cafe"]


def test_empty_text_is_refused_with_a_reason():
    with pytest.raises(UnusableText, match="empty"):
        text_prepare("   \n ")


def test_binary_garbage_is_refused_with_a_reason():
    with pytest.raises(UnusableText, match="binary"):
        text_prepare(bytes(range(256)) * 200)


def test_other_scripts_are_refused_with_a_reason():
    with pytest.raises(UnusableText, match="English"):
        text_prepare("Это текст на другом языке, без латинских букв вообще. " * 20)


def test_html_is_reduced_to_text_and_scripts_dropped():
    prepared = text_prepare(
        "<html><body><p>Norland warned Sudria.</p><script>alert('x')</script></body></html>"
    )
    assert "Norland warned Sudria." in prepared.text
    assert "alert" not in prepared.text and "<" not in prepared.text
    assert prepared.notes


def test_five_megabytes_are_cut_to_a_bounded_prefix_quickly():
    started = time.monotonic()
    prepared = text_prepare("Norland said nothing new today. " * 170_000)
    assert prepared.truncated and len(prepared.text) == MAX_CHARS
    assert time.monotonic() - started < 2


def test_run_on_text_without_punctuation_still_splits_into_bounded_sentences():
    sentences = sentences_split("word " * 5000)
    assert sentences and max(len(s.text) for s in sentences) <= 1500
