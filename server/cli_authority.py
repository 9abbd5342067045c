"""`guichet authority …`: what the authority's operators run (agents' accounts)."""

from __future__ import annotations

import click


@click.group()
def authority() -> None:
    """The authority's agents."""
