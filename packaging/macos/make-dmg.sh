#!/usr/bin/env bash
# Wraps dist/tagassist.app (built by: pyinstaller --noconfirm --distpath dist packaging/tagassist.spec)
# in a compressed disk image with an /Applications link to drag it onto. macOS only (hdiutil).
# Signing and notarisation need the publisher's Apple identity:
#   codesign --deep --force --options runtime --sign "Developer ID Application: ..." dist/tagassist.app
#   xcrun notarytool submit dist/tagassist-*.dmg --keychain-profile ... --wait
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
APP="$ROOT/dist/tagassist.app"
[ -d "$APP" ] || { echo "make-dmg.sh: build $APP first" >&2; exit 1; }
VERSION="$(/usr/libexec/PlistBuddy -c 'Print CFBundleShortVersionString' "$APP/Contents/Info.plist")"
STAGE="$(mktemp -d)"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
OUT="$ROOT/dist/tagassist-$VERSION-macos-$(uname -m).dmg"
rm -f "$OUT"
hdiutil create -volname "tagassist $VERSION" -srcfolder "$STAGE" -fs HFS+ -format UDZO -ov "$OUT"
rm -rf "$STAGE"
echo "$OUT"
