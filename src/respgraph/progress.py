"""Progress on a terminal for the long commands (build, export, neo4j push).

Library code never prints: it takes a callback ``on_progress(stage, done, total)`` (``total``
None for a stage that cannot be counted) and the CLI passes the one ``display`` yields. The
display is a rich progress bar on stderr, one line per stage, and only when stderr is a
terminal and ``--quiet`` was not given; otherwise the callback does nothing and the command's
output is byte for byte what it is without progress.

rich is imported only when a bar is drawn.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, Optional

OnProgress = Callable[[str, int, Optional[int]], None]


class Nothing:
    """The callback when there is no display: every call does nothing."""

    def __call__(self, stage: str, done: int = 0, total: int | None = None) -> None:
        pass

    def total(self, total: int) -> None:
        pass

    def advance(self, description: str, steps: int) -> None:
        pass


nothing = Nothing()


def wanted(quiet: bool = False, stream=None) -> bool:
    """Whether to draw progress: stderr (or ``stream``) is a terminal and not ``quiet``."""
    stream = sys.stderr if stream is None else stream
    if quiet:
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Stages(Nothing):
    """The callback of a drawn display: each new stage is a new line; ``done``/``total`` fill it.

    ``advance(description, n)`` moves the current line on by ``n`` and renames it, for work that
    counts in steps of its own (neo4j push: rows per batch under one total).
    """

    def __init__(self, bar):
        self.bar = bar
        self.stage: str | None = None
        self.task = None

    def __call__(self, stage: str, done: int = 0, total: int | None = None) -> None:
        if stage != self.stage:
            self._finish()
            self.stage = stage
            self.task = self.bar.add_task(stage, total=total, completed=done)
        else:
            self.bar.update(self.task, completed=done, total=total)

    def total(self, total: int) -> None:
        """Set the total of the current line."""
        self.bar.update(self.task, total=total)

    def advance(self, description: str, steps: int) -> None:
        self.bar.update(self.task, advance=steps, description=description)

    def _finish(self) -> None:
        if self.task is None:
            return
        task = next((t for t in self.bar.tasks if t.id == self.task), None)
        if task is not None and task.total is None:  # an uncounted stage: a full bar when over
            self.bar.update(self.task, total=1, completed=1, uncounted=True)
        self.bar.stop_task(self.task)

    def close(self) -> None:
        self._finish()
        self.bar.refresh()


@contextlib.contextmanager
def display(quiet: bool = False) -> Iterator[Nothing]:
    """A progress callback for the ``with`` block: a bar on stderr when it is a terminal and not
    ``quiet``, else ``nothing``. Lines written to stderr meanwhile appear above the bar."""
    if not wanted(quiet):
        yield nothing
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, ProgressColumn, TextColumn, TimeElapsedColumn
    from rich.text import Text

    class Count(ProgressColumn):
        """done/total, or nothing for a stage that is not counted."""

        def render(self, task) -> Text:
            if task.total is None or (task.total == 1 and task.fields.get("uncounted")):
                return Text("")
            total = int(task.total)
            return Text(f"{int(task.completed):{len(str(total))}d}/{total}", style="progress.download")

    console = Console(stderr=True)
    columns = [TextColumn("{task.description:<16}"), BarColumn(), Count(), TimeElapsedColumn()]
    with Progress(*columns, console=console) as bar:
        stages = Stages(bar)
        try:
            yield stages
        finally:
            stages.close()
