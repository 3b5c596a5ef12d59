#!/usr/bin/env python3
"""Validates manifests against tokenbatch's JSON Schema with the `jsonschema` package.

Usage: schema_check.py SCHEMA MANIFEST...
Prints one JSON object per manifest: {"file": ..., "valid": bool, "errors": [...]}.

Manifests are read as a YAML 1.2 editor reads them (the core schema): `no`, `on` and
`1:30` stay strings, `0600` is the integer 600. PyYAML speaks YAML 1.1, so its implicit
typing is replaced here by the 1.2 core rules.
"""
import json
import re
import sys

import jsonschema
import yaml


class Core12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core schema typing instead of YAML 1.1's."""


Core12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", list("-+.0123456789")),
]:
    Core12Loader.add_implicit_resolver(tag, re.compile(pattern), first)


def construct_int(loader, node):
    return int(loader.construct_scalar(node), 10)


Core12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)


def main() -> None:
    with open(sys.argv[1]) as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sys.argv[2:]:
        try:
            with open(path, encoding="utf-8") as handle:
                document = yaml.load(handle, Loader=Core12Loader)
            errors = [error.message for error in validator.iter_errors(document)]
        except Exception as error:  # a manifest YAML itself refuses is not valid either
            errors = [f"not loadable: {error}"]
        print(json.dumps({"file": path, "valid": not errors, "errors": errors}))


if __name__ == "__main__":
    main()
