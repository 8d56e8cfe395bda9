"""What the server allows: where it binds, who may call it, and how much one call may ask."""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, Field

LOOPBACK_NAMES = {"localhost"}
API_KEY_ENV = "TOOLPATH_API_KEY"  # the key that servers off loopback require


class ServeSettings(BaseModel):
    """Limits and security of one server (flags and env TOOLPATH_API_KEY fill it)."""

    host: str = "127.0.0.1"
    port: int = 8000
    api_key: str | None = Field(None, repr=False)
    max_body_bytes: int = 1_000_000
    max_messages: int = 64
    max_input_chars: int = 32_000
    max_active_runs: int = 4
    cors_origins: list[str] = Field(default_factory=list)

    def check(self) -> None:
        """Refuse to bind a non-loopback address without an API key."""
        if not is_loopback(self.host) and not self.api_key:
            raise ValueError(
                f"binding {self.host!r} (not loopback) needs an API key: set {API_KEY_ENV}"
            )


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
