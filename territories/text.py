import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation folded to spaces: 'Saint-Étienne' → 'saint etienne'."""
    text = text or ""
    if text.isascii():
        # Nothing to decompose (already folded text, codes): the same result, many times faster.
        return _NON_ALNUM.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("Œ", "oe").replace("Æ", "ae")
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()
