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


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and duplicate keys instead of expanding or overwriting."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise SourceError(f"alias *{event.anchor} repeats an anchored value; platform.yaml does not expand "
                              "anchors and aliases: write the values out", event.start_mark.line + 1)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SourceError("merge key '<<' copies another mapping; write the keys out",
                                  key_node.start_mark.line + 1)
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise SourceError(f"duplicate key '{key}' (first at line {seen[key]}); YAML would keep only "
                                  "the last value: remove one", line)
            if isinstance(key, (str, int, float, bool)):
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load(text: str) -> tuple[object, yaml.Node | None]:
    """(data, root node) of YAML text; SourceError or yaml.YAMLError on bad input."""
    loader = _StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    finally:
        loader.dispose()
    return data, root
