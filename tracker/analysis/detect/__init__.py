"""Rules that read one article: declarations (new or restated), crossings and responses.

`analyse_text` runs them over a text; the modules hold one concern each: `findings` (what the
rules propose), `sentences` (how they read a sentence), `speakers` (who says it), one module per
detector, and `story` (the whole-story step).
"""

from .analyse import analyse_text
from .findings import CROSSING, NEW_RED_LINE, RESPONSE, RESTATEMENT, Analysis, Finding

__all__ = ["CROSSING", "NEW_RED_LINE", "RESPONSE", "RESTATEMENT", "Analysis", "Finding", "analyse_text"]
