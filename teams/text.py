"""Accent- and case-folding for search, identical on SQLite and PostgreSQL.

Folded text is stored beside the original (`search_name`) so a search is a
plain indexed LIKE on either database, with no database extension.
"""
import unicodedata

# đ/Đ are letters of their own, not d + a combining mark, so NFKD keeps them.
_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    if not text:
        return ""
    text = text.translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
