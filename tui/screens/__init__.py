"""Screens of the terminal UI (Textual)."""
