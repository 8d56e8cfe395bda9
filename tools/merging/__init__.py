"""Merging tools."""
