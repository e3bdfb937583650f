"""What a node and the national monitor share, and nothing else: the national dossier format
(DongBoHoSoMC: build, parse, validate), the one definition of a dossier's Decision 766 values, the
indicator sets and their scoring, digests and request signatures.

Model-free: both sides import it; it imports neither side (only `common` and the pure `workdays`
engine). A node and the monitor run as separate systems in production.
"""
