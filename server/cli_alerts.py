"""`guichet alerts …`: the company space's alerts (renewal windows, e-mail digests)."""

from __future__ import annotations

import click


@click.group()
def alerts() -> None:
    """Alerts about employees' titles."""
