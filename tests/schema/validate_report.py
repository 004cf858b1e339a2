#!/usr/bin/env python3
"""Validates tlsprobe reports against schema/tlsprobe-report.schema.json (JSON Schema 2020-12).

Usage: validate_report.py SCHEMA [--jsonl] LABEL=FILE...
Prints one TAP-style line per file (`ok - LABEL: ...` / `not ok - LABEL: ...`), as tests/lib.sh does.
With --jsonl each FILE is a JSONL report: the run line is checked against the document's top-level
members, each endpoint line against the endpoint definition, the summary line against the summary.
Exit status 0 only if every file validated."""
import json
import sys

import jsonschema


def sub_schema(schema, pointer):
    """A schema that is schema's definition at pointer, with the same $defs (refs stay valid)."""
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": pointer}


def first_errors(validator, instance, n=3):
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return ["/".join(str(p) for p in e.absolute_path) + ": " + e.message[:200] for e in errors[:n]]


def check_document(schema, text):
    validator = jsonschema.Draft202012Validator(schema)
    return first_errors(validator, json.loads(text))


def check_jsonl(schema, text):
    top = schema["properties"]
    head_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "type": "object",
                   "required": ["type", "schema", "schema_version", "tool", "started_at"],
                   "properties": {"type": {"const": "run"}, "schema": top["schema"],
                                  "schema_version": top["schema_version"], "tool": top["tool"],
                                  "started_at": top["started_at"]}}
    summary_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                      "allOf": [top["summary"], {"required": ["type", "finished_at"],
                                                 "properties": {"type": {"const": "summary"},
                                                                "finished_at": top["finished_at"]}}]}
    endpoint_schema = {"$schema": schema["$schema"], "$defs": schema["$defs"],
                       "allOf": [{"$ref": "#/$defs/endpoint"},
                                 {"required": ["type"], "properties": {"type": {"const": "endpoint"}}}]}
    validators = {k: jsonschema.Draft202012Validator(s) for k, s in
                  (("run", head_schema), ("endpoint", endpoint_schema), ("summary", summary_schema))}
    if not text.endswith("\n"):
        return ["last line is not newline-terminated"]
    lines = text.split("\n")[:-1]
    if len(lines) < 2:
        return ["fewer than 2 lines"]
    errors = []
    for i, line in enumerate(lines):
        kind = "run" if i == 0 else "summary" if i == len(lines) - 1 else "endpoint"
        try:
            obj = json.loads(line)
        except ValueError as e:
            errors.append("line %d: not JSON: %s" % (i + 1, e))
            continue
        errors += ["line %d (%s): %s" % (i + 1, kind, e) for e in first_errors(validators[kind], obj)]
    return errors[:3]


def main(argv):
    schema_path, args = argv[1], argv[2:]
    jsonl = "--jsonl" in args
    args = [a for a in args if a != "--jsonl"]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    failed = 0
    for arg in args:
        label, _, path = arg.partition("=")
        what = "JSONL lines validate" if jsonl else "report validates"
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            errors = check_jsonl(schema, text) if jsonl else check_document(schema, text)
        except (OSError, ValueError) as e:
            errors = [str(e)]
        if errors:
            failed += 1
            print("not ok - %s: %s against the schema: %s" % (label, what, "; ".join(errors).replace("\n", " ")))
        else:
            print("ok - %s: %s against the schema" % (label, what))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
