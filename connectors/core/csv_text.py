"""CSV text (a Bulk API result set, a slice of an export file) read as rows.

`csv.DictReader(io.StringIO(text, newline=""))` is the usual way, but `io.StringIO` copies
its initial text into a buffer of 4 bytes a character: a 2 MB result set held 8 MB more while
it was parsed. The csv module reads any iterable of lines, so the text is cut into lines
where `io.StringIO(text, newline="")` would cut it (after `\\r\\n`, `\\r` or `\\n`), one at
a time: the rows are the same, quoted line breaks included.
"""

import csv
import re
from collections.abc import Iterator

_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


def lines_of(text: str) -> Iterator[str]:
    """The lines of `text`, each with its line break, as `io.StringIO(text, newline="")`."""
    for match in _LINE.finditer(text):
        yield match.group()


def dict_rows(text: str) -> csv.DictReader:
    """`csv.DictReader` over `text` (its first line is the header)."""
    return csv.DictReader(lines_of(text))
