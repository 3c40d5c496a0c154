#!/usr/bin/env python3
"""Validates the SDK's sample event against the OpenLineage JSON schemas.

usage: validate_openlineage.py PRINT_SAMPLE_EVENT_BINARY SPEC_DIR

The event is checked against RunEvent of OpenLineage.json (2-0-2), and each
facet the builder writes against its own facet schema. Schemas are resolved
from SPEC_DIR only (no network). Works with Debian 12's python3-jsonschema
(4.10, RefResolver) and with newer ones (the referencing registry). Exits 77
(skipped) without jsonschema.
"""
import json
import pathlib
import subprocess
import sys

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema is not installed: skipped")
    sys.exit(77)
try:
    from referencing import Registry, Resource
except ImportError:  # jsonschema < 4.18, as Debian 12 ships
    Registry = None


def main():
    binary, spec_dir = sys.argv[1], pathlib.Path(sys.argv[2])
    event = json.loads(subprocess.run([binary], check=True, capture_output=True, text=True).stdout)

    schemas = {}
    for path in spec_dir.glob("*.json"):
        schema = json.loads(path.read_text())
        schemas[path.stem] = schema
    if Registry is not None:
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        resolving = {"registry": registry}
    else:
        store = {s["$id"]: s for s in schemas.values()}
        resolving = {"resolver": jsonschema.RefResolver("", {}, store=store)}

    def check(instance, file, definition, where):
        schema = {"$ref": schemas[file]["$id"] + "#/$defs/" + definition}
        validator = jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.FormatChecker(), **resolving)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
        for error in errors:
            print(f"{where}/{'/'.join(map(str, error.path))}: {error.message}")
        return len(errors)

    failures = check(event, "OpenLineage", "RunEvent", "event")
    facet_schemas = {
        "schema": ("SchemaDatasetFacet", "SchemaDatasetFacet"),
        "columnLineage": ("ColumnLineageDatasetFacet", "ColumnLineageDatasetFacet"),
        "parent": ("ParentRunFacet", "ParentRunFacet"),
        "sql": ("SQLJobFacet", "SQLJobFacet"),
    }
    facets = []
    for kind in ("inputs", "outputs"):
        for i, dataset in enumerate(event.get(kind, [])):
            facets += [(f"{kind}[{i}].facets.{n}", n, f)
                       for n, f in dataset.get("facets", {}).items()]
    for part in ("run", "job"):
        facets += [(f"{part}.facets.{n}", n, f)
                   for n, f in event[part].get("facets", {}).items()]
    checked = 0
    for where, name, facet in facets:
        if name in facet_schemas:
            file, definition = facet_schemas[name]
            failures += check(facet, file, definition, where)
            checked += 1
    for name in ("schema", "columnLineage", "parent", "sql"):
        if not any(n == name for _, n, _ in facets):
            print(f"the sample event has no {name} facet")
            failures += 1
    print(f"{checked} facets checked, {failures} problems")
    sys.exit(0 if failures == 0 else 1)


if __name__ == "__main__":
    main()
