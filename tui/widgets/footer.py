"""The footer: Textual's, made to fit 80 columns.  Below 140 columns the keys
of a binding group (the views ``p d s l``) share one label; below 100 it is
also compact, the command-palette key (listed in ``?``) gives its room to
the screen's own keys, and so do the keys a screen lists in ``FOOTER_WIDE_ONLY``
(ids of bindings another key also reaches).  From 140 columns every key has its own description."""
from __future__ import annotations

from collections import defaultdict
from itertools import groupby

from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

NARROW = 100
GROUPED = 140


class KeyFooter(Footer):
    _grouped = False
    def on_mount(self) -> None:
        super().on_mount()
        self._fit(self.app.size.width)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(self.app.size.width)

    def _fit(self, width: int) -> None:
        narrow, grouped = width < NARROW, width < GROUPED
        if self.compact != narrow or self.show_command_palette == narrow or self._grouped != grouped:
            self.compact = narrow
            self.show_command_palette = not narrow
            self._grouped = grouped
            self.call_after_refresh(self.recompose)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        active = self.screen.active_bindings
        by_action: defaultdict[str, list] = defaultdict(list)
        hidden = getattr(self.screen, "FOOTER_WIDE_ONLY", set()) if self.compact else set()
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.id not in hidden:
                by_action[binding.action].append((binding, enabled, tooltip))
        grouped = self.app.size.width < GROUPED
        for group, runs in groupby(by_action.values(), lambda run: run[0][0].group if grouped else None):
            runs = list(runs)
            if group is not None and len(runs) > 1:
                with KeyGroup(classes="-compact" if group.compact else ""):
                    for binding, enabled, tooltip in (run[0] for run in runs):
                        yield FooterKey(binding.key, self.app.get_key_display(binding), "", binding.action,
                                        disabled=not enabled, tooltip=tooltip or binding.description,
                                        classes="-grouped").data_bind(compact=Footer.compact)
                yield FooterLabel(group.description)
                continue
            for binding, enabled, tooltip in (run[0] for run in runs):
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                                classes="-command-palette", disabled=not enabled,
                                tooltip=binding.tooltip or binding.description)
