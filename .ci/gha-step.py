"""Prints the `run:` block of one step of a GitHub Actions workflow, as
written, so that .ci/run executes the documented commands themselves.

    python3 .ci/gha-step.py docs/github-actions.yml "SCIM conformance"
"""
import re
import sys

path, wanted = sys.argv[1], sys.argv[2]
lines = open(path).read().splitlines()
for i, line in enumerate(lines):
    if re.match(rf"^\s*- name: {re.escape(wanted)}\s*$", line):
        step_indent = len(line) - len(line.lstrip()) + 2
        for j in range(i + 1, len(lines)):
            here = lines[j]
            if here.strip() and len(here) - len(here.lstrip()) < step_indent:
                break
            if here.strip() == "run: |":
                block_indent = None
                for body in lines[j + 1:]:
                    if not body.strip():
                        print()
                        continue
                    indent = len(body) - len(body.lstrip())
                    if block_indent is None:
                        block_indent = indent
                    if indent < block_indent:
                        break
                    print(body[block_indent:])
                sys.exit(0)
        sys.exit(f"{path}: step {wanted!r} has no `run: |` block")
sys.exit(f"{path}: no step named {wanted!r}")
