"""Turning a request into a plan and a plan into a tool path."""
