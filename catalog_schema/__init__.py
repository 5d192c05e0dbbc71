"""Schemas and vocabularies of the information-resource catalog (Attachment 2)."""
