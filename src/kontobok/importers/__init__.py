"""Importers: bytes in, core objects and a list of problems out."""
