"""Benchmark formats: writers and readers, and `export_set` / `import_set` over stored sets."""

from toolkit.curation.formats.records import BenchRecord, category, split_category
from toolkit.curation.formats.setio import FORMATS, ExportReport, ImportReport, export_set, import_set, read_records

__all__ = ["FORMATS", "BenchRecord", "ExportReport", "ImportReport", "category", "export_set", "import_set",
           "read_records", "split_category"]
