"""Writing the books out in formats other systems read: :mod:`kontobok.exporters.saft` (SAF-T Financial 1.30).

An exporter reads through the store and writes a stream; like the importers it sits outside the core, which
never imports it.
"""
