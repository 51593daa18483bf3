"""The tool library: built-in tools (images/tools/tools.yaml) plus any a card defines."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from routinecard.errors import InputError
from routinecard.loader import load_yaml_file, require_mapping
from routinecard.resources import data_dir


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    icon: Path
    names: tuple[tuple[str, str], ...] = ()  # (language, name) pairs

    def name_in(self, language: str) -> str:
        """The tool's name in a language, else its default name."""
        return dict(self.names).get(language, self.name)


@cache
def builtin_tools() -> dict[str, Tool]:
    """The built-in tools, read once per process."""
    path = data_dir("images") / "tools" / "tools.yaml"
    doc = load_yaml_file(path)
    tools: dict[str, Tool] = {}
    for tool_id, entry in require_mapping(doc, "tool library").items():
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("icon"), str):
            raise InputError(doc.problem((tool_id,), "each tool needs a name and an icon"))
        names = entry.get("names") or {}
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise InputError(doc.problem((tool_id, "names"), "names must map language codes to names"))
        tools[tool_id] = Tool(tool_id, entry["name"], path.parent / entry["icon"], tuple(sorted(names.items())))
    return tools
