"""Curation: from candidates to a published benchmark set. Review sessions and their terminal UI,
annotations and agreement, decisions, curated sets, their file formats and export. Imports evaluation,
generation, text and store."""
