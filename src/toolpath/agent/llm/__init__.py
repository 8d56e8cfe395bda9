"""LLM backends: the embedded llama.cpp model (default) and any OpenAI-compatible server."""

from toolpath.agent.llm.backends import embedded_model, get_backend, get_backends
from toolpath.agent.llm.embedded import EmbeddedChatModel, LLMError
from toolpath.agent.llm.gguf import MODEL_SHA256, ModelFileError, ensure_model
from toolpath.agent.llm.openai_backend import OpenAIChatModel
from toolpath.agent.llm.settings import LLMSettings

__all__ = [
    "MODEL_SHA256",
    "EmbeddedChatModel",
    "LLMError",
    "LLMSettings",
    "ModelFileError",
    "OpenAIChatModel",
    "embedded_model",
    "ensure_model",
    "get_backend",
    "get_backends",
]
