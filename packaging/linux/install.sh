#!/bin/sh
# Installs this tagassist folder for the current user (no root needed):
#   ~/.local/opt/tagassist/          the application
#   ~/.local/bin/tagassist, tagassist-cli   links to it
#   a menu entry and its icon
# Uninstall: sh install.sh --uninstall   (your library database and settings are kept)
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
OPT="$HOME/.local/opt/tagassist"
BIN="$HOME/.local/bin"
if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$OPT" "$BIN/tagassist" "$BIN/tagassist-cli" "$PREFIX/applications/tagassist.desktop" \
        "$PREFIX/icons/hicolor/512x512/apps/tagassist.png"
    echo "tagassist removed (your library database and settings are kept)"
    exit 0
fi
mkdir -p "$OPT" "$BIN" "$PREFIX/applications" "$PREFIX/icons/hicolor/512x512/apps"
rm -rf "$OPT.new" && cp -a "$HERE/tagassist" "$OPT.new" && rm -rf "$OPT" && mv "$OPT.new" "$OPT"
ln -sf "$OPT/tagassist" "$BIN/tagassist"
ln -sf "$OPT/tagassist-cli" "$BIN/tagassist-cli"
cp "$HERE/tagassist.png" "$PREFIX/icons/hicolor/512x512/apps/tagassist.png"
sed "s|^Exec=tagassist|Exec=$OPT/tagassist|" "$HERE/tagassist.desktop" > "$PREFIX/applications/tagassist.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database "$PREFIX/applications" || true
echo "tagassist installed in $OPT; start it from the menu or with: $BIN/tagassist"
