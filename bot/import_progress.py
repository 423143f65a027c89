"""How far a long `scorecard import` has got, on the terminal while it runs (with rich).

Only when stderr is a terminal: piped or in a log, the import prints its one-line outcome only.
"""

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from scorecard.reading_import import Progress as ReportProgress


@contextmanager
def import_progress(file: BinaryIO, name: str) -> Iterator[ReportProgress | None]:
    """A callback showing rows read and problems so far against the file's size, or None."""
    if not sys.stderr.isatty():
        yield None
        return
    size = os.fstat(file.fileno()).st_size
    columns = (
        TextColumn("Reading {task.fields[name]}"),
        BarColumn(),
        TextColumn("{task.fields[rows]:,} rows, {task.fields[problems]:,} problems"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("import", total=size, name=name, rows=0, problems=0)

        def report(rows: int, problems: int) -> None:
            if not file.closed:
                bar.update(task, completed=file.tell(), rows=rows, problems=problems)

        yield report
