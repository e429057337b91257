"""Structural checks of ``datapackage.json``, made before any table is read.

:func:`structure_problems` checks that every node the validator and the book read
has the JSON type the Table Schema specification gives it (a ``constraints``
object, a foreign-key ``reference`` object, a numeric ``minimum`` ...), and that
the package uses only what this validator supports.  :func:`path_problems`
checks that every resource path stays inside the data directory.  Each problem
is a pair ``(json_path, message)``, where ``json_path`` names the offending node,
e.g. ``resources[2].schema.foreignKeys[0].reference``; a descriptor that passes
both can be walked without a type check.
"""
from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

#: Field types this validator understands (a subset of Table Schema).
SUPPORTED_TYPES = ("string", "integer", "number", "boolean")
#: Field constraints this validator understands.
SUPPORTED_CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength")
#: Field properties that change how a value is read; this validator reads values as the
#: Table Schema defaults say, so a descriptor that sets one is refused rather than misread.
UNSUPPORTED_FIELD_PROPERTIES = ("trueValues", "falseValues", "bareNumber", "decimalChar", "groupChar")
#: Optional string properties of the package and of a resource.
_PACKAGE_STRINGS = ("name", "title", "description", "version", "profile")
_RESOURCE_STRINGS = ("title", "description", "summaryLabel", "format", "mediatype", "encoding", "profile")

Issue = tuple[str, str]  # (json path, message)


