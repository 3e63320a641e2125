"""The ``tagassist`` command line: ``tagassist [--db PATH] [--profile NAME] COMMAND``.

Exit status: 0 ok, 1 usage or user error (one line on stderr), 2 finished but some files
failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sqlite3
import sys
from collections.abc import Callable, Sequence

from .. import __version__, runtime
from ..options import add_argument
from ..paths import default_db_path, display_path
from ..services.identity import photographer
from ..services.library import StoreError, UnknownProfile, open_library
from .output import EXIT_USER_ERROR, UserError

# Commands that only read never create a profile by accident (a typo would look like an
# empty library); commands that write create it on first use.
_READ_ONLY = {"photos", "tags", "stats", "doctor", "models", "train", "export", "eval", "find"}


def _reads_library(args: argparse.Namespace) -> bool:
    """A read-only command on this library's database (eval on another data set reads none)."""
    return args.command in _READ_ONLY and not (args.command == "eval" and args.dataset
                                               and not args.dataset.startswith("store:"))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would exit 2, which we keep for failed files
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tagassist", description="Personalized keyword suggestions for your photo library.")
    parser.add_argument("--version", action="version", version=f"tagassist {__version__}")
    parser.add_argument("--db", metavar="PATH", help=f"library database (default: {default_db_path()})")
    add_argument(parser, "profile", default=None, metavar="NAME",
                 help="the photographer whose history is used (default: the one your settings remember, which"
                      " the app's first run names and its Photographer box changes; 'default' before that)")
    # --json is accepted before or after the command name.
    json_flag = argparse.ArgumentParser(add_help=False)
    json_flag.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print data as JSON")
    parser.add_argument("--json", action="store_true", default=False, help="print data as JSON")
    # No command: the desktop app where there is a display (as digikam or darktable start), else usage.
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, handler: str | Callable, help: str) -> argparse.ArgumentParser:
        """``handler``: the command's function, or where it is ('module:function', imported
        only when the command runs: a call loads its own command's code, not every one's)."""
        sub = commands.add_parser(name, help=help, description=help, parents=[json_flag])
        sub.set_defaults(handler=handler)
        return sub

    scan = add("scan", "library_commands:cmd_scan", "add folders to the library, or rescan them")
    scan.add_argument("dirs", nargs="+", metavar="DIR")
    scan.add_argument("--no-import", action="store_true", help="do not import keywords found in the files")
    add_argument(scan, "raw_jpeg")

    photos = add("photos", "library_commands:cmd_photos", "list photos in the library")
    photos.add_argument("--untagged", action="store_true", help="only photos without tags")
    photos.add_argument("--tag", metavar="T", help="only photos with tag T (or a child of it)")
    photos.add_argument("--problems", action="store_true", help="only photos with a warning, error or missing")
    photos.add_argument("--rating", type=int, choices=range(-1, 6), metavar="N",
                        help="only photos rated N stars or more in another tool (xmp:Rating; -1: marked rejected)")
    photos.add_argument("--label", metavar="COLOUR", help="only photos with this colour label (xmp:Label: Red, ...)")
    photos.add_argument("--pick", action="store_true",
                        help="only photos with the pick flag (set with tag --pick, or digiKam's accepted pick label)")
    photos.add_argument("--search", metavar="WORDS",
                        help="only photos where every word is in a keyword, the path, the date taken or the camera")

    tags = add("tags", "library_commands:cmd_tags", "show a photo's tags and where each came from")
    tags.add_argument("photo", metavar="PHOTO")

    tag = add("tag", "library_commands:cmd_tag",
              "add, remove or reject tags on photos; set their rating and colour label")
    # PHOTO... may come after the tags too (tag --add street a.jpg): a photo file among them is a photo.
    tag.add_argument("photos", nargs="*", metavar="PHOTO")
    tag.add_argument("--add", nargs="+", action="extend", default=[], metavar="T", help="tags to add (typed by you)")
    tag.add_argument("--remove", nargs="+", action="extend", default=[], metavar="T", help="tags to remove")
    tag.add_argument("--reject", nargs="+", action="extend", default=[], metavar="T",
                     help="tags that are wrong for these photos")
    tag.add_argument("--rating", type=int, choices=range(-1, 6), metavar="N",
                     help="set the rating: 0 to 5 stars, -1 rejected (xmp:Rating, written with the keywords at export)")
    tag.add_argument("--label", metavar="COLOUR",
                     help="set the colour label: Red, Yellow, Green, Blue, Purple or none (xmp:Label, written at"
                          " export)")
    flags = tag.add_mutually_exclusive_group()
    flags.add_argument("--pick", action="store_true",
                       help="set the pick flag (digiKam:PickLabel, written at export; a rejected photo is no longer)")
    flags.add_argument("--unflag", action="store_true", help="take the pick flag and the reject off")

    faces = add("faces", "people_commands:cmd_faces",
                "the faces on photos: boxes, quality, names and the names they may have")
    faces.add_argument("photos", nargs="+", metavar="PHOTO")

    people = add("people", "people_commands:cmd_people",
                 "the people in the library: list, name faces, merge two names, forget one")
    people.add_argument("action", choices=["list", "name", "merge", "forget"], nargs="?", default="list")
    people.add_argument("names", nargs="*", metavar="ARG",
                        help="name KEYWORD FACE... (face ids from 'tagassist faces PHOTO'); merge NAME INTO;"
                             " forget KEYWORD (deletes the face data of every face named so)")
    people.add_argument("--reject", action="store_true", help="with name: these faces are not KEYWORD")

    keyword = add("keywords", "keyword_commands:cmd_keywords",
                  "the keyword manager: list, rename or move, merge, delete, alias, undo")
    keyword.add_argument("action", choices=["list", "rename", "merge", "delete", "alias", "undo", "history",
                                            "import", "export"],
                         nargs="?", default="list")
    keyword.add_argument("names", nargs="*", metavar="NAME",
                         help="rename OLD NEW (Places|Italy to Europe|Italy moves its children too);"
                              " merge NAME... --into K; delete K; alias NAME... --into K (another name of K:"
                              " typed or imported, it becomes K); undo [EDIT]; import FILE; export FILE")
    keyword.add_argument("--into", metavar="KEYWORD", help="the keyword that merge and alias lead to")
    keyword.add_argument("--format", choices=["lightroom", "digikam"],
                         help="import or export FILE: Lightroom Classic's keyword list (Metadata > Export and"
                              " Import Keywords; the default for export) or digiKam's tag paths (People/Alice,"
                              " one a line); import reads the format from the file when none is given")

    index = add("index", "engine_commands:cmd_index", "compute visual embeddings for photos that lack them")
    add_argument(index, "encoder", metavar="NAME")
    add_argument(index, "device")
    add_argument(index, "faces")

    suggest = add("suggest", "engine_commands:cmd_suggest", "suggest tags for photos, best first, with reasons")
    suggest.add_argument("photos", nargs="+", metavar="PHOTO")
    add_argument(suggest, "suggestion_count", metavar="N")
    add_argument(suggest, "device")

    find = add("find", "engine_commands:cmd_find",
               "photos that should carry a keyword too, best first, with score and reason")
    find.add_argument("keyword", metavar="KEYWORD", help="a keyword (or an alias of one) at least one photo carries")
    find.add_argument("--limit", type=int, default=50, metavar="N", help="how many candidates (default 50)")
    find.add_argument("--folder", metavar="F", help="only photos under this folder")

    train = add("train", "model_commands:cmd_train", "retrain the personalized model on this profile's tags")
    add_argument(train, "train_mode")
    add_argument(train, "device")
    add_argument(train, "self_train")

    model_list = add("models", "model_commands:cmd_models", "list trained models, activate one, or roll back")
    model_list.add_argument("action", choices=["list", "activate", "rollback"], nargs="?", default="list")
    model_list.add_argument("version", nargs="?")

    evaluate = add("eval", "model_commands:cmd_eval", "score the recommender models side by side on a tagging history")
    evaluate.add_argument("--dataset", metavar="SPEC",
                          help="store:DB (default: this library), lastfm:FOLDER or tagrec:FILE")
    evaluate.add_argument("--models", default="mp-u,mp-ui,bll-ui,engine", help="comma-separated")
    evaluate.add_argument("--k", default="1,3,5,10", help="cut-offs, comma-separated")
    evaluate.add_argument("--report", metavar="FILE", help="also write the JSON report here")
    evaluate.add_argument("--search", type=int, default=0, metavar="N",
                          help="N random hyper-parameter trials per model")

    gui = add("gui", cmd_gui, "open the desktop app")
    gui.add_argument("folders", nargs="*", metavar="FOLDER", help="folders to add on start")

    export = add("export", "export_command:cmd_export",
                 "write the profile's keywords into XMP sidecars (or JPEGs) for other tools")
    export.add_argument("photos", nargs="*", metavar="PHOTO")
    export.add_argument("--all", action="store_true", help="every tagged photo of the profile")
    export.add_argument("--embed", action="store_true",
                        help="also write inside every JPEG of the photo (XMP and IPTC; image data untouched)")
    add_argument(export, "sidecar_style")
    export.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    export.add_argument("--location", action="store_true",
                        help="also write the city, state, country and country code of each photo's GPS position"
                             " (photoshop:City/State/Country, Iptc4xmpCore:CountryCode, as Lightroom's map module),"
                             " only where a file names no place or holds the one tagassist wrote; with --all, every"
                             " photo with GPS (the library's 'Location in files' setting does so for every export)")
    export.add_argument("--undo", nargs="?", type=int, const=0, metavar="RUN",
                        help="put back the files an export replaced (default: the latest export)")
    export.add_argument("--force", action="store_true", help="with --undo: also files changed since that export")
    export.add_argument("--history", action="store_true", help="list the exports that can be undone")

    add("stats", "library_commands:cmd_stats", "counts of photos, tags and history")
    demo = add("demo", "demo_command:cmd_demo", "try tagassist on the bundled sample library (its own database)")
    demo.add_argument("--headless", action="store_true", help="print suggestions instead of opening the app")
    demo.add_argument("--retrain", action="store_true",
                      help="a simulated photographer's larger library, retrained on; with --headless (or without a"
                           " display) retrained here, with its suggestions on her next photos before and after")
    add("doctor", "library_commands:cmd_doctor", "check the database and the library's files")
    self_test = add("self-test", "self_test_command:cmd_self_test",
                    "check this installation end to end on the sample library (touches nothing of yours)")
    self_test.add_argument("--gui", action="store_true", help="also build the desktop window (offscreen)")
    return parser


