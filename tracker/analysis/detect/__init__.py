"""Rules that read one article: declarations (new or restated), crossings and responses."""

from .crossings import CROSSING, NEW_RED_LINE, RESPONSE, RESTATEMENT, Analysis, Finding, analyse_text

__all__ = ["CROSSING", "NEW_RED_LINE", "RESPONSE", "RESTATEMENT", "Analysis", "Finding", "analyse_text"]
