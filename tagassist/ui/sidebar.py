"""The sidebar's tree: the views (all, untagged, needs review), the folders with their photo
counts, the dates, the ratings and labels other tools wrote, and the keywords as a hierarchy.
Each item carries the view it shows (a dict of filters, ``services.jobs.load_photos``)."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

VIEWS = (("All photos", {}), ("Untagged", {"untagged": True}), ("Needs review", {"problems": True}))


def _key(item: QTreeWidgetItem) -> str:
    """An item's identity across refills: its view, or a section's title."""
    view = item.data(0, Qt.ItemDataRole.UserRole)
    return item.text(0) if view is None else json.dumps(view, sort_keys=True)


def _items(sidebar: QTreeWidget):
    stack = [sidebar.topLevelItem(i) for i in range(sidebar.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack += [item.child(i) for i in range(item.childCount())]


def fill_sidebar(sidebar: QTreeWidget, loaded: dict) -> None:
    """The tree for what ``services.jobs.load_photos`` (or ``.sidebar``) loaded. Filled again
    after every tagging, it keeps which items were open, the chosen one and the scroll."""
    opened = {_key(item): item.isExpanded() for item in _items(sidebar)}
    current = _key(sidebar.currentItem()) if sidebar.currentItem() is not None else None
    if sidebar.property("follow"):  # a keyword renamed in the tree: the chosen item follows it
        current = sidebar.property("follow")
        sidebar.setProperty("follow", None)
    scrolled = sidebar.verticalScrollBar().value()
    sidebar.setUpdatesEnabled(False)  # one repaint, not a flash of an empty tree
    sidebar.clear()
    _fill(sidebar, loaded)
    for item in _items(sidebar):
        key = _key(item)
        if key in opened:
            item.setExpanded(opened[key])
        if key == current:
            sidebar.setCurrentItem(item)
    sidebar.verticalScrollBar().setValue(scrolled)
    sidebar.setUpdatesEnabled(True)


def _fill(sidebar: QTreeWidget, loaded: dict) -> None:
    for label, view in VIEWS:
        item = QTreeWidgetItem([label])
        item.setData(0, Qt.ItemDataRole.UserRole, view)
        sidebar.addTopLevelItem(item)
    fill_folders(_section(sidebar, "Folders"), loaded["roots"], loaded["folders"])
    date_root = _section(sidebar, "Dates")
    years: dict[str, QTreeWidgetItem] = {}
    for month, count in loaded["months"]:
        year = month[:4]
        if year not in years:
            years[year] = _item(date_root, year, {"date": year})
        _item(years[year], f"{month}  ({count})", {"date": month})
    ratings, labels = loaded["ratings_labels"]
    picked = loaded.get("picked", 0)
    if ratings or labels or picked:  # what Lightroom, darktable or digiKam wrote into the files, or she set
        marks = _section(sidebar, "Rating and label")
        if picked:
            _item(marks, f"Picked  ({picked})", {"pick": True})
        for stars, count in ratings:
            text = "Rejected" if stars < 0 else "\u2605" * stars + (" and up" if stars < 5 else "")
            _item(marks, f"{text}  ({count})", {"rating": stars})
        for label, count in labels:
            _item(marks, f"{label} label  ({count})", {"label": label})
    # Hierarchical keywords as a tree: Places > Italy > Rome; a parent finds its children.
    tag_root = _section(sidebar, "Tags")
    counts = loaded["keyword_counts"]
    nodes: dict[str, QTreeWidgetItem] = {}
    for tag in sorted(loaded["vocabulary"], key=str.lower):
        parent, path = tag_root, []
        for level in tag.split("|"):
            path.append(level)
            key = "|".join(path)
            if key not in nodes:
                nodes[key] = _item(parent, f"{level}  ({counts.get(key, 0)})", {"tag": key})
                nodes[key].setFlags(nodes[key].flags() | Qt.ItemFlag.ItemIsEditable)  # F2 renames (keyword_tree.py)
            parent = nodes[key]


def fill_folders(section: QTreeWidgetItem, roots: list[str], folders: list[tuple[str, int]]) -> None:
    """Each added folder with its subfolders below it, every one with its photo count
    (subfolders included): a folder click shows all photos under it."""
    nodes: dict[str, QTreeWidgetItem] = {}
    totals: dict[str, int] = {}
    for root in roots:
        nodes[root] = _item(section, os.path.basename(root.rstrip(os.sep)) or root, {"folder": root}, tip=root)

    def under(folder: str, root: str) -> bool:
        return folder == root or folder.startswith(root.rstrip(os.sep) + os.sep)

    for folder, count in folders:
        holding = [r for r in roots if under(folder, r)]  # an added folder may lie inside another
        root = max(holding, key=len, default=None)
        if root is None:  # a single file scanned on its own: its folder stands alone
            root = folder
            nodes[root] = _item(section, os.path.basename(folder) or folder, {"folder": folder})
        chain, path = [], root  # the subfolders from the root down to this folder
        for part in filter(None, os.path.relpath(folder, root).split(os.sep)) if folder != root else []:
            parent, path = path, os.path.join(path, part)
            if path not in nodes:
                nodes[path] = _item(nodes[parent], part, {"folder": path}, tip=path)
            chain.append(path)
        for key in {root, *holding, *chain}:
            totals[key] = totals.get(key, 0) + count
    for key, node in nodes.items():
        node.setText(0, f"{node.text(0)}  ({totals.get(key, 0)})")


def _item(parent: QTreeWidgetItem, text: str, view: dict, *, tip: str | None = None) -> QTreeWidgetItem:
    item = QTreeWidgetItem([text])
    item.setData(0, Qt.ItemDataRole.UserRole, view)
    if tip is not None:
        item.setToolTip(0, tip)
    parent.addChild(item)
    return item


def _section(sidebar: QTreeWidget, title: str) -> QTreeWidgetItem:
    section = QTreeWidgetItem([title])
    section.setData(0, Qt.ItemDataRole.UserRole, None)
    sidebar.addTopLevelItem(section)
    section.setExpanded(True)
    return section
