"""Tools from MCP servers as a runnable catalogue (the `mcp` extra, mcp 2.x SDK).

References (wherever a catalogue is accepted):

- `mcp:<command and args>`: one server started over stdio (`mcp:python notes.py`;
  leading `NAME=value` words set its environment, as in a shell);
- `mcp+http://host:port/path` (or `mcp+https://...`): one server over streamable HTTP;
- a JSON file in the common `mcpServers` format, naming several servers::

    {"mcpServers": {
       "notes": {"command": "python", "args": ["notes.py"], "env": {"NOTES_DIR": "/tmp/n"},
                 "allow": ["read_note", "save_note"], "changes": ["save_note"],
                 "timeout": 30},
       "web": {"url": "http://127.0.0.1:9000/mcp", "headers": {"Authorization": "Bearer x"}}}}

Each server's tools become `ToolSpec`s: the tool's name (prefixed `server.` where two
servers offer the same name), description, input schema, and `outputSchema` when given.
`allow` keeps only the listed tools; `changes` marks tools that change things (also
those the server annotates destructive), which need approval in chat and serve. Every
call goes through the SDK's client session, on one event-loop thread per process, with a
timeout (the call is cancelled when it runs out); an error result, a crashed server, a
timeout or a malformed result raises, which the agent treats as the tool failing (a
server that died is started again for the next call). Outputs are never cached: the
state behind an MCP tool is not toolpath's.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import logging
import shlex
import tempfile
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import jsonschema
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from toolpath.tools.catalogs.catalog import Catalog
from toolpath.tools.spec import ToolArgumentError, ToolSpec

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 60.0
START_TIMEOUT = 30.0
_INVALID_PARAMS = -32602


class MCPCatalogError(ValueError):
    """An MCP reference or servers file that cannot be used (bad syntax, a server that
    does not start, colliding names)."""


class MCPToolError(RuntimeError):
    """An MCP tool call failed: an error result, a crash, a timeout or a malformed result."""


class MCPServerConfig(BaseModel):
    """One server: a command (stdio) or a URL (streamable HTTP), and what toolpath may use."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    allow: list[str] | None = Field(None, description="only these tools (default: all)")
    changes: list[str] = Field(default_factory=list, description="tools that change things")
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0, description="seconds per call")

    def model_post_init(self, __context: Any) -> None:
        if (self.command is None) == (self.url is None):
            raise ValueError(f"server {self.name!r}: give either 'command' or 'url'")

    def key(self) -> str:
        return self.model_dump_json()


# -- references ---------------------------------------------------------------------------
def is_mcp_ref(ref: str) -> bool:
    """Whether a catalogue reference names MCP servers (a servers file is checked apart)."""
    return ref.startswith(("mcp:", "mcp+http://", "mcp+https://"))


def is_servers_file(path: Path) -> bool:
    """A JSON file holding an `mcpServers` object."""
    if path.suffix != ".json" or not path.is_file():
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return False
    return isinstance(data, dict) and isinstance(data.get("mcpServers"), dict)


def parse_ref(ref: str) -> list[MCPServerConfig]:
    """The servers a reference names: `mcp:<command>`, `mcp+http(s)://...` or a file."""
    if ref.startswith("mcp:"):
        words = shlex.split(ref[4:])
        env = {}
        while words and "=" in words[0] and not words[0].startswith(("/", ".", "=")):
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        if not words:
            raise MCPCatalogError("mcp: needs a command, e.g. 'mcp:python server.py'")
        # named after the script or module it runs (`python -u notes.py` -> notes)
        files = [w for w in words[1:] if not w.startswith("-")]
        name = Path(files[0]).stem if files else Path(words[0]).name
        entry = {"command": words[0], "args": words[1:], "env": env}
        return [_config(_safe_name(name), entry)]
    if ref.startswith(("mcp+http://", "mcp+https://")):
        url = ref[4:]
        return [_config(_safe_name(url.split("//", 1)[1].split("/", 1)[0]), {"url": url})]
    return load_servers_file(Path(ref))


