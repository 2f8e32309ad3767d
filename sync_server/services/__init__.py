"""The server's application layer: the only callers of ``store/``.

``api/`` and ``cli/`` (and the console) call these; these call ``domain/`` and ``store/``.
"""
