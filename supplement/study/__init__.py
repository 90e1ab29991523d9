"""The typed source model (``model``), the source writer (``emit``) and in-place editing (``edit``)."""