def load_servers_file(path: Path) -> list[MCPServerConfig]:
    """Servers from a JSON file in the `mcpServers` format."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MCPCatalogError(f"cannot read MCP servers file {str(path)!r}: {exc}") from exc
    servers = data.get("mcpServers") if isinstance(data, dict) else None
    if not isinstance(servers, dict) or not servers:
        raise MCPCatalogError(f"{path}: expected an object with a non-empty 'mcpServers'")
    return [_config(name, entry, str(path)) for name, entry in servers.items()]


def _config(name: str, entry: Any, source: str = "mcp") -> MCPServerConfig:
    if not isinstance(entry, dict):
        raise MCPCatalogError(f"{source}: server {name!r} must be an object")
    entry = {k: v for k, v in entry.items() if k not in ("type", "transport", "disabled")}
    try:
        return MCPServerConfig(name=name, **entry)
    except (ValidationError, ValueError) as exc:
        raise MCPCatalogError(f"{source}: server {name!r}: {_first_error(exc)}") from exc


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        return f"field '{'.'.join(map(str, error['loc']))}': {error['msg']}"
    return str(exc)


def _safe_name(text: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")
    return cleaned or "mcp"


# -- the event loop and the connections ---------------------------------------------------
class _Loop:
    """One asyncio loop on a daemon thread that every connection of the process shares."""

    _instance: _Loop | None = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="mcp-loop", daemon=True)
        self.thread.start()

    @classmethod
    def get(cls) -> _Loop:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def run(self, coro: Any, timeout: float) -> Any:
        """Run a coroutine on the loop and wait for it (a backstop `timeout` on top of the
        coroutine's own)."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except FutureTimeout:
            future.cancel()
            raise


class MCPConnection:
    """A live client session to one server, held open by a task on the shared loop."""

    def __init__(self, config: MCPServerConfig) -> None:
        self.config = config
        self.tools: list[Any] = []
        self._client: Any = None
        self._stop: asyncio.Event | None = None
        self._holder: asyncio.Task[None] | None = None
        self._broken = False
        self._lock = threading.Lock()
        # the server's stderr, quoted in errors; closed with the process
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")  # noqa: SIM115

    # connecting ---------------------------------------------------------------------------
    def start(self) -> list[Any]:
        """Connect (start the server) and list its tools; MCPCatalogError if it fails."""
        with self._lock:
            self._connect()
        return self.tools

    def _connect(self) -> None:
        try:
            _Loop.get().run(self._open(), START_TIMEOUT + 5)
        except Exception as exc:
            self._broken = True
            raise MCPCatalogError(
                f"MCP server {self.config.name!r} did not start: {_describe(exc)}{self._tail()}"
            ) from exc
        self._broken = False

    async def _open(self) -> None:
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._stop = asyncio.Event()
        self._holder = asyncio.create_task(self._hold(ready, self._stop))
        try:
            async with asyncio.timeout(START_TIMEOUT):
                await asyncio.shield(ready)
        except BaseException:
            self._stop.set()
            self._holder.cancel()
            raise

    async def _hold(self, ready: asyncio.Future[None], stop: asyncio.Event) -> None:
        from mcp import Client

        try:
            async with Client(self._transport(), mode="legacy") as client:
                listed = await client.list_tools()
                self.tools, self._client = list(listed.tools), client
                ready.set_result(None)
                await stop.wait()
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError(str(exc)))
            if not isinstance(exc, Exception):
                raise
        finally:
            self._client = None
            self._broken = True

    def _transport(self) -> Any:
        config = self.config
        if config.url is not None:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            http = httpx2.AsyncClient(headers=config.headers, timeout=config.timeout)
            return streamable_http_client(config.url, http_client=http)
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        params = StdioServerParameters(
            command=config.command or "", args=config.args, env=config.env, cwd=config.cwd
        )
        return stdio_client(params, errlog=self._stderr)

    def _tail(self, lines: int = 3) -> str:
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            text = self._stderr.read().strip().splitlines()[-lines:]
        except (OSError, ValueError):
            return ""
        return f" (server stderr: {' | '.join(text)[-300:]})" if text else ""

    # calling ------------------------------------------------------------------------------
    def call(self, tool: str, arguments: dict[str, Any]) -> Any:
        """Call a tool and return its value; raises MCPToolError (ToolArgumentError for
        arguments the server rejects as invalid parameters)."""
        with self._lock:
            if self._broken or self._client is None:
                log.info("MCP server %s is not connected; starting it again", self.config.name)
                self.close()
                self._connect()
        timeout = self.config.timeout
        where = f"MCP tool {self.config.name}.{tool}"
        try:
            result = _Loop.get().run(self._call(tool, arguments, timeout), timeout + 10)
        except (TimeoutError, FutureTimeout) as exc:
            raise MCPToolError(f"{where}: no answer within {timeout:g}s (cancelled)") from exc
        except Exception as exc:
            code = getattr(getattr(exc, "error", None), "code", None)
            if code == _INVALID_PARAMS:
                raise ToolArgumentError(f"{where}: {exc}") from exc
            if "Connection closed" in str(exc) or code == -32000:
                self._broken = True
                raise MCPToolError(
                    f"{where}: the server closed the connection mid-call{self._tail()}"
                ) from exc
            raise MCPToolError(f"{where}: {_describe(exc)}") from exc
        if result.is_error:
            raise MCPToolError(f"{where} returned an error: {_text_of(result)[:500]}")
        return result_value(result)

    async def _call(self, tool: str, arguments: dict[str, Any], timeout: float) -> Any:
        client = self._client
        if client is None:
            raise MCPToolError("not connected")
        async with asyncio.timeout(timeout):
            return await client.call_tool(tool, arguments, read_timeout_seconds=timeout)

    def close(self) -> None:
        """Stop the session (and a stdio server's process)."""
        stop, holder = self._stop, self._holder
        self._stop = self._holder = None
        if stop is None or holder is None:
            return

        async def finish() -> None:
            stop.set()
            try:
                async with asyncio.timeout(10):
                    await holder
            except BaseException:  # closing: a failure to close cleanly is only logged
                log.debug("MCP server %s did not close cleanly", self.config.name)
                holder.cancel()

        try:
            _Loop.get().run(finish(), 15)
        except Exception:
            log.debug("closing MCP server %s timed out", self.config.name)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ExceptionGroup) and exc.exceptions:
        return _describe(exc.exceptions[0])
    if isinstance(exc, ValidationError):
        return f"malformed result: {_first_error(exc)}"
    text = str(exc).strip().splitlines()
    if text and text[0].startswith("Invalid structured content"):
        return f"malformed result: {' '.join(text[:1])}"
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") or "" for block in result.content).strip()


