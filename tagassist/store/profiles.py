"""The library's photographers: one profile each, with her own history, models and aliases."""

from __future__ import annotations

from ..records import Profile
from .database import utc_now
from .repository import Repository

DEFAULT_PROFILE = "default"


class UnknownProfile(LookupError):
    pass


class Profiles(Repository):
    def get(self, name: str | None = None, *, create: bool = True) -> Profile:
        """The named profile (default: 'default'); created on first use unless create=False."""
        name = (name or DEFAULT_PROFILE).strip()
        if not name:
            raise ValueError("a profile name cannot be empty")
        row = self.database.execute("SELECT id, name FROM profiles WHERE name = ?", (name,)).fetchone()
        if row:
            return Profile(*row)
        if not create:
            known = ", ".join(p.name for p in self.all()) or "none yet"
            raise UnknownProfile(f"no profile named {name!r} (known: {known})")
        with self.transaction() as conn:  # OR IGNORE: another process may create it at the same moment
            conn.execute("INSERT OR IGNORE INTO profiles (name, created_at) VALUES (?, ?)", (name, utc_now()))
            row = conn.execute("SELECT id, name FROM profiles WHERE name = ?", (name,)).fetchone()
        return Profile(*row)

    def all(self) -> list[Profile]:
        """Every profile, in the order they were created."""
        return [Profile(*r) for r in self.database.execute("SELECT id, name FROM profiles ORDER BY id")]

    def has_history(self, profile: Profile) -> bool:
        """Whether the profile has tagged or rejected anything."""
        return bool(self.database.execute(
            "SELECT EXISTS (SELECT 1 FROM assignments WHERE profile_id = ?)"
            " OR EXISTS (SELECT 1 FROM rejections WHERE profile_id = ?)", (profile.id, profile.id)).fetchone()[0])

    def rename(self, old: str, new: str) -> bool:
        """Give a profile another name, with all it holds; False where ``new`` is taken or ``old`` absent."""
        with self.transaction() as conn:
            return conn.execute("UPDATE profiles SET name = ? WHERE name = ? AND NOT EXISTS"
                                " (SELECT 1 FROM profiles WHERE name = ?)", (new, old, new)).rowcount == 1
