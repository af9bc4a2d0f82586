#!/usr/bin/env python3
"""Puts a benchmark script's section into docs/benchmarks.md, between its markers.

    bench/splice-section.py NAME SECTION_FILE DOC [AFTER]

SECTION_FILE holds the section with its markers <!-- NAME:start --> and <!-- NAME:end -->. If DOC
already has them, what is between is replaced; otherwise the section goes after the marker
<!-- AFTER:end --> when given and present, else before '## Notes', else at the end.
"""
import re
import sys


def splice(name, section, doc, after=None):
    pattern = re.compile(r"<!-- %s:start -->.*?<!-- %s:end -->" % (re.escape(name), re.escape(name)), re.S)
    if pattern.search(doc):
        return pattern.sub(lambda m: section, doc)
    anchor = "<!-- %s:end -->\n" % after if after else None
    if anchor and anchor in doc:
        return doc.replace(anchor, anchor + "\n" + section + "\n", 1)
    marker = "\n## Notes\n"
    if marker in doc:
        return doc.replace(marker, "\n" + section + "\n" + marker, 1)
    return doc + "\n" + section + "\n"


def main(args):
    if len(args) not in (3, 4):
        sys.exit("usage: splice-section.py NAME SECTION_FILE DOC [AFTER]")
    name, section_file, doc_file = args[:3]
    section = open(section_file).read().rstrip("\n")
    if "<!-- %s:start -->" % name not in section:
        sys.exit("%s has no <!-- %s:start --> marker" % (section_file, name))
    doc = open(doc_file).read()
    open(doc_file, "w").write(splice(name, section, doc, args[3] if len(args) == 4 else None))


if __name__ == "__main__":
    main(sys.argv[1:])
