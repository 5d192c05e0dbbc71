"""The catalog domain: units, systems, resources and items (models, the one writer `store`, actions,
the CKAN actions, dictize, lookup, pickers and pages)."""