def result_value(result: Any) -> Any:
    """A call result as JSON data: the structured content when given, else the text (its
    JSON when it parses), else a description of each non-text block."""
    if result.structured_content is not None:
        return result.structured_content
    texts = [block.text for block in result.content if getattr(block, "type", "") == "text"]
    if len(texts) == 1 and len(result.content) == 1:
        try:
            return json.loads(texts[0])
        except json.JSONDecodeError:
            return texts[0]
    return [
        block.text
        if getattr(block, "type", "") == "text"
        else {"type": block.type, "mime_type": getattr(block, "mime_type", None)}
        for block in result.content
    ]


_pool: dict[str, MCPConnection] = {}
_pool_lock = threading.Lock()


def connection(config: MCPServerConfig) -> MCPConnection:
    """The process's connection to a server (started on first use, then shared)."""
    with _pool_lock:
        found = _pool.get(config.key())
        if found is None:
            found = MCPConnection(config)
            found.start()
            _pool[config.key()] = found
        return found


def close_connections() -> None:
    """Close every connection (stops stdio servers); called at exit."""
    with _pool_lock:
        pooled = list(_pool.values())
        _pool.clear()
    for conn in pooled:
        conn.close()


atexit.register(close_connections)


# -- tools -> ToolSpecs --------------------------------------------------------------------
class MCPCall:
    """The `fn` of an MCP ToolSpec: validates arguments, then calls the server."""

    def __init__(self, conn: MCPConnection, tool: str, schema: dict[str, Any]) -> None:
        self.conn, self.tool, self.schema = conn, tool, schema
        self.__qualname__ = f"mcp:{conn.config.name}.{tool}"

    def __call__(self, **arguments: Any) -> Any:
        arguments = fit_arguments(arguments, self.schema)
        try:
            jsonschema.validate(arguments, self.schema)
        except jsonschema.ValidationError as exc:
            where = "/".join(map(str, exc.absolute_path)) or "(arguments)"
            raise ToolArgumentError(f"{self.__qualname__}: {where}: {exc.message}") from None
        except jsonschema.SchemaError:
            log.warning("%s publishes an invalid input schema; not checked", self.__qualname__)
        return self.conn.call(self.tool, arguments)


