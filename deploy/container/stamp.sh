#!/bin/sh
# stamp.sh DIR [EXCLUDE...] - print the source stamp of the tree DIR: the
# sha256 of the names and contents of the files that make what the
# packages run: the tree but .git, what no package runs (tests, bench,
# tools, .ci), the prose (docs/ and *.md: the man pages and documents a
# package carries change no behaviour) and the EXCLUDE folders (relative
# to DIR: build outputs). make deb stamps the copy of the tree it packs
# (BUILD/deb/source-stamp), make image labels the image with that stamp
# (org.hauler.source), and make check-image rebuilds an image whose label
# is not the stamp of the tree it tests: an image of another tree runs
# another hauler than the one the test was written for. Committed or not,
# any change of such a file gives a new stamp.
set -euf # -f: the patterns go to find unexpanded
cd "${1:?usage: stamp.sh DIR [EXCLUDE...]}"
shift
prune="-path ./.git -o -path ./tests -o -path ./bench -o -path ./tools -o -path ./.ci -o -path ./docs -o -name *.md"
for d in "$@"; do
	prune="$prune -o -path ./${d#./}"
done
# shellcheck disable=SC2086 # the prune expression, split
find . \( $prune \) -prune -o -type f -print0 | LC_ALL=C sort -z |
	xargs -0 -r sha256sum | sha256sum | cut -d' ' -f1
