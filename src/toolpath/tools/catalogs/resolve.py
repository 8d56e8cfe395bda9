"""Turn a catalogue reference from the command line into a `Catalog`."""

from __future__ import annotations

from pathlib import Path

from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.catalogs.taskbench import load_taskbench_catalog

LIBRARY = "library"


def load_catalog(ref: str = LIBRARY, data_dir: str | Path | None = None) -> Catalog:
    """`library` (the built-in tools), `taskbench:<domain>`, a JSON file of functions, or
    MCP servers: `mcp:<command>`, `mcp+http://host:port/path`, or an `mcpServers` JSON file."""
    if ref == LIBRARY:
        from toolpath.tools.library import library_registry

        return Catalog.from_registry(library_registry(), LIBRARY)
    if ref.startswith("taskbench:"):
        return load_taskbench_catalog(ref.split(":", 1)[1], data_dir)
    path = Path(ref)
    from toolpath.tools.catalogs import mcp

    if mcp.is_mcp_ref(ref) or mcp.is_servers_file(path):
        return mcp.load_mcp_catalog(ref)
    if path.suffix == ".json":
        from toolpath.tools.catalogs.openai_functions import load_function_catalog

        return load_function_catalog(path)
    raise ValueError(
        f"unknown catalogue {ref!r}: use 'library', 'taskbench:<domain>', a .json file "
        "of OpenAI-style function specs, 'mcp:<command>', 'mcp+http://...' or an mcpServers "
        ".json file"
    )