def fit_arguments(arguments: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Unambiguous conversions to the parameter types: a number or boolean where a string
    is wanted becomes its text, a numeric string where a number is wanted its number (a
    value that flowed from another tool often has the other type)."""
    properties = schema.get("properties", {})
    fitted = dict(arguments)
    for name, value in arguments.items():
        wanted = properties.get(name, {}).get("type")
        if wanted == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            fitted[name] = _number_text(value)
        elif wanted in ("number", "integer") and isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                continue
            if wanted == "number":
                fitted[name] = number
            elif number.is_integer():
                fitted[name] = int(number)
    return fitted


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _parameters(schema: Any) -> dict[str, Any]:
    schema = dict(schema) if isinstance(schema, dict) else {}
    schema.setdefault("type", "object")
    if not isinstance(schema.get("properties"), dict):
        schema["properties"] = {}
    return schema


def _flows(output_schema: dict[str, Any] | None) -> str | None:
    """The single field of a one-field output (what `<node-j>` then receives)."""
    fields = list((output_schema or {}).get("properties", {}))
    return fields[0] if len(fields) == 1 else None


def tool_spec(conn: MCPConnection, tool: Any, name: str) -> ToolSpec:
    """A ToolSpec for one listed MCP tool, called through `conn` under its own name."""
    config = conn.config
    output_schema = tool.output_schema if isinstance(tool.output_schema, dict) else None
    annotations = tool.annotations
    destructive = bool(annotations and annotations.destructive_hint)
    read_only = bool(annotations and annotations.read_only_hint)
    parameters = _parameters(tool.input_schema)
    return ToolSpec(
        name=name,
        doc=(tool.description or tool.title or tool.name).strip(),
        parameters=parameters,
        output_schema=output_schema,
        flows=_flows(output_schema),
        origin=f"mcp:{config.name}",
        changes=tool.name in config.changes or (destructive and not read_only),
        cacheable=False,
        fn=MCPCall(conn, tool.name, parameters),
    )


def specs_for(connections: list[MCPConnection]) -> list[ToolSpec]:
    """ToolSpecs of every allowed tool; a name two servers share gets `server.` prefixes."""
    listed = [
        (conn, tool)
        for conn in connections
        for tool in conn.tools
        if conn.config.allow is None or tool.name in conn.config.allow
    ]
    for conn in connections:
        missing = set(conn.config.allow or []) - {tool.name for tool in conn.tools}
        if missing:
            raise MCPCatalogError(
                f"MCP server {conn.config.name!r} has no tool(s) {sorted(missing)} named in 'allow'"
            )
    counts: dict[str, int] = {}
    for _, tool in listed:
        counts[tool.name] = counts.get(tool.name, 0) + 1
    specs: list[ToolSpec] = []
    seen: set[str] = set()
    for conn, tool in listed:
        name = tool.name if counts[tool.name] == 1 else f"{conn.config.name}.{tool.name}"
        if name in seen:
            raise MCPCatalogError(
                f"two MCP tools are both named {name!r} (servers must have distinct names)"
            )
        seen.add(name)
        specs.append(tool_spec(conn, tool, name))
    if not specs:
        raise MCPCatalogError("the MCP server(s) offer no tools")
    return specs


def load_mcp_catalog(ref: str) -> Catalog:
    """A runnable catalogue of the tools of the server(s) the reference names."""
    from toolpath.tools.extras import require

    require("mcp", "mcp")
    configs = parse_ref(ref)
    names = [config.name for config in configs]
    if len(set(names)) != len(names):
        raise MCPCatalogError(f"MCP servers with the same name: {names}")
    specs = specs_for([connection(config) for config in configs])
    return Catalog(
        name=ref if is_mcp_ref(ref) else f"mcp:{Path(ref).stem}",
        tools=specs,
        links=None,
        argument_style="named",
        typed_arguments=True,
    )
