import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation folded to spaces: 'Saint-Étienne' → 'saint etienne'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    stripped = stripped.replace("œ", "oe").replace("æ", "ae").replace("Œ", "oe").replace("Æ", "ae")
    return _NON_ALNUM.sub(" ", stripped.lower()).strip()
