#!/usr/bin/env python3
"""Every relative link in README.md and docs/*.md points at a file that exists, and every
#anchor at a heading of the page it names (GitHub's heading slugs), so moving a section
between pages cannot leave a dead link behind. Links inside code are not links.

    scripts/check-doc-links.py [ROOT] [PATH_NOT_YET_WRITTEN ...]

ROOT defaults to the repository this script is in. Each further path (relative to ROOT,
such as docs/own-server.md) may be linked before it exists. Exits 1 listing every broken
link, 0 when there is none.
"""
import glob
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
expected_later = set(sys.argv[2:])
if not os.path.isfile(os.path.join(root, "README.md")):
    sys.exit(f"error: no README.md in {root!r}: give the repository's root as the first argument")
pages = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))


def prose(path, keep_code=False):
    """The page's lines outside fenced blocks, inline code removed (or only its backticks)."""
    lines, fence = [], False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        elif not fence:
            lines.append(line.replace("`", "") if keep_code else re.sub(r"`[^`]*`", "", line))
    return lines


def anchors(path):
    """The anchors GitHub gives the page's headings (a repeated heading gets -1, -2, ...)."""
    seen, out = {}, set()
    for line in prose(path, keep_code=True):
        m = re.match(r"^#{1,6} (.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            out.add(slug if n == 0 else f"{slug}-{n}")
    return out


broken = 0
for page in pages:
    for target in re.findall(r"\]\(([^)\s]+)\)", "".join(prose(page))):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        if not os.path.exists(dest):
            if os.path.relpath(dest, root) not in expected_later:
                print(f"{os.path.relpath(page, root)}: {target}: no such file")
                broken += 1
        elif anchor and dest.endswith(".md") and anchor not in anchors(dest):
            print(f"{os.path.relpath(page, root)}: {target}: no heading makes #{anchor}")
            broken += 1
sys.exit(1 if broken else 0)
