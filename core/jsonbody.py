"""JSON bodies from the outside world: nesting depth checked before parsing.

``json.loads`` recurses once per level of ``[``/``{``: 50 000 opening brackets exhaust the
interpreter's recursion limit (``RecursionError``, a 500). ``too_deep`` scans the text once,
without recursion, and the callers refuse deeper bodies with 400. No description of a file
needs more than a few levels (docs/eligibility.md documents the limit)."""

import json

MAX_JSON_DEPTH = 32


class JsonBodyError(ValueError):
    """The body is not acceptable JSON; the message is French, for the client."""


def too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays/objects are nested deeper than ``limit`` (brackets in strings ignored)."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def parse_json_body(body: bytes, limit: int = MAX_JSON_DEPTH):
    """The decoded JSON value of ``body``, or ``JsonBodyError`` (invalid UTF-8 or JSON, or
    nested deeper than ``limit``)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise JsonBodyError("Le corps de la requête n’est pas un JSON valide (UTF-8).") from error
    if too_deep(text, limit):
        raise JsonBodyError(
            f"Le JSON est trop imbriqué : {limit} niveaux de tableaux ou d’objets au plus."
        )
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as error:
        raise JsonBodyError("Le corps de la requête n’est pas un JSON valide (UTF-8).") from error
