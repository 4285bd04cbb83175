"""CSV downloads of the numbers behind a chart or table: the writer lives in brands/csv_export.py
(the bottom layer), so that every app's CSV (scoring's Jira export too) is neutralised alike."""

from brands.csv_export import csv_cell, csv_response

__all__ = ["csv_cell", "csv_response"]
