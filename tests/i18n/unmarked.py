"""Finds words in our templates that are not marked for translation.

Django's own lexer splits a template into text and tags; the tags ({% translate %},
{{ variables }}, ...) become a placeholder and whatever {% blocktranslate %} or
{% comment %} holds is dropped. The rest is read as HTML: any text outside <script>,
<style>, <code> and <pre>, and any attribute a person reads (title, alt, placeholder,
aria-label, a submit button's value, our data-* messages) that still holds a letter
is a string nobody marked.

    python -m tests.i18n.unmarked [template ...]    # every template of ours without arguments
"""

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

BASE_DIR = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [
    BASE_DIR / "templates",
    *sorted(p for p in BASE_DIR.glob("*/templates") if p.parent.name != "templates"),
]

# Stands for a tag or variable: never a letter, so a line of only tags passes.
PLACEHOLDER = "\ue000"
# The product's name is the same in every language.
NOT_WORDS = re.compile(r"\bYardstick\b")
LETTER = re.compile(r"[^\W\d_]")
READ_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "label",
    "hx-confirm",
}
SKIPPED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}
SKIP_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}


def _has_words(text: str) -> bool:
    text = NOT_WORDS.sub("", text.replace(PLACEHOLDER, ""))
    return bool(LETTER.search(text))


def _flatten(source: str) -> str:
    """The template as text with every tag replaced by PLACEHOLDER (lines kept)."""
    out: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
            out.append("\n" * token.contents.count("\n"))
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            closing = SKIP_BLOCKS.get(name)
            out.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
        elif token.token_type == TokenType.VAR:
            out.append(PLACEHOLDER + "\n" * token.contents.count("\n"))
        else:  # a {# comment #}
            out.append("\n" * token.contents.count("\n"))
    return "".join(out)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.skipping: list[str] = []

    def _note(self, text: str) -> None:
        self.found.append((self.getpos()[0], " ".join(text.replace(PLACEHOLDER, "…").split())))

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            read = (
                name in READ_ATTRIBUTES
                or (
                    tag == "input"
                    and name == "value"
                    and (("type", "submit") in attrs or ("type", "button") in attrs)
                )
                # Our own messages handed to scripts: data-freeze="Submit ...?" and the like.
                or (name.startswith("data-") and " " in value.replace(PLACEHOLDER, "").strip())
            )
            if read and _has_words(value):
                self._note(f"{tag}[{name}]: {value}")
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and _has_words(data):
            self._note(data)


def unmarked(source: str, *, html: bool = True) -> list[tuple[int, str]]:
    """(line, text) of every unmarked string in a template's source."""
    flat = _flatten(source)
    if not html:  # a plain-text e-mail: every line with a word
        return [
            (number, " ".join(line.replace(PLACEHOLDER, "…").split()))
            for number, line in enumerate(flat.splitlines(), start=1)
            if _has_words(line)
        ]
    reader = _Reader()
    reader.feed(flat)
    reader.close()
    return reader.found


def our_templates() -> list[Path]:
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*")
        if path.suffix in (".html", ".txt", ".svg", ".xml")
    )


def unmarked_in(path: Path) -> list[tuple[int, str]]:
    return unmarked(path.read_text(encoding="utf-8"), html=path.suffix != ".txt")


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or our_templates()
    total = 0
    for path in paths:
        for line, text in unmarked_in(path):
            total += 1
            print(f"{path.relative_to(BASE_DIR)}:{line}: {text}")
    print(f"{total} unmarked string(s) in {len(paths)} template(s)", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
