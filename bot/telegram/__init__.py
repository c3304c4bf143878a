"""The Telegram front end, a thin adapter over the answering core.

``app`` builds and runs the python-telegram-bot Application, ``handlers`` turn updates
into questions, ``formatting`` renders replies as escaped HTML under Telegram's limits,
``state`` keeps bounded per-chat state in memory, ``redaction`` keeps the token out of logs.
"""
