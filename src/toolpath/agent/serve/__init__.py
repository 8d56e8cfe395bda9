"""`toolpath serve`: an OpenAI-compatible API, the runs API and a web page, in one process.

FastAPI on uvicorn: typed request bodies (pydantic, as everywhere in toolpath), one
exception-handler place for OpenAI's error shape, and streaming responses for both
server-sent events and OpenAI chunks, without writing ASGI by hand.
"""

from toolpath.agent.serve.settings import ServeSettings

__all__ = ["ServeSettings"]
