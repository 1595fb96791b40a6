"""Files replaced in one rename: a crash never leaves a half-written file under the name."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from scarplan.adapters.db.backup.problems import problem


@contextlib.contextmanager
def temporary_beside(path: Path, overwrite: bool = True) -> Iterator[Path]:
    """A private (0600) file in `path`'s directory, so that the final rename is atomic."""
    if path.is_dir():
        raise problem(str(path), "is a directory", "give a file name, e.g. DIR/scarplan.backup")
    if not path.parent.is_dir():
        raise problem(str(path), "its directory does not exist", "create the directory first")
    if path.exists() and not overwrite:
        raise problem(str(path), "exists already", "pass --force to overwrite it")
    try:
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix="~")
    except OSError as error:
        fix = "use a directory you can write to"
        raise problem(str(path), f"cannot be written ({error.strerror})", fix) from None
    os.close(descriptor)
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
