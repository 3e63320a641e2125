"""Versioned schema migrations, applied in order when a database is opened.

Each migration is a list of SQL statements that run in one transaction together with the
row that records it in ``schema_migrations``; a migration is never edited once released,
a change of schema is a new entry at the end of ``MIGRATIONS``.
"""

from __future__ import annotations

MIGRATIONS: list[list[str]] = [
    # 1: the first schema.
    [
        """
        CREATE TABLE profiles (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL
        )
        """,
        # Library roots the user added, so a rescan knows where to look.
        """
        CREATE TABLE folders (
            id INTEGER PRIMARY KEY,
            path BLOB NOT NULL UNIQUE,
            added_at TEXT NOT NULL
        )
        """,
        # Paths are raw file-system bytes (os.fsencode): file names need not be UTF-8.
        """
        CREATE TABLE photos (
            id INTEGER PRIMARY KEY,
            path BLOB NOT NULL UNIQUE,
            folder BLOB NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            content_hash TEXT,
            format TEXT,
            width INTEGER,
            height INTEGER,
            taken_at TEXT,
            camera_make TEXT,
            camera_model TEXT,
            lens TEXT,
            focal_length REAL,
            exposure_time TEXT,
            f_number REAL,
            iso INTEGER,
            gps_lat REAL,
            gps_lon REAL,
            orientation INTEGER,
            status TEXT NOT NULL CHECK (status IN ('ok', 'warning', 'error', 'missing')),
            error TEXT,
            sidecar_signature TEXT,
            added_at TEXT NOT NULL,
            scanned_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX photos_folder ON photos (folder)",
        "CREATE INDEX photos_content_hash ON photos (content_hash)",
        "CREATE INDEX photos_taken_at ON photos (taken_at)",
        # Hierarchical keywords keep Lightroom's '|' separator: 'Places|Italy|Rome'.
        """
        CREATE TABLE tags (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        )
        """,
        # What the files themselves say (XMP, IPTC): the source of imported history and the
        # baseline that keyword write-back merges with.
        """
        CREATE TABLE file_keywords (
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            PRIMARY KEY (photo_id, tag_id)
        )
        """,
        """
        CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            source TEXT NOT NULL CHECK (source IN ('imported', 'typed', 'accepted')),
            created_at TEXT NOT NULL,
            model_version TEXT,
            score REAL,
            UNIQUE (profile_id, photo_id, tag_id)
        )
        """,
        "CREATE INDEX assignments_photo ON assignments (photo_id)",
        "CREATE INDEX assignments_tag ON assignments (profile_id, tag_id)",
        """
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            created_at TEXT NOT NULL,
            model_version TEXT,
            score REAL,
            UNIQUE (profile_id, photo_id, tag_id)
        )
        """,
        "CREATE INDEX rejections_photo ON rejections (photo_id)",
        # Keyed by content, not by photo: a moved or duplicated file keeps its vectors.
        """
        CREATE TABLE embeddings (
            content_hash TEXT NOT NULL,
            encoder_id TEXT NOT NULL,
            dim INTEGER NOT NULL,
            vector BLOB NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (content_hash, encoder_id)
        )
        """,
        """
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            version TEXT NOT NULL UNIQUE,
            profile_id INTEGER REFERENCES profiles (id) ON DELETE CASCADE,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            metrics TEXT NOT NULL DEFAULT '{}',
            created_at TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 0
        )
        """,
    ],
    # 2: library-wide settings, such as which encoder the index uses.
    [
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
    # 3: three-way keyword sync and the export journal.
    [
        # file_keywords is from now on the *base* of the sync: what the photo's files held when
        # tagassist last read or wrote them. A removal is remembered so that an export removes
        # the keyword from the file (pending = 1) and so that a keyword removed in another tool
        # leaves the history visibly (origin 'file').
        """
        CREATE TABLE tag_removals (
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            removed_at TEXT NOT NULL,
            origin TEXT NOT NULL CHECK (origin IN ('tagassist', 'file')),
            pending INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (profile_id, photo_id, tag_id)
        )
        """,
        "CREATE INDEX tag_removals_photo ON tag_removals (photo_id)",
        # Every export run, and for each file it wrote a copy of what was there before (or
        # NULL where it created the file), so any export can be undone.
        """
        CREATE TABLE export_runs (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
            started_at TEXT NOT NULL,
            undone_at TEXT
        )
        """,
        """
        CREATE TABLE export_files (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES export_runs (id) ON DELETE CASCADE,
            photo_id INTEGER REFERENCES photos (id) ON DELETE SET NULL,
            path BLOB NOT NULL,
            backup TEXT,
            written_sha256 TEXT NOT NULL,
            added TEXT NOT NULL DEFAULT '[]',
            removed TEXT NOT NULL DEFAULT '[]'
        )
        """,
        "CREATE INDEX export_files_run ON export_files (run_id)",
    ],
    # 4: camera RAW. A RAW file and the JPEG the camera wrote beside it are one photo; the
    # JPEG (companion) gives it pixels. preview says where a RAW's pixels come from:
    # 'embedded' (its largest preview), 'libraw' (decoded at half size) or 'none'.
    [
        "ALTER TABLE photos ADD COLUMN companion BLOB",
        "ALTER TABLE photos ADD COLUMN preview TEXT",
        "CREATE INDEX photos_companion ON photos (companion)",
    ],
    # 5: the keyword manager. An alias is another name of a keyword (auto -> car): typed or
    # imported, it becomes the keyword. Every rename, merge, delete or alias is journalled with
    # the exact earlier state of the (photo, keyword) pairs it changed, so it can be undone.
    [
        """
        CREATE TABLE keyword_aliases (
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            PRIMARY KEY (profile_id, alias)
        )
        """,
        """
        CREATE TABLE keyword_edits (
            id INTEGER PRIMARY KEY,
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            action TEXT NOT NULL,
            detail TEXT NOT NULL,
            before TEXT NOT NULL,
            created_at TEXT NOT NULL,
            undone_at TEXT
        )
        """,
    ],
    # 6: the rating and colour label other tools wrote into XMP. Every photo is read again at
    # the next scan (its recorded mtime no longer matches) so that existing libraries get them;
    # its keywords go through three-way sync as on any rescan, so nothing changes there.
    [
        "ALTER TABLE photos ADD COLUMN rating INTEGER",
        "ALTER TABLE photos ADD COLUMN label TEXT",
        "UPDATE photos SET mtime_ns = -1 WHERE status != 'missing'",
    ],
    # 7: the base file by file, as JSON {file name: [keywords]}: a keyword removed from one of
    # a photo's files is a removal even while another of its files still holds it, and a file
    # that is no longer the photo's (a sidecar left behind by a rename) removes nothing. NULL
    # until the photo's files are next read.
    [
        "ALTER TABLE photos ADD COLUMN file_bases TEXT",
    ],
    # 8: what undo needs beyond the bytes. prior_base: the file's base before the export wrote
    # it (JSON list; NULL where tagassist had never read the file), which undo puts back with
    # the bytes, so that what another tool changed before the export is seen again, and no
    # more. undoing: an undo writes the history of each file before it puts the file back;
    # this marks the files whose history it wrote, so that an undo run again after a kill
    # tells its own restore from another tool's edit that brings back the same bytes.
    [
        "ALTER TABLE export_files ADD COLUMN prior_base TEXT",
        "ALTER TABLE export_files ADD COLUMN undoing INTEGER NOT NULL DEFAULT 0",
    ],
    # 9: a rating or colour label set in tagassist (the app's Ctrl+digits) that the next export
    # writes into the photo's files; 0 once written.
    [
        "ALTER TABLE photos ADD COLUMN marks_pending INTEGER NOT NULL DEFAULT 0",
    ],
    # 10: a counter that every change to what the suggestions read moves on (a profile's tags
    # and rejections, a photo's time, place, camera or content, an embedding, a keyword's
    # name), kept by triggers so that no writer can forget it: a cache of the engine's state
    # is valid exactly while the counter it was built at is the counter now.
    [
        "CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL)",
        "INSERT INTO change_counter (id, n) VALUES (1, 0)",
        *(f"CREATE TRIGGER count_{table}_{op.lower()} AFTER {op} ON {table}"
          " BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END"
          for table in ("assignments", "rejections", "embeddings", "tags", "photos")
          for op in ("INSERT", "UPDATE", "DELETE") if (table, op) != ("photos", "UPDATE")),
        # A rescan saves every column of a photo it read again: only what the engine reads counts.
        "CREATE TRIGGER count_photos_update AFTER UPDATE ON photos WHEN "
        + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("taken_at", "gps_lat", "gps_lon", "camera_make",
                                                           "camera_model", "content_hash"))
        + " BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END",
    ],
    # 11: where a photo was taken in words, as its files name it ('City|State|Country' from
    # photoshop:City/State/Country or an IPTC location): the place signal reads it for a photo
    # without GPS, so a change of it counts as one. Every photo is read again at the next scan
    # (as in 6) so that existing libraries get it.
    [
        "ALTER TABLE photos ADD COLUMN location TEXT",
        "DROP TRIGGER count_photos_update",
        "CREATE TRIGGER count_photos_update AFTER UPDATE ON photos WHEN "
        + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("taken_at", "gps_lat", "gps_lon", "camera_make",
                                                           "camera_model", "content_hash", "location"))
        + " BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END",
        "UPDATE photos SET mtime_ns = -1 WHERE status != 'missing'",
    ],
    # 12: her vocabulary without photos: the keywords of a list imported from the program she
    # keeps it in (Lightroom Classic's keyword list, digiKam's tags), available for completion
    # and suggestion before any photo carries them. A category (Lightroom's [brackets], "Include
    # on Export" off) only holds the keywords under it. Synonyms are kept as the list gave them
    # (an alias names one keyword; a list may give two keywords the same synonym), and position
    # is the order of the list, so that an export gives the list back as it came in.
    [
        """
        CREATE TABLE vocabulary_keywords (
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            category INTEGER NOT NULL DEFAULT 0,
            synonyms TEXT NOT NULL DEFAULT '[]',
            position INTEGER NOT NULL,
            source TEXT NOT NULL,
            added_at TEXT NOT NULL,
            PRIMARY KEY (profile_id, tag_id)
        )
        """,
        *(f"CREATE TRIGGER count_vocabulary_keywords_{op.lower()} AFTER {op} ON vocabulary_keywords"
          " BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END" for op in ("INSERT", "UPDATE", "DELETE")),
    ],
    # 13: faces. A face is a box on a photo (normalized 0..1, from the top-left, in the photo as
    # displayed): found by the detector, with its embedding, or read from a region another tool
    # wrote in the photo's files (MWG, Microsoft), with the name it gave; a region and the
    # detector's face for it are one row. face_scans says which photos the detector has seen
    # (none found is an answer too). Names are her keywords, per photographer: a face named, or
    # a name rejected for it, never to be suggested for that face again. A person she forgets
    # loses the embeddings of every face named for her (the boxes stay, the detector does not
    # look again).
    [
        """
        CREATE TABLE faces (
            id INTEGER PRIMARY KEY,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            x REAL NOT NULL,
            y REAL NOT NULL,
            w REAL NOT NULL,
            h REAL NOT NULL,
            quality REAL,
            embedding BLOB,
            detector TEXT,
            region_name TEXT,
            region_source TEXT
        )
        """,
        "CREATE INDEX faces_by_photo ON faces (photo_id)",
        """
        CREATE TABLE face_scans (
            photo_id INTEGER PRIMARY KEY REFERENCES photos (id) ON DELETE CASCADE,
            detector TEXT NOT NULL,
            content_hash TEXT,
            found INTEGER NOT NULL,
            scanned_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE face_names (
            face_id INTEGER NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags (id),
            state TEXT NOT NULL CHECK (state IN ('named', 'rejected')),
            source TEXT NOT NULL,
            decided_at TEXT NOT NULL,
            PRIMARY KEY (face_id, profile_id, tag_id)
        )
        """,
        "CREATE UNIQUE INDEX one_name_per_face ON face_names (face_id, profile_id) WHERE state = 'named'",
        *(f"CREATE TRIGGER count_{table}_{op.lower()} AFTER {op} ON {table}"
          " BEGIN UPDATE change_counter SET n = n + 1 WHERE id = 1; END"
          for table in ("faces", "face_names") for op in ("INSERT", "UPDATE", "DELETE")),
    ],
    # 14: the faces an export wrote into a photo's files, the base of the next export's
    # three-way merge of face regions (``tagassist.library.face_regions``): per photographer and
    # file (its name in the photo's folder, raw bytes), the named MWG regions and the
    # PersonInImage names tagassist wrote there last, as JSON. prior_faces: a file's base before
    # an export wrote it (JSON; NULL where the export did not plan its faces), which undo puts
    # back with the bytes, so the next export writes the faces again.
    [
        """
        CREATE TABLE face_bases (
            profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            file BLOB NOT NULL,
            written TEXT NOT NULL,
            PRIMARY KEY (profile_id, photo_id, file)
        )
        """,
        "ALTER TABLE export_files ADD COLUMN prior_faces TEXT",
    ],
    # 15: the location an export wrote into a photo's files (photoshop:City/State/Country and
    # Iptc4xmpCore:CountryCode, named from its GPS): per file (its name in the photo's folder,
    # raw bytes), the four values as JSON. The next export changes a file's location only where
    # the file holds none or still holds this one, so what another tool wrote stays.
    # prior_location: a file's location base before an export wrote it (JSON; [] for none; NULL
    # where the export did not plan the file's location), which undo puts back with the bytes.
    [
        """
        CREATE TABLE location_bases (
            photo_id INTEGER NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
            file BLOB NOT NULL,
            written TEXT NOT NULL,
            PRIMARY KEY (photo_id, file)
        )
        """,
        "ALTER TABLE export_files ADD COLUMN prior_location TEXT",
    ],
    # 16: the pick flag (digiKam:PickLabel: 0 none, 1 rejected, 2 pending, 3 accepted), read from
    # the files as the rating is, and set in tagassist (Ctrl+P) to be written at the next export
    # with the rating and label (marks_pending). Every photo is read again at the next scan (as
    # in 6) so that existing libraries get the flags digiKam wrote.
    [
        "ALTER TABLE photos ADD COLUMN pick INTEGER",
        "UPDATE photos SET mtime_ns = -1 WHERE status != 'missing'",
    ],
    # 17: the library's identity, drawn once when its database is made: a state kept outside
    # the database (the engine cache) names the database it came from by it, so a database
    # deleted and made again at the same path, whose change counter starts over, never finds
    # the old one's state current.
    [
        "INSERT OR IGNORE INTO settings (key, value) VALUES ('library_id', lower(hex(randomblob(16))))",
    ],
]

LATEST_VERSION = len(MIGRATIONS)
