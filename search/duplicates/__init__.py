"""Duplicate detection (重复采集, Art. 28): data elements, readings, the scan, its findings and export."""
