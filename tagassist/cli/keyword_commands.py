"""``tagassist keywords list|rename|merge|delete|alias|undo|history|import|export``: the keyword manager."""

from __future__ import annotations

from argparse import Namespace

from ..records import Profile
from ..services import keyword_lists, keywords
from ..services.library import Store
from .output import EXIT_OK, UserError, emit_json, say


def cmd_keywords(args: Namespace, store: Store, profile: Profile) -> int:
    action, names = args.action, args.names
    try:
        if action == "list":
            rows = keywords.keyword_rows(store, profile)
            if args.json:
                emit_json([row.as_json() for row in rows])
            for row in [] if args.json else rows:
                aliases = f"\talso: {', '.join(row.aliases)}" if row.aliases else ""
                under = f" ({row.under} with those under it)" if row.under != row.photos else ""
                if row.category:
                    count = "category (imported list)"
                elif row.listed and not row.under:
                    count = "no photos yet (imported list)"
                else:
                    count = f"{row.photos} photo{'s' * (row.photos != 1)}{under}"
                say(f"{row.keyword}\t{count}{aliases}")
            return EXIT_OK
        if action == "export":
            return _export(args, store, profile, names)
        if action == "import":
            return _import(args, store, profile, names)
        if action == "history":
            edits = keywords.history(store, profile)
            if args.json:
                emit_json(edits)
            for edit in [] if args.json else edits:
                say(f"{edit['edit']}\t{edit['at']}\t{edit['action']}{'  (undone)' if edit['undone'] else ''}")
            return EXIT_OK
        results = _edit(store, profile, action, names, args.into)
    except LookupError as exc:
        raise UserError(str(exc).strip("'\"")) from exc
    if args.json:
        emit_json(results)
    else:
        for result in results:
            say(keywords.describe(result))
        if action != "undo":
            say("Run 'tagassist export --all' to write the change into your files;"
                " 'tagassist keywords undo' undoes it.")
    return EXIT_OK


def _export(args: Namespace, store: Store, profile: Profile, names: list[str]) -> int:
    if len(names) != 1:
        raise UserError("usage: tagassist keywords export FILE [--format lightroom|digikam]")
    fmt = args.format or "lightroom"
    try:
        written = keyword_lists.export_list(store, profile, names[0], fmt)
    except OSError as exc:
        raise UserError(f"cannot write {names[0]}: {exc.strerror or exc}") from exc
    if args.json:
        emit_json(written)
    elif fmt == "lightroom":
        say(f"{written['keywords']} keywords ({written['synonyms']} synonyms) written to {written['file']}"
            " for Lightroom Classic's Metadata > Import Keywords")
    else:
        say(f"{written['keywords']} keywords written to {written['file']} as digiKam tag paths")
        for path in written.get("left_out", []):
            say(f"  left out: {path} (a '/' in a name, which a digiKam path cannot hold)")
    return EXIT_OK


def _import(args: Namespace, store: Store, profile: Profile, names: list[str]) -> int:
    if len(names) != 1:
        raise UserError("usage: tagassist keywords import FILE [--format lightroom|digikam]")
    try:
        result = keyword_lists.import_list(store, profile, names[0], args.format)
    except OSError as exc:
        raise UserError(f"cannot read {names[0]}: {exc.strerror or exc}") from exc
    except keyword_lists.KeywordListError as exc:
        raise UserError(str(exc)) from exc
    if args.json:
        emit_json(result)
        return EXIT_OK
    for name in result["added"]:
        say(f"  new: {name}")
    for alias, name in result["aliases"]:
        say(f"  new alias: {alias} -> {name}")
    for name in result["known"]:
        say(f"  known already, skipped: {name}")
    for synonym, name, why in result["skipped_aliases"]:
        say(f"  synonym {synonym} of {name} not made an alias: {why}")
    say(keyword_lists.describe_import(result))
    if result["added"]:
        say("They are offered when you type a tag; no photo was changed.")
    return EXIT_OK


def _edit(store: Store, profile: Profile, action: str, names: list[str], into: str | None) -> list[dict]:
    def need(count: int, usage: str) -> None:
        if len(names) != count:
            raise UserError(f"usage: tagassist keywords {usage}")

    if action == "rename":
        need(2, "rename OLD NEW")
        return [keywords.rename(store, profile, names[0], names[1])]
    if action == "delete":
        need(1, "delete KEYWORD")
        return [keywords.delete(store, profile, names[0])]
    if action in ("merge", "alias"):
        if not into or not names:
            raise UserError(f"usage: tagassist keywords {action} NAME... --into KEYWORD")
        return (keywords.merge if action == "merge" else keywords.alias)(store, profile, names, into)
    if action == "undo":
        if len(names) > 1 or (names and not names[0].isdigit()):
            raise UserError("usage: tagassist keywords undo [EDIT]")
        return [keywords.undo(store, profile, int(names[0]) if names else None)]
    raise UserError(f"unknown keywords action {action!r}")
