"""Validate request/response pairs against the vendors' published specs (/work/shared/specs).

Marketo publishes Swagger 2.0 and Gong OpenAPI 3.0.1; both put JSON-Schema (draft 4 flavour)
under a `$ref` tree, so one small wrapper handles both: find the operation for the request's
path and method, check required query parameters and the JSON body, then the response body
against the schema declared for its status code.
"""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPECS = Path("/work/shared/specs")
GONG_SPEC = SPECS / "gong-v2.openapi.json"
MARKETO_SPEC = SPECS / "marketo-leaddb.swagger.json"
HUBSPOT_CONTACTS_SPEC = SPECS / "hubspot-crm-contacts-v3.openapi.json"
HUBSPOT_PIPELINES_SPEC = SPECS / "hubspot-crm-pipelines-v3.openapi.json"


@cache
def _load(path: Path) -> tuple[dict[str, Any], Registry]:
    spec = json.loads(path.read_text("utf-8"))
    spec = _java_object_is_any(spec)
    registry = Registry().with_resource("urn:spec", Resource.from_contents(spec, DRAFT4))
    return spec, registry


def _operation(spec: dict[str, Any], path: str, method: str) -> tuple[str, dict[str, Any]]:
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"{method} {path} is not in the spec")


def _rebase(schema: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(schema).replace('"#/', '"urn:spec#/')
    return json.loads(text)


def _java_object_is_any(node: Any) -> Any:
    """Both specs were generated from Java: a bare `{"type": "object"}` (e.g.
    Attribute.value, documented as a string or number) is Java's Object, i.e. any JSON value."""
    if isinstance(node, dict):
        bare = node.get("type") == "object" and not (
            {"properties", "additionalProperties", "$ref", "allOf"} & set(node)
        )
        return {k: _java_object_is_any(v) for k, v in node.items() if not (bare and k == "type")}
    if isinstance(node, list):
        return [_java_object_is_any(item) for item in node]
    return node


def _errors(schema: dict[str, Any], registry: Registry, instance: Any) -> list[str]:
    validator = Draft4Validator(_rebase(schema), registry=registry)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def validate_exchange(spec_path: Path, response: requests.Response) -> None:
    """Raise AssertionError listing every way the exchange departs from the spec."""
    spec, registry = _load(spec_path)
    request = response.request
    parts = urlsplit(request.url or "")
    template, operation = _operation(spec, parts.path, request.method or "GET")
    query = parse_qs(parts.query)
    problems: list[str] = []
    for parameter in operation.get("parameters", []):
        required = parameter.get("in") == "query" and parameter.get("required")
        if required and parameter["name"] not in query:
            problems.append(f"request lacks required query parameter {parameter['name']}")
    body_schema = None
    if "requestBody" in operation:  # OpenAPI 3
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    for parameter in operation.get("parameters", []):  # Swagger 2
        if parameter.get("in") == "body":
            body_schema = parameter["schema"]
    if body_schema is not None and request.body:
        problems += [
            f"request {p}" for p in _errors(body_schema, registry, json.loads(request.body))
        ]
    declared = operation["responses"].get(str(response.status_code)) or operation["responses"].get(
        "default"
    )
    if declared is None:
        problems.append(f"status {response.status_code} is not declared for {template}")
    else:
        schema = declared.get("schema")  # Swagger 2
        if schema is None and "content" in declared:  # OpenAPI 3
            content = declared["content"]
            schema = (content.get("application/json") or next(iter(content.values()))).get("schema")
        if schema is not None:
            problems += [f"response {p}" for p in _errors(schema, registry, response.json())]
    assert not problems, f"{request.method} {template}:\n" + "\n".join(problems[:20])
