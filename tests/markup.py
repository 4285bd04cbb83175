"""Comparing markup drawn by a template tag with what a template loop drew."""

import re


def same_html(html: str) -> str:
    """The markup without the loop's indentation and line breaks between and inside tags."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()
