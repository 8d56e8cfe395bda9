"""Foreign tool sets imported as catalogues of `ToolSpec`s."""

from toolpath.tools.catalogs.catalog import Catalog, CatalogLink

__all__ = ["Catalog", "CatalogLink"]
