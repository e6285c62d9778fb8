"""An OpenAPI 3.1 document (what FastAPI writes) said in OpenAPI 3.0.

OGC API - Features declares its API definition as OpenAPI 3.0 (the ``oas30``
conformance class, ``service-desc`` of type ``application/vnd.oai.openapi+json;
version=3.0``), and some clients follow the link only with that type. The schemas
pydantic writes use JSON Schema 2020-12; the few constructs 3.0 lacks are rewritten:
``null`` in ``anyOf``/``type`` becomes ``nullable``, ``const`` an one-value ``enum``,
``prefixItems`` (tuples) ``items``, numeric ``exclusiveMinimum``/``exclusiveMaximum``
the boolean form, a list of ``examples`` one ``example``.
"""

from __future__ import annotations

from typing import Any


def to_openapi30(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with every schema in OpenAPI 3.0 terms (a new dict)."""
    out = _walk(doc)
    out["openapi"] = "3.0.3"
    return out


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(v) for v in node]
    if not isinstance(node, dict):
        return node
    d = {k: _walk(v) for k, v in node.items()}
    for key in ("anyOf", "oneOf"):
        options = d.get(key)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            d.pop(key)
            d["nullable"] = True
            if len(rest) == 1 and "$ref" not in rest[0]:
                d = {**rest[0], **d}
            elif len(rest) == 1:
                d["allOf"] = rest
            else:
                d[key] = rest
    t = d.get("type")
    if isinstance(t, list):
        kinds = [x for x in t if x != "null"]
        if len(kinds) < len(t):
            d["nullable"] = True
        if len(kinds) == 1:
            d["type"] = kinds[0]
        else:
            d.pop("type")
            d["anyOf"] = [{"type": x} for x in kinds]
    if "const" in d:
        d["enum"] = [d.pop("const")]
    if isinstance(d.get("prefixItems"), list):
        items = d.pop("prefixItems")
        d["items"] = items[0] if all(i == items[0] for i in items) else {"anyOf": items}
    for bound, plain in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        v = d.get(bound)
        if isinstance(v, int | float) and not isinstance(v, bool):
            d[plain] = v
            d[bound] = True
    if isinstance(d.get("examples"), list) and "schema" not in d and "content" not in d:
        examples = d.pop("examples")
        if examples:
            d["example"] = examples[0]
    return d
