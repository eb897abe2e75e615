"""Decisions and evidence: the aligner's relations, alignment results, phrases, evaluation and calibration."""
