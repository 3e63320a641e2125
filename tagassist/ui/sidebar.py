"""The sidebar's tree: the views (all, untagged, needs review), the folders with their photo
counts, the dates, the ratings and labels other tools wrote, and the keywords as a hierarchy.
Each item carries the view it shows (a dict of filters, ``services.jobs.load_photos``)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

VIEWS = (("All photos", {}), ("Untagged", {"untagged": True}), ("Needs review", {"problems": True}))


def _key(item: QTreeWidgetItem) -> str:
    """An item's identity across refills: its view, or a section's title."""
    view = item.data(0, Qt.ItemDataRole.UserRole)
    return item.text(0) if view is None else view_key(view)


def _items(sidebar: QTreeWidget):
    stack = [sidebar.topLevelItem(i) for i in range(sidebar.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack += [item.child(i) for i in range(item.childCount())]


@dataclass(frozen=True, slots=True)
class _Row:
    """One item of the tree, before it is one: where it goes and what it says."""

    key: str  # its identity across refills (``_key``)
    parent: str | None  # the key of the item it sits under; None: a top-level item
    text: str
    view: dict | None  # the filters it shows; None: a section's title
    tip: str | None = None
    editable: bool = False  # a keyword: F2 renames it (keyword_tree.py)


def fill_sidebar(sidebar: QTreeWidget, loaded: dict) -> None:
    """The tree for what ``services.jobs.load_photos`` (or ``.sidebar``) loaded. Filled again
    after every tagging, it keeps which items were open, the chosen one and the scroll. Where
    the items are the same as before and only counts changed (most taggings), only their texts
    change: rebuilding a 100,000-photo library's tree took 0.1-0.2 s of the UI thread."""
    rows = _describe(loaded)
    if _same_items(sidebar, rows):  # only what the fill set changes an item's text (F2 goes through a rename)
        for item, shown, row in zip(sidebar.row_items, sidebar.shown_rows, rows, strict=True):
            if shown.text != row.text:
                item.setText(0, row.text)
        sidebar.shown_rows = rows
        return
    opened = {_key(item): item.isExpanded() for item in _items(sidebar)}
    current = _key(sidebar.currentItem()) if sidebar.currentItem() is not None else None
    if sidebar.property("follow"):  # a keyword renamed in the tree: the chosen item follows it
        current = sidebar.property("follow")
        sidebar.setProperty("follow", None)
    scrolled = sidebar.verticalScrollBar().value()
    sidebar.setUpdatesEnabled(False)  # one repaint, not a flash of an empty tree
    sidebar.clear()
    sidebar.row_items = _build(sidebar, rows)
    sidebar.shown_rows = rows
    for item in _items(sidebar):
        key = _key(item)
        if key in opened:
            item.setExpanded(opened[key])
        if key == current:
            sidebar.setCurrentItem(item)
    sidebar.verticalScrollBar().setValue(scrolled)
    sidebar.setUpdatesEnabled(True)


def _same_items(sidebar: QTreeWidget, rows: list[_Row]) -> bool:
    """Whether the tree holds these rows' items, in this order, as the last fill made them."""
    shown = getattr(sidebar, "shown_rows", None)
    if sidebar.property("follow") or shown is None or [(r.key, r.parent) for r in shown] != [
            (r.key, r.parent) for r in rows]:
        return False
    try:
        return sidebar.topLevelItemCount() == sum(row.parent is None for row in rows) and all(
            item.treeWidget() is sidebar for item in sidebar.row_items)
    except RuntimeError:  # an item was deleted since (Qt owns them)
        return False


def _build(sidebar: QTreeWidget, rows: list[_Row]) -> list[QTreeWidgetItem]:
    nodes: dict[str, QTreeWidgetItem] = {}
    items = []
    for row in rows:
        item = QTreeWidgetItem([row.text])
        item.setData(0, Qt.ItemDataRole.UserRole, row.view)
        if row.tip is not None:
            item.setToolTip(0, row.tip)
        if row.editable:
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        if row.parent is None:
            sidebar.addTopLevelItem(item)
        else:
            nodes[row.parent].addChild(item)
        if row.view is None:  # a section, open (once it is in the tree: before, Qt ignores it)
            item.setExpanded(True)
        nodes[row.key] = item
        items.append(item)
    return items


