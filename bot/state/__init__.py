"""State a front end keeps between questions, behind small protocols.

Each protocol in :mod:`bot.state.protocols` has an in-memory implementation
(:mod:`bot.state.memory`, the embedded default: one process, nothing written anywhere)
and a Redis one (:mod:`bot.state.redis_store`, shared by several workers). Which one runs
is decided in one place, :func:`bot.startup.open_state`.
"""
