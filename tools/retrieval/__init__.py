"""Retrieval tools."""