def _describe(loaded: dict) -> list[_Row]:
    rows = [_Row(view_key(view), None, label, view) for label, view in VIEWS]

    def section(title: str) -> str:
        rows.append(_Row(title, None, title, None))
        return title

    def add(parent: str, text: str, view: dict, **extra) -> str:
        key = view_key(view)
        rows.append(_Row(key, parent, text, view, **extra))
        return key

    _describe_folders(section("Folders"), loaded["roots"], loaded["folders"], add)
    dates = section("Dates")
    years: dict[str, str] = {}
    for month, count in loaded["months"]:
        year = month[:4]
        if year not in years:
            years[year] = add(dates, year, {"date": year})
        add(years[year], f"{month}  ({count})", {"date": month})
    ratings, labels = loaded["ratings_labels"]
    picked = loaded.get("picked", 0)
    if ratings or labels or picked:  # what Lightroom, darktable or digiKam wrote into the files, or she set
        marks = section("Rating and label")
        if picked:
            add(marks, f"Picked  ({picked})", {"pick": True})
        for stars, count in ratings:
            text = "Rejected" if stars < 0 else "\u2605" * stars + (" and up" if stars < 5 else "")
            add(marks, f"{text}  ({count})", {"rating": stars})
        for label, count in labels:
            add(marks, f"{label} label  ({count})", {"label": label})
    # Hierarchical keywords as a tree: Places > Italy > Rome; a parent finds its children.
    tags = section("Tags")
    counts = loaded["keyword_counts"]
    nodes: dict[str, str] = {}
    for tag in sorted(loaded["vocabulary"], key=str.lower):
        parent, path = tags, []
        for level in tag.split("|"):
            path.append(level)
            key = "|".join(path)
            if key not in nodes:
                nodes[key] = add(parent, f"{level}  ({counts.get(key, 0)})", {"tag": key}, editable=True)
            parent = nodes[key]
    return rows


def _describe_folders(section: str, roots: list[str], folders: list[tuple[str, int]], add) -> None:
    """Each added folder with its subfolders below it, every one with its photo count
    (subfolders included): a folder click shows all photos under it."""
    nodes: dict[str, tuple[str, str, str | None]] = {}  # folder -> (parent key, name, tip)
    totals: dict[str, int] = {}
    for root in roots:
        nodes[root] = (section, os.path.basename(root.rstrip(os.sep)) or root, root)

    def under(folder: str, root: str) -> bool:
        return folder == root or folder.startswith(root.rstrip(os.sep) + os.sep)

    for folder, count in folders:
        holding = [r for r in roots if under(folder, r)]  # an added folder may lie inside another
        root = max(holding, key=len, default=None)
        if root is None:  # a single file scanned on its own: its folder stands alone
            root = folder
            nodes[root] = (section, os.path.basename(folder) or folder, None)
        chain, path = [], root  # the subfolders from the root down to this folder
        for part in filter(None, folder[len(root):].split(os.sep)):  # folder is root, or under it
            parent, path = path, os.path.join(path, part)
            if path not in nodes:
                nodes[path] = (view_key({"folder": parent}), part, path)
            chain.append(path)
        for key in {root, *holding, *chain}:
            totals[key] = totals.get(key, 0) + count
    for folder, (parent, name, tip) in nodes.items():
        add(parent, f"{name}  ({totals.get(folder, 0)})", {"folder": folder}, tip=tip)


def view_key(view: dict) -> str:
    """A view's identity, as a string a QObject property holds ('tag=Places|Italy'; '' for all
    photos); a section's title, which has no '=', never equals one."""
    return "\x1f".join(f"{name}={value}" for name, value in sorted(view.items()))
