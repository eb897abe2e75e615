"""Widgets of the terminal UI (Textual)."""
