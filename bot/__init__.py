"""article-bot: answers questions about an article and its reader comments, with citations.

The package is split in layers; only the adapters (``bot.cli``, ``bot.console``,
``bot.telegram``) talk to users, and only they turn errors into user-facing text.

- ``corpus``      reads and parses documents (no ML, no I/O beyond reading files)
- ``embeddings``  chunks parts into passages, embeds them, builds and searches indexes
- ``bot``         settings, the one answering core, and the front ends
"""

__version__ = "0.1.0"