def kind(x: Any) -> str:
    """The JSON type of *x*, with its article, for messages."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "a boolean"
    if isinstance(x, int):
        return "an integer"
    if isinstance(x, float):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, list):
        return "a list"
    if isinstance(x, dict):
        return "an object"
    return type(x).__name__


def _got(x: Any) -> str:
    if isinstance(x, (list, dict)) and not x:
        return f"got an empty {'list' if isinstance(x, list) else 'object'}"
    shown = repr(x)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"got {kind(x)}" + (f" ({shown})" if not isinstance(x, (dict, list)) else "")


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


# --------------------------------------------------------------------------- #
# Types of the descriptor's nodes
# --------------------------------------------------------------------------- #
def structure_problems(pkg: Any) -> list[Issue]:
    """Every node of *pkg* whose JSON type or value this validator cannot use."""
    out: list[Issue] = []
    if not isinstance(pkg, dict):
        return [("", f"expected a JSON object (a Data Package descriptor), {_got(pkg)}")]
    _strings(pkg, "", _PACKAGE_STRINGS, out)
    resources = pkg.get("resources")
    if "resources" not in pkg:
        out.append(("resources", "missing; expected a non-empty list of resources"))
        return out
    if not isinstance(resources, list) or not resources:
        out.append(("resources", f"expected a non-empty list of resources, {_got(resources)}"))
        return out
    for i, res in enumerate(resources):
        _resource(res, f"resources[{i}]", out)
    return out


def _strings(obj: dict, at: str, keys: tuple[str, ...], out: list[Issue]) -> None:
    for k in keys:
        if k in obj and not isinstance(obj[k], str):
            out.append((_join(at, k), f"expected a string, {_got(obj[k])}"))


def _join(at: str, key: str) -> str:
    return f"{at}.{key}" if at else key


def _required_name(obj: dict, at: str, key: str, what: str, out: list[Issue]) -> None:
    if key not in obj:
        out.append((_join(at, key), f"missing; expected {what}"))
    elif not isinstance(obj[key], str) or not obj[key].strip():
        out.append((_join(at, key), f"expected {what}, {_got(obj[key])}"))


def _name_list(x: Any, at: str, out: list[Issue]) -> None:
    """A Table Schema name list: one field name, or a non-empty list of them."""
    if isinstance(x, str) and x:
        return
    if isinstance(x, list) and x and all(isinstance(n, str) and n for n in x):
        return
    out.append((at, f"expected a field name or a non-empty list of field names, {_got(x)}"))


def _resource(res: Any, at: str, out: list[Issue]) -> None:
    if not isinstance(res, dict):
        out.append((at, f"expected an object with 'name', 'path' and 'schema', {_got(res)}"))
        return
    _required_name(res, at, "name", "a non-empty string (the table's name)", out)
    if "path" not in res:
        out.append((_join(at, "path"), "missing; expected the CSV file's path, relative to the data directory"))
    elif isinstance(res["path"], list):
        out.append((_join(at, "path"), "a list of paths (a multipart resource) is not supported; "
                                       "expected one CSV file's path, relative to the data directory"))
    elif not isinstance(res["path"], str) or not res["path"].strip():
        out.append((_join(at, "path"), f"expected the CSV file's path (a non-empty string), {_got(res['path'])}"))
    _strings(res, at, _RESOURCE_STRINGS, out)
    enc = res.get("encoding")
    if isinstance(enc, str) and enc.lower().replace("-", "") != "utf8":
        out.append((_join(at, "encoding"), f"encoding {enc!r} is not supported; expected 'utf-8'"))
    fmt = res.get("format")
    if isinstance(fmt, str) and fmt.lower() != "csv":
        out.append((_join(at, "format"), f"format {fmt!r} is not supported; expected 'csv'"))
    if "dialect" in res:
        out.append((_join(at, "dialect"), "a CSV dialect is not supported; the tables are read as RFC 4180 CSV "
                                          "(comma-separated, double quotes); remove 'dialect'"))
    if "schema" not in res:
        out.append((_join(at, "schema"), "missing; expected a Table Schema object with 'fields'"))
        return
    schema = res["schema"]
    if not isinstance(schema, dict):
        out.append((_join(at, "schema"), f"expected a Table Schema object with 'fields', {_got(schema)}"))
        return
    _schema(schema, _join(at, "schema"), out)


def _schema(schema: dict, at: str, out: list[Issue]) -> None:
    fields = schema.get("fields")
    if "fields" not in schema:
        out.append((_join(at, "fields"), "missing; expected a non-empty list of field objects"))
    elif not isinstance(fields, list) or not fields:
        out.append((_join(at, "fields"), f"expected a non-empty list of field objects, {_got(fields)}"))
    else:
        for j, f in enumerate(fields):
            _field(f, f"{at}.fields[{j}]", out)
    if "primaryKey" in schema:
        _name_list(schema["primaryKey"], _join(at, "primaryKey"), out)
    mv = schema.get("missingValues", [])
    if not isinstance(mv, list) or not all(isinstance(v, str) for v in mv):
        out.append((_join(at, "missingValues"), f"expected a list of strings, {_got(mv)}"))
    fks = schema.get("foreignKeys", [])
    if not isinstance(fks, list):
        out.append((_join(at, "foreignKeys"), f"expected a list of foreign-key objects, {_got(fks)}"))
        return
    for k, fk in enumerate(fks):
        _foreign_key(fk, f"{at}.foreignKeys[{k}]", out)


def _field(f: Any, at: str, out: list[Issue]) -> None:
    if not isinstance(f, dict):
        out.append((at, f"expected a field object with a 'name', {_got(f)}"))
        return
    _required_name(f, at, "name", "a non-empty string (the column name)", out)
    _strings(f, at, ("title", "description"), out)
    ftype = f.get("type", "string")
    if not isinstance(ftype, str) or ftype not in SUPPORTED_TYPES:
        shown = repr(ftype) if isinstance(ftype, str) else kind(ftype)
        out.append((_join(at, "type"), f"type {shown} is not supported; expected one of: {', '.join(SUPPORTED_TYPES)}"))
        ftype = None
    if "format" in f and f["format"] != "default":
        out.append((_join(at, "format"), f"format {f['format']!r} is not supported; expected 'default' or no format"))
    for prop in UNSUPPORTED_FIELD_PROPERTIES:
        if prop in f:
            out.append((_join(at, prop), f"'{prop}' is not supported (it changes how values are read); remove it"))
    if "constraints" in f:
        c = f["constraints"]
        if not isinstance(c, dict):
            out.append((_join(at, "constraints"), f"expected an object such as {{\"required\": true}}, {_got(c)}"))
        else:
            _constraints(c, _join(at, "constraints"), ftype, out)


def _constraints(c: dict, at: str, ftype: str | None, out: list[Issue]) -> None:
    for name, v in c.items():
        where = _join(at, name)
        if name not in SUPPORTED_CONSTRAINTS:
            out.append((where, f"constraint {name!r} is not supported; expected one of: {', '.join(SUPPORTED_CONSTRAINTS)}"))
        elif name in ("required", "unique"):
            if not isinstance(v, bool):
                out.append((where, f"expected true or false, {_got(v)}"))
        elif name == "enum":
            ok = isinstance(v, list) and v and all(isinstance(e, (str, int, float)) for e in v)
            if not ok:
                out.append((where, f"expected a non-empty list of values (strings or numbers), {_got(v)}"))
            else:
                texts = [str(e) for e in v]
                dup = sorted({t for t in texts if texts.count(t) > 1})
                if dup:
                    out.append((where, f"values listed twice: {', '.join(map(repr, dup))}; expected each value once"))
        elif name == "pattern":
            if not isinstance(v, str):
                out.append((where, f"expected a regular expression (a string), {_got(v)}"))
            else:
                try:
                    re.compile(v)
                except (re.error, RecursionError, OverflowError) as e:
                    out.append((where, f"invalid regular expression {v!r} ({e})"))
        elif name in ("minimum", "maximum"):
            if not _is_number(v):
                out.append((where, f"expected a number, {_got(v)}"))
            elif ftype not in (None, "integer", "number"):
                out.append((where, f"'{name}' applies to integer and number fields, not to a {ftype} field"))
        elif name in ("minLength", "maxLength"):
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                out.append((where, f"expected a non-negative integer, {_got(v)}"))
    for lo, hi in (("minimum", "maximum"), ("minLength", "maxLength")):
        a, b = c.get(lo), c.get(hi)
        if _is_number(a) and _is_number(b) and a > b:
            out.append((_join(at, lo), f"{lo} {a} is above {hi} {b}; no value could satisfy both"))


def _foreign_key(fk: Any, at: str, out: list[Issue]) -> None:
    if not isinstance(fk, dict):
        out.append((at, f"expected an object with 'fields' and 'reference', {_got(fk)}"))
        return
    if "fields" not in fk:
        out.append((_join(at, "fields"), "missing; expected a field name or a list of field names"))
    else:
        _name_list(fk["fields"], _join(at, "fields"), out)
    ref = fk.get("reference")
    where = _join(at, "reference")
    if "reference" not in fk:
        out.append((where, "missing; expected an object with 'resource' and 'fields'"))
    elif not isinstance(ref, dict):
        out.append((where, f"expected an object with 'resource' and 'fields', {_got(ref)}"))
    else:
        if "resource" in ref and not isinstance(ref["resource"], str):
            out.append((_join(where, "resource"), f"expected a resource name (a string; '' for this resource), {_got(ref['resource'])}"))
        if "fields" not in ref:
            out.append((_join(where, "fields"), "missing; expected a field name or a list of field names"))
        else:
            _name_list(ref["fields"], _join(where, "fields"), out)


# --------------------------------------------------------------------------- #
# Resource paths
# --------------------------------------------------------------------------- #
def path_problems(pkg: dict, data_dir: Path) -> list[Issue]:
    """Every resource path that is not a relative path inside *data_dir*.

    The Data Package specification forbids absolute paths and ``..``; a path that
    passes those rules but resolves outside the directory (through a symbolic link)
    is refused too.  Nothing is read: a refused file is never opened.
    """
    out: list[Issue] = []
    root = Path(data_dir).resolve()
    for i, res in enumerate(pkg.get("resources") or []):
        p = res.get("path") if isinstance(res, dict) else None
        if not isinstance(p, str) or not p.strip():
            continue  # reported by structure_problems
        at = f"resources[{i}].path"
        rule = "expected a path relative to the data directory, without '..' (Data Package specification)"
        if "://" in p:
            out.append((at, f"{p!r} is a URL; remote tables are not supported; {rule}"))
        elif PurePosixPath(p).is_absolute() or PureWindowsPath(p).is_absolute() or PureWindowsPath(p).drive:
            out.append((at, f"{p!r} is an absolute path; {rule}"))
        elif ".." in re.split(r"[\\/]", p):
            out.append((at, f"{p!r} leads outside the data directory; {rule}"))
        else:
            try:
                target = (root / p).resolve()
            except (OSError, RuntimeError, ValueError) as e:  # a symlink loop, a NUL byte
                out.append((at, f"{p!r} cannot be resolved ({e}); {rule}"))
                continue
            if not target.is_relative_to(root):
                out.append((at, f"{p!r} resolves to {target}, outside the data directory {root} "
                                f"(a symbolic link?); {rule}"))
    return out


# --------------------------------------------------------------------------- #
# Links between resources
# --------------------------------------------------------------------------- #
def as_list(x: Any) -> list:
    """A Table Schema name list (``primaryKey``, foreign-key ``fields``) as a list:
    the schema allows one name or a list of names."""
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def link_problems(pkg: dict) -> list[Issue]:
    """Names that do not resolve: a resource described twice, a field listed twice, a
    primary key or foreign key naming a field that does not exist, a reference to an
    unknown resource.  *pkg* must pass :func:`structure_problems`."""
    out: list[Issue] = []
    names: dict[str, int] = {}
    fields_of: dict[str, list[str]] = {}
    for i, res in enumerate(pkg["resources"]):
        at = f"resources[{i}]"
        if res["name"] in names:
            out.append((f"{at}.name", f"resource {res['name']!r} is described twice "
                                      f"(also resources[{names[res['name']]}]); expected each name once"))
        names.setdefault(res["name"], i)
        fnames = [f["name"] for f in res["schema"]["fields"]]
        fields_of.setdefault(res["name"], fnames)
        for j, n in enumerate(fnames):
            if n in fnames[:j]:
                out.append((f"{at}.schema.fields[{j}].name", f"field {n!r} is listed twice; expected each field once"))
        for k in as_list(res["schema"].get("primaryKey")):
            if k not in fnames:
                out.append((f"{at}.schema.primaryKey", f"{k!r} is not a field of resource {res['name']!r}; "
                                                        f"expected one of: {', '.join(fnames)}"))
    for i, res in enumerate(pkg["resources"]):
        fnames = [f["name"] for f in res["schema"]["fields"]]
        for k, fk in enumerate(res["schema"].get("foreignKeys") or []):
            at = f"resources[{i}].schema.foreignKeys[{k}]"
            src = as_list(fk["fields"])
            ref = fk["reference"]
            target = ref.get("resource") or res["name"]
            dst = as_list(ref["fields"])
            wrong = [s for s in src if s not in fnames]
            if wrong:
                out.append((f"{at}.fields", f"{', '.join(map(repr, wrong))} not a field of resource {res['name']!r}; "
                                            f"expected one of: {', '.join(fnames)}"))
            if target not in fields_of:
                out.append((f"{at}.reference.resource", f"unknown resource {target!r}; expected one of: "
                                                        f"{', '.join(fields_of)}"))
                continue
            tnames = fields_of[target]
            wrong = [d for d in dst if d not in tnames]
            if wrong:
                out.append((f"{at}.reference.fields", f"{', '.join(map(repr, wrong))} not a field of resource "
                                                      f"{target!r}; expected one of: {', '.join(tnames)}"))
            elif len(dst) != len(src):
                out.append((f"{at}.reference.fields", f"{len(dst)} field(s) referenced for {len(src)} field(s); "
                                                      "expected one referenced field per field"))
    return out
