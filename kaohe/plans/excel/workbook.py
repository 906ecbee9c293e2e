"""The plan importers' view of an upload: ``kaohe.core.sheets``, which every importer shares."""

from kaohe.core.sheets import DEFAULT_MAX_BYTES, Grid, LoadResult, column_letter, load

__all__ = ["DEFAULT_MAX_BYTES", "Grid", "LoadResult", "column_letter", "load"]