def cmd_gui(args, store, profile) -> int:
    from ..ui.app import run  # Qt is imported only when the app is wanted

    path = str(store.path)
    store.close()
    # Without --profile the app opens the photographer its settings remember (the first run's name).
    return run(path, args.profile, args.folders)


def _handler(handler: str | Callable) -> Callable:
    """A command's function, its module imported now (``build_parser``'s 'module:function')."""
    if callable(handler):
        return handler
    module, name = handler.split(":")
    return getattr(importlib.import_module(f".{module}", __name__), name)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if not runtime.display_available():
            parser.print_usage(sys.stderr)
            print("tagassist: no display here for the desktop app; name a command (tagassist --help lists them)",
                  file=sys.stderr)
            return EXIT_USER_ERROR
        args.command, args.handler, args.folders = "gui", cmd_gui, []
    try:
        handler = _handler(args.handler)
        # The demo brings its own database unless --db is given; the self-test a throw-away one
        # (the user's is never opened).
        if args.command in ("demo", "self-test"):
            return handler(args)
        db_path = args.db or default_db_path()
        new = not os.path.exists(db_path)
        if new and _reads_library(args):  # a mistyped --db would read as an empty library
            raise UserError(f"no library database at {display_path(str(db_path))}; 'tagassist"
                            f"{' --db ' + shlex.quote(args.db) if args.db else ''} scan FOLDER' starts one")
        with open_library(db_path) as store:
            profile = store.profiles.get(photographer(args.profile), create=args.command not in _READ_ONLY)
            code = handler(args, store, profile)
        if new and not args.json:
            print(f"tagassist: a new library database: {display_path(str(db_path))}", file=sys.stderr)
        return code
    except (UserError, UnknownProfile, StoreError, ValueError) as exc:
        print(f"tagassist: {display_path(str(exc))}", file=sys.stderr)
        return EXIT_USER_ERROR
    except sqlite3.DatabaseError as exc:  # the disk or the file: full, an I/O error, read-only, damaged
        if isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):  # a bug of tagassist: its traceback
            raise
        database = args.db or (None if args.command in ("demo", "self-test") else default_db_path())
        print(f"tagassist: {display_path(str(database)) if database else 'database'}: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # e.g. piped into `head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except KeyboardInterrupt:
        print("tagassist: interrupted; the library is consistent, run the command again to finish", file=sys.stderr)
        return 130
