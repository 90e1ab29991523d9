"""supplement: journal-formatted supplementary appendices from one YAML source."""

__version__ = "0.1.0"
