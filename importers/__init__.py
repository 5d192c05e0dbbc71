"""Excel and other imports and exports of the catalog and the declaration form."""
__all__ = []
