"""A kill -9 simulated inside a test, where it hurts most: after a file is written and before
the transaction that journals it commits."""

from __future__ import annotations

import pytest

from tagassist.services import export as export_service


class Killed(BaseException):
    """A process killed at this point: nothing after it runs, no handler sees it."""


def export_killed_after_writing(cli, monkeypatch, *export_args) -> None:
    """``tagassist export *export_args``, killed after each file it writes (so after the first),
    before the export's transaction commits."""
    write_file = export_service.write_file

    def write_then_die(*args, **kwargs):
        write_file(*args, **kwargs)
        raise Killed  # the file is written; the transaction that journals it never commits

    monkeypatch.setattr(export_service, "write_file", write_then_die)
    with pytest.raises(Killed):
        cli("export", *export_args)
    monkeypatch.setattr(export_service, "write_file", write_file)
