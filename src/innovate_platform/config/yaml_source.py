"""Read platform.yaml strictly: UTF-8 text, no duplicate keys, no aliases.

Each refusal is one line naming the file, the line and the fix. The composed node tree is kept
so that later errors can name the line of any field.
"""

from __future__ import annotations

import yaml


class SourceError(Exception):
    """The file cannot be read as the platform's YAML; the message is one line without the file name."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def decode(raw: bytes) -> str:
    """The file's text, refusing anything that is not UTF-8 text (with the byte's line)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(raw) > 1 and (raw[0] == 0 or raw[1] == 0)):
        raise SourceError("the file is UTF-16 (a Windows editor's 'Unicode'); save it as UTF-8")
    if b"\x00" in raw:
        raise SourceError("the file is binary, not YAML text; point --config at platform.yaml",
                          raw[: raw.index(b"\x00")].count(b"\n") + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex()
        raise SourceError(f"byte 0x{byte} is not UTF-8 (a Latin-1 or Windows-1252 character?); "
                          "save the file as UTF-8", line) from None
    return text.removeprefix("\ufeff")


# The C composer when PyYAML has it (ten times faster); the checks below work on either.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _refuse_duplicates(node: yaml.Node | None, path: tuple = (), seen_nodes: set[int] | None = None) -> None:
    """Refuse a key written twice in one mapping (YAML would silently keep the last), naming its field,
    and any alias (a node reached twice), which would expand an anchored value."""
    seen_nodes = set() if seen_nodes is None else seen_nodes
    if node is not None and id(node) in seen_nodes:
        raise SourceError(f"{_field(path[:-1], path[-1]) if path else '(top level)'}: an alias (*name) repeats the "
                          f"value anchored at line {node.start_mark.line + 1}; platform.yaml does not expand anchors "
                          "and aliases: write the values out")
    if node is not None:
        seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SourceError(f"{_field(path, '<<')}: merge key '<<' copies another mapping; write the keys out", line)
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise SourceError(f"{_field(path, key)}: duplicate key (first at line {seen[key]}); YAML would keep "
                                  "only the last value: remove one", line)
            if key is not None:
                seen[key] = line
            _refuse_duplicates(value, (*path, key), seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _refuse_duplicates(item, (*path, i), seen_nodes)


def _field(path: tuple, key: object) -> str:
    return ".".join(str(p) for p in (*path, key))


def load(text: str) -> tuple[object, yaml.Node | None]:
    """(data, root node) of YAML text; SourceError or yaml.YAMLError on bad input."""
    root = yaml.compose(text, Loader=_COMPOSER)
    if root is None:
        return None, None
    _refuse_duplicates(root)
    constructor = yaml.SafeLoader("")
    try:
        return constructor.construct_document(root), root
    finally:
        constructor.dispose()
