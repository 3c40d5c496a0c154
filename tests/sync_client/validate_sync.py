#!/usr/bin/env python3
"""Validates sync documents against docs/sync/cadastre-sync.schema.json.

usage: validate_sync.py SCHEMA [--file F]... [--markdown M]... [--exec BIN ARG...]

--file: a JSON document. --markdown: every ```json block of the file that is
a sync document (has "formatVersion"). --exec (last): runs the program and
validates what it prints. Works with Debian 12's python3-jsonschema (4.10)
and newer ones. Exits 77 (skipped) without jsonschema.
"""
import argparse
import json
import re
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipped")
    sys.exit(77)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("--file", action="append", default=[])
    parser.add_argument("--markdown", action="append", default=[])
    parser.add_argument("--exec", nargs=argparse.REMAINDER, default=None)
    args = parser.parse_args()

    with open(args.schema, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    documents = []  # (where, document)
    for path in args.file:
        with open(path, encoding="utf-8") as f:
            documents.append((path, json.load(f)))
    for path in args.markdown:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for i, block in enumerate(re.findall(r"```json\n(.*?)```", text, re.S)):
            document = json.loads(block)
            if isinstance(document, dict) and "formatVersion" in document:
                documents.append((f"{path} json block {i + 1}", document))
    if args.exec:
        out = subprocess.run(args.exec, check=True, capture_output=True, text=True).stdout
        documents.append((" ".join(args.exec), json.loads(out)))
    if not documents:
        print("no documents to check")
        return 1

    failures = 0
    for where, document in documents:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
        for error in errors:
            print(f"{where}: /{'/'.join(map(str, error.path))}: {error.message}")
        failures += len(errors)
        if not errors:
            print(f"{where}: valid")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
