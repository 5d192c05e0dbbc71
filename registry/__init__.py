"""The catalog registry: information systems, their resource catalogs, sharing and funding checks."""
__version__ = "0.1.0"


def create_app(*args, **kwargs):
    from registry.app import create_app as factory
    return factory(*args, **kwargs)
