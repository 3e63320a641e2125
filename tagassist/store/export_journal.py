"""The export journal: every file an export wrote, with a copy of what it replaced and the
keywords it added and removed, so an export can be undone file by file, and a run cut short
resumed without writing a file twice."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..paths import from_db_path, to_db_path
from ..records import Profile
from .database import utc_now
from .repository import Repository


class ExportJournal(Repository):
    def backup_dir(self) -> Path:
        """Where copies of the files an export replaced are kept (beside the database)."""
        return Path(self.database.path).with_name(Path(self.database.path).stem + "-export-backups")

    def start_run(self, profile: Profile) -> int:
        with self.transaction() as conn:
            return conn.execute("INSERT INTO export_runs (profile_id, started_at) VALUES (?, ?)",
                                (profile.id, utc_now())).lastrowid

    def record_file(self, run_id: int, photo_id: int | None, path: str, backup: str | None,
                    written_sha256: str, added: Sequence[str], removed: Sequence[str],
                    prior_base: Iterable[str] | None = None, prior_faces: dict | None = None,
                    prior_location: Sequence[str] | None = None) -> None:
        """``prior_faces``: the file's face base before the write (``store.face_bases``; {} for
        none), which undo puts back; None where the export did not plan the file's faces.
        ``prior_location`` likewise for the location it wrote (``store.location_bases``; () for none)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO export_files (run_id, photo_id, path, backup, written_sha256, added, removed, prior_base,"
                " prior_faces, prior_location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (run_id, photo_id, to_db_path(path), backup, written_sha256, json.dumps(list(added)),
                 json.dumps(list(removed)), None if prior_base is None else json.dumps(sorted(prior_base)),
                 None if prior_faces is None else json.dumps(prior_faces, sort_keys=True),
                 None if prior_location is None else json.dumps(list(prior_location))),
            )

    def has_file(self, run_id: int, path: str, written_sha256: str) -> bool:
        return self.database.execute(
            "SELECT 1 FROM export_files WHERE run_id = ? AND path = ? AND written_sha256 = ?",
            (run_id, to_db_path(path), written_sha256)).fetchone() is not None

    def runs(self, *, include_undone: bool = True) -> list[dict]:
        """Export runs that wrote at least one file, newest first."""
        rows = self.database.query(
            "SELECT r.id, r.started_at, r.undone_at, p.name AS profile, COUNT(f.id) AS files FROM export_runs r"
            " JOIN export_files f ON f.run_id = r.id LEFT JOIN profiles p ON p.id = r.profile_id"
            " GROUP BY r.id ORDER BY r.id DESC"
        )
        return [r for r in rows if include_undone or not r["undone_at"]]

    def files(self, run_id: int) -> list[dict]:
        rows = self.database.query(
            "SELECT id, photo_id, path, backup, written_sha256, added, removed, prior_base, prior_faces,"
            " prior_location, undoing"
            " FROM export_files WHERE run_id = ? ORDER BY id DESC", (run_id,))
        for row in rows:
            row["path"] = from_db_path(row["path"])
            row["added"], row["removed"] = json.loads(row["added"]), json.loads(row["removed"])
            row["prior_base"] = None if row["prior_base"] is None else json.loads(row["prior_base"])
            row["prior_faces"] = None if row["prior_faces"] is None else json.loads(row["prior_faces"])
            row["prior_location"] = None if row["prior_location"] is None else json.loads(row["prior_location"])
        return rows

    def mark_file_undoing(self, record_id: int) -> None:
        """The undo wrote this file's history; the file itself follows."""
        with self.transaction() as conn:
            conn.execute("UPDATE export_files SET undoing = 1 WHERE id = ?", (record_id,))

    def mark_run_undone(self, run_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("UPDATE export_runs SET undone_at = ? WHERE id = ?", (utc_now(), run_id))
