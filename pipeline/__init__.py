"""planextract: turn published delivery plans into analysis-ready, traceable tables."""

__version__ = "0.1.0"
